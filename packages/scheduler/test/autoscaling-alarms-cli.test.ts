// Issue 21 (StepScaling): berth's alarms through the real AWS CLI v2 (/usr/bin/aws cloudwatch
// --endpoint-url, query protocol, SigV4 service `monitoring`) and step scaling policies
// through `aws application-autoscaling put-scaling-policy --policy-type StepScaling`:
// put / describe (names, prefix, state, paging) / history / set-alarm-state (which runs the
// policy) / get-metric-statistics / delete, and the errors CloudWatch and Application Auto
// Scaling give, naming the field.
import t from 'tap';
import { eventually, stays } from '@berth/daemon/testing';
import { cliErrorType, type CliResult } from '../../../test/helpers/aws-cli.js';
import {
  cliOf,
  createWeb,
  WEB_DIMENSIONS,
  WEB_TARGET_ARGS,
  webService,
} from './autoscaling-fixtures.js';
import { startStack } from './fixtures.js';

const s = await startStack({ scalingInterval: 200, serviceIntervalMs: 200 });
t.teardown(() => s.close());

const run = cliOf(s);
const cw = (args: string[]): Promise<CliResult> => run('cloudwatch', args);
const aas = (args: string[]): Promise<CliResult> => run('application-autoscaling', args);

const TARGET = WEB_TARGET_ARGS;
const DIMS = WEB_DIMENSIONS;

await createWeb(s, 1);
const desired = async (): Promise<number> => (await webService(s)).desiredCount;

let outArn = '';

t.test('step scaling policies: AWS checks, then one stored', async (t) => {
  let r = await aas([
    'register-scalable-target',
    ...TARGET,
    '--min-capacity',
    '1',
    '--max-capacity',
    '6',
  ]);
  t.equal(r.code, 0, r.stderr);
  const put = (config: unknown): Promise<CliResult> =>
    aas([
      'put-scaling-policy',
      ...TARGET,
      '--policy-name',
      'out',
      '--policy-type',
      'StepScaling',
      '--step-scaling-policy-configuration',
      JSON.stringify(config),
    ]);
  const bad: [string, unknown, RegExp][] = [
    [
      'a gap',
      {
        AdjustmentType: 'ChangeInCapacity',
        StepAdjustments: [
          { MetricIntervalLowerBound: 0, MetricIntervalUpperBound: 10, ScalingAdjustment: 1 },
          { MetricIntervalLowerBound: 20, ScalingAdjustment: 2 },
        ],
      },
      /StepAdjustments: .*gap/,
    ],
    [
      'an overlap',
      {
        AdjustmentType: 'ChangeInCapacity',
        StepAdjustments: [
          { MetricIntervalLowerBound: 0, MetricIntervalUpperBound: 30, ScalingAdjustment: 1 },
          { MetricIntervalLowerBound: 20, ScalingAdjustment: 2 },
        ],
      },
      /StepAdjustments: .*overlap/,
    ],
    [
      'two unbounded above',
      {
        AdjustmentType: 'ChangeInCapacity',
        StepAdjustments: [
          { MetricIntervalLowerBound: 0, ScalingAdjustment: 1 },
          { MetricIntervalLowerBound: 20, ScalingAdjustment: 2 },
        ],
      },
      /null upper bound/,
    ],
    [
      'MinAdjustmentMagnitude without percent',
      {
        AdjustmentType: 'ChangeInCapacity',
        MinAdjustmentMagnitude: 2,
        StepAdjustments: [{ MetricIntervalLowerBound: 0, ScalingAdjustment: 1 }],
      },
      /MinAdjustmentMagnitude/,
    ],
    [
      'a bad adjustment type',
      {
        AdjustmentType: 'Double',
        StepAdjustments: [{ MetricIntervalLowerBound: 0, ScalingAdjustment: 1 }],
      },
      /AdjustmentType/,
    ],
  ];
  for (const [why, config, message] of bad) {
    r = await put(config);
    t.equal(cliErrorType(r), 'ValidationException', why);
    t.match(r.stderr, message, why);
  }
  r = await put({
    AdjustmentType: 'ChangeInCapacity',
    StepAdjustments: [
      { MetricIntervalLowerBound: 0, MetricIntervalUpperBound: 20, ScalingAdjustment: 1 },
      { MetricIntervalLowerBound: 20, ScalingAdjustment: 3 },
    ],
    Cooldown: 60,
    MetricAggregationType: 'Maximum',
  });
  t.equal(r.code, 0, r.stderr);
  outArn = r.out.PolicyARN;
  t.match(
    outArn,
    /:scalingPolicy:[0-9a-f-]{36}:resource\/ecs\/service\/default\/web:policyName\/out$/,
  );
});

t.test('alarms: put, errors, describe, history, set-alarm-state runs the policy', async (t) => {
  const alarm = (name: string, extra: string[]): Promise<CliResult> =>
    cw([
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
      '--evaluation-periods',
      '1',
      '--comparison-operator',
      'GreaterThanThreshold',
      ...extra,
    ]);
  let r = await alarm('bad', ['--period', '45', '--threshold', '70']);
  t.equal(cliErrorType(r), 'InvalidParameterValue', r.stderr);
  t.match(r.stderr, /Period must be 10, 30 or a multiple of 60/);
  r = await alarm('bad', ['--period', '60']);
  t.equal(cliErrorType(r), 'MissingParameter', r.stderr);
  t.match(r.stderr, /Threshold is required/);
  r = await alarm('bad', [
    '--period',
    '60',
    '--threshold',
    '1',
    '--alarm-actions',
    'arn:aws:sns:us-east-1:000000000000:topic',
  ]);
  t.equal(cliErrorType(r), 'InvalidParameterValue');
  t.match(r.stderr, /AlarmActions holds arn:aws:sns/);
  r = await alarm('bad', ['--period', '60', '--threshold', '1', '--datapoints-to-alarm', '2']);
  t.equal(cliErrorType(r), 'InvalidParameterValue');
  t.match(r.stderr, /DatapointsToAlarm/);
  r = await alarm('bad', ['--period', '60', '--threshold', '1', '--treat-missing-data', 'maybe']);
  t.equal(cliErrorType(r), 'InvalidParameterValue');
  t.match(r.stderr, /TreatMissingData/);

  r = await alarm('web-cpu-high', [
    '--period',
    '10',
    '--threshold',
    '70',
    '--treat-missing-data',
    'ignore',
    '--alarm-actions',
    outArn,
  ]);
  t.equal(r.code, 0, r.stderr);
  r = await alarm('web-cpu-other', ['--period', '60', '--threshold', '90']);
  t.equal(r.code, 0, r.stderr);
  r = await cw([
    'put-metric-alarm',
    '--alarm-name',
    'queue-depth',
    '--namespace',
    'MyApp',
    '--metric-name',
    'Depth',
    '--statistic',
    'Sum',
    '--period',
    '60',
    '--evaluation-periods',
    '2',
    '--threshold',
    '5',
    '--comparison-operator',
    'GreaterThanOrEqualToThreshold',
    '--treat-missing-data',
    'breaching',
  ]);
  t.equal(r.code, 0, 'an unknown metric is accepted');

  r = await cw(['describe-alarms', '--alarm-names', 'web-cpu-high']);
  t.equal(r.code, 0, r.stderr);
  t.equal(r.out.MetricAlarms.length, 1);
  t.match(r.out.MetricAlarms[0], {
    AlarmName: 'web-cpu-high',
    AlarmArn: 'arn:aws:cloudwatch:us-east-1:000000000000:alarm:web-cpu-high',
    Namespace: 'AWS/ECS',
    MetricName: 'CPUUtilization',
    Dimensions: [
      { Name: 'ClusterName', Value: 'default' },
      { Name: 'ServiceName', Value: 'web' },
    ],
    Statistic: 'Average',
    Period: 10,
    EvaluationPeriods: 1,
    DatapointsToAlarm: 1,
    Threshold: 70,
    ComparisonOperator: 'GreaterThanThreshold',
    TreatMissingData: 'ignore',
    ActionsEnabled: true,
    AlarmActions: [outArn],
    OKActions: [],
    StateValue: 'INSUFFICIENT_DATA',
  });
  r = await cw(['describe-alarms', '--alarm-name-prefix', 'web-']);
  t.same(
    r.out.MetricAlarms.map((a: { AlarmName: string }) => a.AlarmName),
    ['web-cpu-high', 'web-cpu-other'],
  );
  r = await cw(['describe-alarms', '--max-records', '1', '--no-paginate']);
  t.equal(r.out.MetricAlarms.length, 1, r.stderr);
  t.ok(r.out.NextToken, 'a next token');
  const second = await cw([
    'describe-alarms',
    '--max-records',
    '1',
    '--no-paginate',
    '--next-token',
    r.out.NextToken,
  ]);
  t.equal(second.out.MetricAlarms.length, 1);
  t.not(second.out.MetricAlarms[0].AlarmName, r.out.MetricAlarms[0].AlarmName);
  r = await cw(['describe-alarms', '--next-token', 'garbage!', '--no-paginate']);
  t.equal(cliErrorType(r), 'InvalidNextToken');

  // Missing data counts as breaching, yet berth has no such metric: it stays without data.
  await stays(
    'the unknown metric stays INSUFFICIENT_DATA',
    async () => {
      const q = await cw(['describe-alarms', '--alarm-names', 'queue-depth']);
      return q.out.MetricAlarms?.[0]?.StateValue === 'INSUFFICIENT_DATA';
    },
    { periodMs: 2000 },
  );
  r = await cw(['describe-alarms', '--state-value', 'INSUFFICIENT_DATA']);
  t.ok(r.out.MetricAlarms.some((a: { AlarmName: string }) => a.AlarmName === 'queue-depth'));

  // The policy shows the alarm that names it.
  r = await aas([
    'describe-scaling-policies',
    '--service-namespace',
    'ecs',
    '--policy-names',
    'out',
  ]);
  t.equal(r.code, 0, r.stderr);
  t.match(r.out.ScalingPolicies[0], {
    PolicyName: 'out',
    PolicyType: 'StepScaling',
    StepScalingPolicyConfiguration: {
      AdjustmentType: 'ChangeInCapacity',
      StepAdjustments: [
        { MetricIntervalLowerBound: 0, MetricIntervalUpperBound: 20, ScalingAdjustment: 1 },
        { MetricIntervalLowerBound: 20, ScalingAdjustment: 3 },
      ],
      Cooldown: 60,
      MetricAggregationType: 'Maximum',
    },
    Alarms: [
      {
        AlarmName: 'web-cpu-high',
        AlarmARN: 'arn:aws:cloudwatch:us-east-1:000000000000:alarm:web-cpu-high',
      },
    ],
  });

  // Actions disabled: the state changes, the policy does not run.
  r = await alarm('web-cpu-muted', [
    '--period',
    '60',
    '--threshold',
    '70',
    '--treat-missing-data',
    'ignore',
    '--no-actions-enabled',
    '--alarm-actions',
    outArn,
  ]);
  t.equal(r.code, 0, r.stderr);
  r = await cw([
    'set-alarm-state',
    '--alarm-name',
    'web-cpu-muted',
    '--state-value',
    'ALARM',
    '--state-reason',
    'muted',
  ]);
  t.equal(r.code, 0, r.stderr);
  await stays('desired count 1 (actions disabled)', async () => (await desired()) === 1, {
    periodMs: 1500,
  });
  r = await cw(['delete-alarms', '--alarm-names', 'web-cpu-muted']);
  t.equal(r.code, 0, r.stderr);

  // No data: set-alarm-state ALARM runs the policy at the breach 0 (the first step, +1).
  r = await cw([
    'set-alarm-state',
    '--alarm-name',
    'nope',
    '--state-value',
    'ALARM',
    '--state-reason',
    'x',
  ]);
  t.equal(cliErrorType(r), 'ResourceNotFound');
  r = await cw([
    'set-alarm-state',
    '--alarm-name',
    'web-cpu-high',
    '--state-value',
    'ALARM',
    '--state-reason',
    'test',
    '--state-reason-data',
    '{bad',
  ]);
  t.equal(cliErrorType(r), 'InvalidFormat');
  r = await cw([
    'set-alarm-state',
    '--alarm-name',
    'web-cpu-high',
    '--state-value',
    'ALARM',
    '--state-reason',
    'a person says so',
  ]);
  t.equal(r.code, 0, r.stderr);
  await eventually('desired count 2', async () => (await desired()) === 2, { timeoutMs: 10_000 });
  r = await aas(['describe-scaling-activities', '--service-namespace', 'ecs']);
  t.match(r.out.ScalingActivities[0], {
    Description: 'Setting desired count to 2.',
    StatusCode: 'Successful',
    Cause:
      /^monitor alarm web-cpu-high in state ALARM triggered policy out: no datapoints, step \+1, changing the desired count from 1 to 2$/,
  });
  r = await cw(['describe-alarms', '--alarm-names', 'web-cpu-high']);
  t.match(r.out.MetricAlarms[0], { StateValue: 'ALARM', StateReason: 'a person says so' });
  await eventually(
    'an Action history item',
    async () => {
      const h = await cw([
        'describe-alarm-history',
        '--alarm-name',
        'web-cpu-high',
        '--history-item-type',
        'Action',
      ]);
      return h.out.AlarmHistoryItems?.length === 1;
    },
    { timeoutMs: 10_000 },
  );
  r = await cw(['describe-alarm-history', '--alarm-name', 'web-cpu-high']);
  t.same(
    r.out.AlarmHistoryItems.map((h: { HistoryItemType: string }) => h.HistoryItemType),
    ['Action', 'StateUpdate', 'ConfigurationUpdate'],
  );
  t.match(r.out.AlarmHistoryItems[1], {
    AlarmName: 'web-cpu-high',
    HistorySummary: 'Alarm updated from INSUFFICIENT_DATA to ALARM',
  });
  t.match(r.out.AlarmHistoryItems[0].HistorySummary, `Successfully executed action ${outArn}`);
});

t.test('get-metric-statistics: errors, and no data for a service without samples', async (t) => {
  const now = Math.floor(Date.now() / 1000);
  const base = [
    'get-metric-statistics',
    '--namespace',
    'AWS/ECS',
    '--metric-name',
    'CPUUtilization',
    ...DIMS,
    '--start-time',
    String(now - 600),
    '--end-time',
    String(now),
  ];
  let r = await cw([...base, '--period', '45', '--statistics', 'Average']);
  t.equal(cliErrorType(r), 'InvalidParameterValue');
  t.match(r.stderr, /Period/);
  r = await cw([...base, '--period', '60']);
  t.equal(cliErrorType(r), 'InvalidParameterCombination');
  r = await cw([...base, '--period', '60', '--statistics', 'Average', 'Maximum']);
  t.equal(r.code, 0, r.stderr);
  t.same(r.out, { Label: 'CPUUtilization', Datapoints: [] });
});

t.test('delete-alarms', async (t) => {
  let r = await cw(['delete-alarms', '--alarm-names', 'web-cpu-high', 'nope']);
  t.equal(cliErrorType(r), 'ResourceNotFound');
  t.match(r.stderr, /nope/);
  r = await cw(['delete-alarms', '--alarm-names', 'web-cpu-high', 'web-cpu-other', 'queue-depth']);
  t.equal(r.code, 0, r.stderr);
  r = await cw(['describe-alarms']);
  t.same(r.out.MetricAlarms, []);
  r = await aas(['describe-scaling-policies', '--service-namespace', 'ecs']);
  t.same(r.out.ScalingPolicies[0].Alarms, [], 'the policy has no alarm left');
  r = await aas(['delete-scaling-policy', ...TARGET, '--policy-name', 'out']);
  t.equal(r.code, 0, r.stderr);
});
