// Services with a load balancer, container health, the circuit breaker, and events out:
// RegisterTargets once a task is RUNNING and healthy (an AWS 500 retried), DeregisterTargets
// before a task is stopped and the stop only after the deregistration delay, all recorded on
// a local ELBv2 endpoint; container healthStatus reported by the agent shown in DescribeTasks
// and gating the rollout; circuit breaker with rollback; `GET /v1/events` (SigV4-signed SSE)
// and the webhook receiving task and service events.
import { eventually, stays } from '@berth/daemon/testing';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import t from 'tap';
import { type FakeElbCall, startFakeElb } from '@berth/elb/testing';
import { SimulatedAgent } from '../src/testing/index.js';
import { signSigV4 } from '../src/core/sigv4.js';
import type { TaskRt } from '../src/state/scheduler-state.js';
import { CREDS, startStack, webTaskDef, type Stack } from './fixtures.js';

const TG = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/berth/0123456789abcdef';

/** Records webhook POSTs; answers 503 to the first `failFirst`. */
async function webhookSink(failFirst: number) {
  const got: { type: string; detail: Record<string, unknown> }[] = [];
  let failed = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (failed < failFirst) {
        failed++;
        res.statusCode = 503;
        res.end();
        return;
      }
      got.push(JSON.parse(Buffer.concat(chunks).toString()) as (typeof got)[number]);
      res.end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  return {
    got,
    url,
    failedCount: () => failed,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/** Opens the SigV4-signed SSE stream and collects events. */
function openStream(base: string, creds = CREDS) {
  const u = new URL(`${base}/v1/events`);
  const headers = signSigV4({
    method: 'GET',
    host: u.host,
    path: '/v1/events',
    headers: {},
    body: '',
    credentials: creds,
    region: 'us-east-1',
    service: 'ecs',
  });
  const events: { type: string; detail: Record<string, unknown> }[] = [];
  let status = 0;
  const req = http.get(u, { headers }, (res) => {
    status = res.statusCode ?? 0;
    let buf = '';
    res.setEncoding('utf8');
    res.on('data', (c: string) => {
      buf += c;
      let i: number;
      while ((i = buf.indexOf('\n\n')) >= 0) {
        const frame = buf.slice(0, i);
        buf = buf.slice(i + 2);
        const data = frame.split('\n').find((l) => l.startsWith('data: '));
        if (data) events.push(JSON.parse(data.slice(6)) as (typeof events)[number]);
      }
    });
  });
  req.on('error', () => {});
  return { events, status: () => status, close: () => req.destroy() };
}

let stack: Stack;
let elb: Awaited<ReturnType<typeof startFakeElb>>;
let hook: Awaited<ReturnType<typeof webhookSink>>;
const agents: SimulatedAgent[] = [];

const arnOf = (x: TaskRt): string => `arn:aws:ecs:us-east-1:000000000000:task/default/${x.rec.id}`;
function live(group: string): TaskRt[] {
  const ctx = stack.scheduler.replica.context;
  return [...(ctx?.state.tasks.values() ?? [])].filter(
    (x) => x.committed && x.rec.group === group && x.rec.desiredStatus === 'RUNNING',
  );
}
const ownerOf = (arn: string): SimulatedAgent =>
  agents.find((a) => a.tasks.has(arn)) as SimulatedAgent;

t.before(async () => {
  // The first RegisterTargets answers a 500: the SDK's retry must absorb it.
  elb = await startFakeElb({
    answer: (action, n) => (action === 'RegisterTargets' && n === 1 ? 'fault' : 'ok'),
    deregistrationDelaySeconds: 1,
  });
  hook = await webhookSink(2);
  stack = await startStack({
    elbEndpoint: elb.url,
    elbCredentials: { accessKeyId: 'AKIDELB', secretAccessKey: 'elb-secret' },
    webhook: hook.url,
    webhookBaseDelayMs: 20,
    serviceIntervalMs: 300,
  });
  for (const z of ['a', 'b']) {
    const a = new SimulatedAgent({
      endpoint: stack.scheduler.url,
      credentials: CREDS,
      availabilityZone: `local-1${z}`,
      instanceId: `i-0${z}${z}`,
      waitSeconds: 5,
    });
    await a.register();
    a.start();
    agents.push(a);
  }
});

t.teardown(async () => {
  for (const a of agents) await a.stop();
  await stack.close();
  await elb.close();
  await hook.close();
});

t.test('SSE refuses an unsigned or wrongly signed client', async (t) => {
  const bad = openStream(stack.scheduler.url, {
    accessKeyId: CREDS.accessKeyId,
    secretAccessKey: 'wrong',
  });
  await eventually('bad.status() !== 0', () => bad.status() !== 0, { timeoutMs: 5000 });
  t.equal(bad.status(), 400);
  bad.close();
});

t.test('ELB targets, container health, events', async (t) => {
  const stream = openStream(stack.scheduler.url);
  await eventually('stream.status() !== 0', () => stream.status() !== 0, { timeoutMs: 5000 });
  t.equal(stream.status(), 200);
  await stack.json.ecs('RegisterTaskDefinition', {
    ...webTaskDef('hweb'),
    containerDefinitions: [
      {
        ...webTaskDef('hweb').containerDefinitions[0],
        healthCheck: { command: ['CMD-SHELL', 'true'] },
      },
    ],
  });
  await stack.json.ecs('CreateService', {
    serviceName: 'lb',
    taskDefinition: 'hweb',
    desiredCount: 2,
    loadBalancers: [{ targetGroupArn: TG, containerName: 'web', containerPort: 80 }],
  });
  await eventually(
    "live('service:lb').filter((x) => x.rec.lastStatus === 'RUNNING').le...",
    () => live('service:lb').filter((x) => x.rec.lastStatus === 'RUNNING').length === 2,
    { timeoutMs: 10_000 },
  );
  // RUNNING but health unknown: not registered yet.
  await stays(
    'no RegisterTargets before healthy',
    () => elb.calls.every((c) => c.action !== 'RegisterTargets'),
    { periodMs: 400 },
  ).catch(() => {});
  t.equal(elb.calls.filter((c) => c.action === 'RegisterTargets').length, 0, 'not before healthy');
  for (const x of live('service:lb')) await ownerOf(arnOf(x)).reportHealth(arnOf(x), 'HEALTHY');
  const described = await stack.json.ecs<{
    tasks: { healthStatus: string; containers: { healthStatus: string }[] }[];
  }>('DescribeTasks', { tasks: live('service:lb').map(arnOf) });
  t.same(
    described.tasks.map((x) => [x.healthStatus, x.containers[0]?.healthStatus]),
    [
      ['HEALTHY', 'HEALTHY'],
      ['HEALTHY', 'HEALTHY'],
    ],
    'DescribeTasks shows the reported health',
  );
  await eventually('elb.targets.size === 2', () => elb.targets.size === 2, { timeoutMs: 10_000 });
  const regs = elb.calls.filter((c) => c.action === 'RegisterTargets');
  t.ok(regs.length >= 3, 'the 500 was retried');
  t.same(
    new Set([...elb.targets].map((x) => x.split(':')[0])),
    new Set(['i-0aa', 'i-0bb']),
    'targets are instance ids with host ports',
  );
  t.ok(
    [...elb.targets].every((x) => x.endsWith(':32768')),
    'host port from the bindings',
  );

  // Scale in: deregister first, stop only after the 1 s delay.
  await stack.json.ecs('UpdateService', { service: 'lb', desiredCount: 1 });
  await eventually(
    "elb.calls.some((c) => c.action === 'DeregisterTargets')",
    () => elb.calls.some((c) => c.action === 'DeregisterTargets'),
    { timeoutMs: 10_000 },
  );
  const dereg = elb.calls.find((c) => c.action === 'DeregisterTargets') as FakeElbCall;
  const stoppedEvent = await (async () => {
    await eventually(
      "stream.events.some( (e) => e.type === 'TaskStateChange' && e.detail...",
      () =>
        stream.events.some(
          (e) => e.type === 'TaskStateChange' && e.detail['desiredStatus'] === 'STOPPED',
        ),
      { timeoutMs: 10_000 },
    );
    return stream.events.find(
      (e) => e.type === 'TaskStateChange' && e.detail['desiredStatus'] === 'STOPPED',
    ) as { time?: number; detail: Record<string, unknown> };
  })();
  t.equal(stoppedEvent.detail['stopCode'], 'ServiceSchedulerInitiated');
  t.ok(
    (stoppedEvent as { time: number }).time - dereg.at >= 900,
    `stopped ${(stoppedEvent as { time: number }).time - dereg.at} ms after DeregisterTargets (delay 1 s)`,
  );
  await eventually(
    "stream.events.some( (e) => e.type === 'ServiceEvent' && /steady sta...",
    () =>
      stream.events.some(
        (e) => e.type === 'ServiceEvent' && /steady state/.test(String(e.detail['message'])),
      ),
    { timeoutMs: 10_000 },
  );
  t.ok(
    stream.events.some(
      (e) => e.type === 'ServiceEvent' && /draining connections/.test(String(e.detail['message'])),
    ),
    'draining event',
  );
  await eventually(
    "hook.got.some((e) => e.type === 'ServiceEvent')",
    () => hook.got.some((e) => e.type === 'ServiceEvent'),
    { timeoutMs: 10_000 },
  );
  t.ok(hook.failedCount() === 2, 'webhook retried after two 503s');
  t.ok(
    hook.got.some((e) => e.type === 'TaskStateChange'),
    'webhook got task events',
  );
  stream.close();
});

t.test('circuit breaker with and without rollback', async (t) => {
  // A task that always fails to start (reported STOPPED before RUNNING).
  const failing = new Set<string>();
  const onTask =
    (a: SimulatedAgent) => (x: { taskArn: string; taskDefinition: { family: string } }) => {
      if (x.taskDefinition.family === 'bad') {
        failing.add(x.taskArn);
        void a.report(x.taskArn, 'STOPPED', {
          exitCode: 1,
          reason: 'CannotPullContainerError: no such image',
        });
      }
    };
  for (const a of agents) a.on('task', onTask(a));
  await stack.json.ecs('RegisterTaskDefinition', webTaskDef('good'));
  await stack.json.ecs('RegisterTaskDefinition', webTaskDef('bad'));
  for (const rollback of [true, false]) {
    const name = `cb-${rollback}`;
    await stack.json.ecs('CreateService', {
      serviceName: name,
      taskDefinition: 'good',
      desiredCount: 2,
      deploymentConfiguration: { deploymentCircuitBreaker: { enable: true, rollback } },
    });
    await eventually(
      "live(`service:${name}`).filter((x) => x.rec.lastStatus === 'RUNNING...",
      () => live(`service:${name}`).filter((x) => x.rec.lastStatus === 'RUNNING').length === 2,
      { timeoutMs: 10_000 },
    );
    const d0 = await stack.json.ecs<{ services: { deployments: { rolloutState: string }[] }[] }>(
      'DescribeServices',
      { services: [name] },
    );
    await eventually(
      'condition',
      async () => {
        const r = await stack.json.ecs<{ services: { deployments: { rolloutState: string }[] }[] }>(
          'DescribeServices',
          { services: [name] },
        );
        return r.services[0]?.deployments[0]?.rolloutState === 'COMPLETED';
      },
      { timeoutMs: 10_000 },
    );
    void d0;
    await stack.json.ecs('UpdateService', { service: name, taskDefinition: 'bad' });
    await eventually(
      'condition',
      async () => {
        const r = await stack.json.ecs<{
          services: {
            taskDefinition: string;
            deployments: { status: string; rolloutState: string; taskDefinition: string }[];
            events: { message: string }[];
          }[];
        }>('DescribeServices', { services: [name] });
        const s = r.services[0];
        if (!s) return false;
        return s.events.some((e) => /deployment failed/.test(e.message));
      },
      { timeoutMs: 20_000 },
    );
    const r = await stack.json.ecs<{
      services: {
        taskDefinition: string;
        deployments: { status: string; rolloutState: string; taskDefinition: string }[];
      }[];
    }>('DescribeServices', { services: [name] });
    const s = r.services[0] as {
      taskDefinition: string;
      deployments: { status: string; rolloutState: string; taskDefinition: string }[];
    };
    if (rollback) {
      t.match(s.taskDefinition, /good:1$/, 'rolled back to the good task definition');
      t.match(s.deployments[0], { status: 'PRIMARY', taskDefinition: /good:1$/ });
    } else {
      t.match(s.taskDefinition, /bad:1$/, 'no rollback: stays on the failed definition');
      t.match(s.deployments[0], { status: 'PRIMARY', rolloutState: 'FAILED' });
    }
    const good = live(`service:${name}`).filter(
      (x) => x.rec.taskDefinition === 'good:1' && x.rec.lastStatus === 'RUNNING',
    );
    t.ok(good.length >= 2, `${name}: the old tasks keep running (${good.length})`);
    await stack.json.ecs('DeleteService', { service: name, force: true });
  }
  t.ok(failing.size >= 3, `${failing.size} failing tasks were started`);
});
