// Issue 21: the leader's scaler with a simulated agent reporting task stats
// (BerthAgentV1.ReportTaskStats): CPU over the target → UpdateService to the computed count
// (capped at max), an activity with the reason; CPU low after the scale-in cooldown → back to
// min; a protected task survives the scale-in; no data → no change; /metrics shows it.
import { eventually, stays } from '@berth/daemon/testing';
import t from 'tap';
import { SimulatedAgent } from '../src/testing/index.js';
import { createWeb, WEB_TARGET, webService } from './autoscaling-fixtures.js';
import { CREDS, startStack } from './fixtures.js';

const s = await startStack({ serviceIntervalMs: 200, scalingInterval: 200, discoveryDrain: 0 });
const agent = new SimulatedAgent({ endpoint: s.scheduler.url, credentials: CREDS, waitSeconds: 2 });
await agent.register();
agent.start();
t.teardown(async () => {
  await agent.stop();
  await s.close();
});

const AAS = 'AnyScaleFrontendService.';
const target = WEB_TARGET;

await createWeb(s, 1);

const service = () => webService(s);
const running = (): string[] => [...agent.tasks.keys()];

/** Reports every task of the agent at `cpuUnits` (the task reserves 256). */
const report = (cpuUnits: number): Promise<unknown> =>
  s.json.agent('ReportTaskStats', {
    cluster: 'default',
    containerInstance: agent.arn,
    sampledAt: Date.now(),
    tasks: running().map((taskArn) => ({ taskArn, cpuUnits, memoryMiB: 32 })),
  });

// The JSON client signs as `ecs`; these calls sign as application-autoscaling.
const aas = async (action: string, body: unknown): Promise<unknown> => {
  const { SignatureV4 } = await import('@smithy/signature-v4');
  const { Sha256 } = await import('@aws-crypto/sha256-js');
  const url = new URL(s.scheduler.url);
  const text = JSON.stringify(body);
  const signed = await new SignatureV4({
    credentials: CREDS,
    region: 'us-east-1',
    service: 'application-autoscaling',
    sha256: Sha256,
  }).sign({
    method: 'POST',
    protocol: url.protocol,
    hostname: url.hostname,
    port: Number(url.port),
    path: '/',
    headers: {
      host: url.host,
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': AAS + action,
    },
    body: text,
  });
  const res = await fetch(url, { method: 'POST', headers: signed.headers, body: text });
  const json: unknown = await res.json();
  if (!res.ok) throw new Error(`${action}: ${JSON.stringify(json)}`);
  return json;
};

await eventually('one task runs', async () => (await service()).runningCount === 1, {
  timeoutMs: 10_000,
});

t.test('no target, no policy, no data: the count stays', async (t) => {
  await report(1024);
  await stays('desired count 1', async () => (await service()).desiredCount === 1, {
    periodMs: 1000,
  });
  await aas('RegisterScalableTarget', { ...target, MinCapacity: 1, MaxCapacity: 4 });
  await aas('PutScalingPolicy', {
    ...target,
    PolicyName: 'cpu50',
    PolicyType: 'TargetTrackingScaling',
    TargetTrackingScalingPolicyConfiguration: {
      TargetValue: 50,
      PredefinedMetricSpecification: { PredefinedMetricType: 'ECSServiceAverageCPUUtilization' },
      ScaleOutCooldown: 0,
      ScaleInCooldown: 2,
    },
  });
  t.pass('registered');
});

t.test('busy tasks scale out to max, then back in', async (t) => {
  // 256 units used of 256 reserved = 100% against a 50% target: ceil(1 × 2) = 2, then 4.
  await eventually(
    'scaled out to 4',
    async () => {
      await report(256);
      return (await service()).desiredCount === 4;
    },
    { timeoutMs: 20_000, intervalMs: 300 },
  );
  await eventually('4 tasks run', async () => (await service()).runningCount === 4, {
    timeoutMs: 10_000,
  });
  const acts = (await aas('DescribeScalingActivities', { ServiceNamespace: 'ecs' })) as {
    ScalingActivities: { Description: string; Cause: string; StatusCode: string }[];
  };
  t.ok(acts.ScalingActivities.length >= 1);
  t.match(acts.ScalingActivities[0], {
    Description: 'Setting desired count to 4.',
    StatusCode: 'Successful',
    Cause: /AlarmHigh.*ECSServiceAverageCPUUtilization/,
  });

  // Protect one task: the scale-in must keep it.
  const protectedArn = running()[0]!;
  await s.json.ecs('UpdateTaskProtection', {
    cluster: 'default',
    tasks: [protectedArn],
    protectionEnabled: true,
    expiresInMinutes: 10,
  });
  await eventually(
    'scaled in to 1',
    async () => {
      await report(10);
      return (await service()).desiredCount === 1;
    },
    { timeoutMs: 20_000, intervalMs: 300 },
  );
  await eventually('1 task runs', async () => (await service()).runningCount === 1, {
    timeoutMs: 15_000,
  });
  const left = await s.json.ecs<{ taskArns: string[] }>('ListTasks', {
    cluster: 'default',
    serviceName: 'web',
    desiredStatus: 'RUNNING',
  });
  t.same(left.taskArns, [protectedArn], 'the protected task is the one left');
  const after = (await aas('DescribeScalingActivities', { ServiceNamespace: 'ecs' })) as {
    ScalingActivities: { Description: string; Cause: string }[];
  };
  t.match(after.ScalingActivities[0], {
    Description: 'Setting desired count to 1.',
    Cause: /AlarmLow/,
  });
  const metrics = await (await fetch(`${s.scheduler.url}/metrics`)).text();
  t.match(metrics, /berth_scheduler_service_cpu_utilization\{service="default\/web"[^}]*\} \d/);
  t.match(metrics, /berth_scheduler_autoscaling_desired\{service="default\/web"[^}]*\} 1\n/);
});

t.test('a scheduled action raises the minimum, the count follows', async (t) => {
  // Seconds since the epoch, rounded up two seconds ahead: at() takes whole seconds, UTC.
  const at = new Date(Math.ceil(Date.now() / 1000) * 1000 + 2000).toISOString().slice(0, 19);
  await aas('PutScheduledAction', {
    ...target,
    ScheduledActionName: 'morning',
    Schedule: `at(${at})`,
    ScalableTargetAction: { MinCapacity: 2 },
  });
  await eventually(
    'desired count 2',
    async () => {
      await report(40); // within the target: only the new minimum moves the count
      return (await service()).desiredCount === 2;
    },
    { timeoutMs: 20_000, intervalMs: 300 },
  );
  const targets = (await aas('DescribeScalableTargets', { ServiceNamespace: 'ecs' })) as {
    ScalableTargets: { MinCapacity: number; MaxCapacity: number }[];
  };
  t.match(targets.ScalableTargets[0], { MinCapacity: 2, MaxCapacity: 4 });
  const acts = (await aas('DescribeScalingActivities', { ServiceNamespace: 'ecs' })) as {
    ScalingActivities: { Description: string; Cause: string }[];
  };
  t.match(acts.ScalingActivities[0], {
    Description: 'Setting desired count to 2.',
    Cause: /below the minimum capacity 2/,
  });
  t.match(acts.ScalingActivities[1], {
    Description: 'Setting min capacity to 2 and max capacity to 4',
    Cause: 'scheduled action name morning was triggered',
  });
});
