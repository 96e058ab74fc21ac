// Issue 21 (StepScaling): the leader's alarms over berth's own metrics with a simulated agent
// reporting task stats: CPU over a ten-second alarm's threshold → the step policy scales out
// by the step the breach falls in (and not again within its cooldown), get-metric-statistics
// shows the samples; low CPU → the scale-in alarm's policy scales in; activities name the
// alarm and the breach. Alarms and policies through the real AWS CLI.
import { eventually, stays } from '@berth/daemon/testing';
import t from 'tap';
import { awsCli, type CliResult } from '../../../test/helpers/aws-cli.js';
import { SimulatedAgent } from '../src/testing/index.js';
import { startScheduler } from '../src/index.js';
import {
  cliOf,
  createWeb,
  WEB_DIMENSIONS,
  WEB_TARGET_ARGS,
  webService,
} from './autoscaling-fixtures.js';
import { CREDS, startStack } from './fixtures.js';

const s = await startStack({ serviceIntervalMs: 200, scalingInterval: 200, discoveryDrain: 0 });
const agent = new SimulatedAgent({ endpoint: s.scheduler.url, credentials: CREDS, waitSeconds: 2 });
await agent.register();
agent.start();
t.teardown(async () => {
  await agent.stop();
  await s.close();
});

const cli = cliOf(s);
const run = async (service: string, args: string[]): Promise<CliResult> => {
  const r = await cli(service, args);
  if (r.code !== 0) throw new Error(`aws ${service} ${args[0]}: ${r.stderr}`);
  return r;
};
const TARGET = WEB_TARGET_ARGS;
const DIMS = WEB_DIMENSIONS;

await createWeb(s, 1);

const service = () => webService(s);

/** Reports every task of the agent at `cpuUnits` (the task reserves 256). */
const report = (cpuUnits: number): Promise<unknown> =>
  s.json.agent('ReportTaskStats', {
    cluster: 'default',
    containerInstance: agent.arn,
    sampledAt: Date.now(),
    tasks: [...agent.tasks.keys()].map((taskArn) => ({ taskArn, cpuUnits, memoryMiB: 32 })),
  });

const policy = async (name: string, config: unknown): Promise<string> =>
  (
    await run('application-autoscaling', [
      'put-scaling-policy',
      ...TARGET,
      '--policy-name',
      name,
      '--policy-type',
      'StepScaling',
      '--step-scaling-policy-configuration',
      JSON.stringify(config),
    ])
  ).out.PolicyARN as string;

const alarm = (name: string, op: string, threshold: number, action: string): Promise<CliResult> =>
  run('cloudwatch', [
    'put-metric-alarm',
    '--alarm-name',
    name,
    '--namespace',
    'AWS/ECS',
    '--metric-name',
    'CPUUtilization',
    ...DIMS,
    '--statistic',
    'Average',
    '--period',
    '10',
    '--evaluation-periods',
    '1',
    '--threshold',
    String(threshold),
    '--comparison-operator',
    op,
    '--alarm-actions',
    action,
  ]);

await eventually('one task runs', async () => (await service()).runningCount === 1, {
  timeoutMs: 10_000,
});

t.test('busy tasks: the alarm fires, the policy adds the step the breach falls in', async (t) => {
  await run('application-autoscaling', [
    'register-scalable-target',
    ...TARGET,
    '--min-capacity',
    '1',
    '--max-capacity',
    '6',
  ]);
  const out = await policy('cpu-out', {
    AdjustmentType: 'ChangeInCapacity',
    StepAdjustments: [
      { MetricIntervalLowerBound: 0, MetricIntervalUpperBound: 20, ScalingAdjustment: 1 },
      { MetricIntervalLowerBound: 20, ScalingAdjustment: 2 },
    ],
    Cooldown: 25,
  });
  const scaleIn = await policy('cpu-in', {
    AdjustmentType: 'ChangeInCapacity',
    StepAdjustments: [{ MetricIntervalUpperBound: 0, ScalingAdjustment: -2 }],
    Cooldown: 0,
  });
  await alarm('web-cpu-high', 'GreaterThanThreshold', 70, out);
  // 256 of 256 units = 100 %: the breach 30 falls in the second step, +2.
  await eventually(
    'scaled out to 3',
    async () => {
      await report(256);
      return (await service()).desiredCount === 3;
    },
    { timeoutMs: 40_000, intervalMs: 300 },
  );
  const acts = await run('application-autoscaling', [
    'describe-scaling-activities',
    '--service-namespace',
    'ecs',
  ]);
  t.match(acts.out.ScalingActivities[0], {
    Description: 'Setting desired count to 3.',
    StatusCode: 'Successful',
    Cause:
      /^monitor alarm web-cpu-high in state ALARM triggered policy cpu-out: CPUUtilization Average 100 against the threshold 70 \(breach \+30\), step \+2, changing the desired count from 1 to 3$/,
  });
  // Within the cooldown (25 s, an evaluation every 10 s) the same breach adds nothing more:
  // what the step added counts toward it.
  await stays(
    'desired count 3 within the cooldown',
    async () => {
      await report(256);
      return (await service()).desiredCount === 3;
    },
    { periodMs: 12_000, intervalMs: 300 },
  );
  const now = Math.floor(Date.now() / 1000);
  const statsArgs = [
    'get-metric-statistics',
    '--namespace',
    'AWS/ECS',
    '--metric-name',
    'CPUUtilization',
    ...DIMS,
    '--start-time',
    String(now - 300),
    '--end-time',
    String(now + 10),
  ];
  const stats = await run('cloudwatch', [
    ...statsArgs,
    '--period',
    '10',
    '--statistics',
    'Average',
    'Maximum',
    'SampleCount',
  ]);
  t.ok(stats.out.Datapoints.length >= 1, 'datapoints');
  t.match(stats.out.Datapoints[0], { Average: 100, Maximum: 100, Unit: 'Percent' });
  t.ok(stats.out.Datapoints[0].SampleCount >= 1);
  // A follower has no metrics of its own: it forwards GetMetricStatistics to the leader.
  const follower = await startScheduler({
    consul: s.catalog.url,
    listen: '127.0.0.1:0',
    credentials: s.credentialsFile,
  });
  t.teardown(() => follower.close());
  t.notOk(follower.replica.isLeader, 'a follower');
  const viaFollower = await awsCli(
    'cloudwatch',
    [...statsArgs, '--period', '60', '--statistics', 'Maximum'],
    { endpoint: follower.url, home: s.dir, credentials: CREDS },
  );
  t.equal(viaFollower.code, 0, viaFollower.stderr);
  t.match(viaFollower.out.Datapoints[0], { Maximum: 100 }, 'the leader answered');
  const alarmsViaFollower = await awsCli('cloudwatch', ['describe-alarms'], {
    endpoint: follower.url,
    home: s.dir,
    credentials: CREDS,
  });
  t.same(
    alarmsViaFollower.out.MetricAlarms.map((a: { AlarmName: string }) => a.AlarmName),
    ['web-cpu-high'],
    'a follower serves alarms from KV',
  );
  const history = await run('cloudwatch', [
    'describe-alarm-history',
    '--alarm-name',
    'web-cpu-high',
    '--history-item-type',
    'StateUpdate',
  ]);
  t.match(history.out.AlarmHistoryItems[0], {
    HistorySummary: 'Alarm updated from INSUFFICIENT_DATA to ALARM',
  });

  // Quiet tasks: the high alarm goes OK, the low one fires and, once the scale-out's cooldown
  // is over (the capacity it added stays until then), its policy removes 2.
  await alarm('web-cpu-low', 'LessThanThreshold', 20, scaleIn);
  await eventually(
    'scaled in to 1',
    async () => {
      await report(25); // about 10 %
      return (await service()).desiredCount === 1;
    },
    { timeoutMs: 40_000, intervalMs: 300 },
  );
  const after = await run('application-autoscaling', [
    'describe-scaling-activities',
    '--service-namespace',
    'ecs',
  ]);
  t.match(after.out.ScalingActivities[0], {
    Description: 'Setting desired count to 1.',
    Cause:
      /^monitor alarm web-cpu-low in state ALARM triggered policy cpu-in: CPUUtilization Average 9\.\d+ against the threshold 20 \(breach -10\.\d+\), step -2, changing the desired count from 3 to 1$/,
  });
  const alarms = await run('cloudwatch', ['describe-alarms', '--state-value', 'OK']);
  t.same(
    alarms.out.MetricAlarms.map((a: { AlarmName: string }) => a.AlarmName),
    ['web-cpu-high'],
  );
});
