import t from 'tap';
import {
  activityView,
  humanize,
  policyView,
  round1,
  scheduledView,
  stepText,
  targetView,
  utilisationView,
} from '../../src/core/scaling-view.js';

t.test('words and numbers', async (t) => {
  const cases: [string, string][] = [
    ['requestsPerTarget', 'Requests per target'],
    ['ScaleOutCooldown', 'Scale out cooldown'],
    ['MetricAggregationType', 'Metric aggregation type'],
    ['ALBRequestCountPerTarget', 'ALB request count per target'],
    ['cpu', 'Cpu'],
  ];
  for (const [key, want] of cases) t.equal(humanize(key), want, key);
  t.equal(round1(42.25), '42.3');
  t.equal(round1(50), '50');
  t.equal(round1(0.04), '0');
});

t.test('the scalable target and its suspension', async (t) => {
  const base = { MinCapacity: 1, MaxCapacity: 4, CreationTime: 1_700_000_000.5 };
  const plain = targetView({ ...base, SuspendedState: {} });
  t.equal(plain.min, 1);
  t.equal(plain.max, 4);
  t.equal(plain.suspendedText, 'not suspended');
  t.equal(plain.created, 1_700_000_000_500, 'epoch seconds to ms');
  const some = targetView({
    ...base,
    SuspendedState: { DynamicScalingInSuspended: true, ScheduledScalingSuspended: true },
  });
  t.equal(some.suspendedText, 'scale-in, scheduled scaling suspended');
  t.ok(some.dynamicInSuspended);
  t.notOk(some.dynamicOutSuspended);
});

t.test('policies of any type, drawn from their configuration', async (t) => {
  const cpu = policyView({
    PolicyName: 'cpu50',
    PolicyType: 'TargetTrackingScaling',
    TargetTrackingScalingPolicyConfiguration: {
      TargetValue: 50,
      PredefinedMetricSpecification: { PredefinedMetricType: 'ECSServiceAverageCPUUtilization' },
      ScaleOutCooldown: 60,
      ScaleInCooldown: 300,
      DisableScaleIn: false,
    },
    Alarms: [
      { AlarmName: 'TargetTracking-a-AlarmHigh' },
      { AlarmName: 'TargetTracking-a-AlarmLow' },
    ],
  });
  t.same(
    { ...cpu, settings: undefined },
    {
      name: 'cpu50',
      type: 'TargetTrackingScaling',
      typeLabel: 'Target tracking',
      metric: 'Average CPU utilisation',
      metricType: 'ECSServiceAverageCPUUtilization',
      target: '50 %',
      settings: undefined,
      alarms: ['TargetTracking-a-AlarmHigh', 'TargetTracking-a-AlarmLow'],
      editable: true,
    },
  );
  t.same(cpu.settings, [
    { label: 'Scale-out cooldown', value: '60 s' },
    { label: 'Scale-in cooldown', value: '300 s' },
    { label: 'Scale-in', value: 'enabled' },
  ]);

  const alb = policyView({
    PolicyName: 'rps',
    PolicyType: 'TargetTrackingScaling',
    TargetTrackingScalingPolicyConfiguration: {
      TargetValue: 1000,
      PredefinedMetricSpecification: {
        PredefinedMetricType: 'ALBRequestCountPerTarget',
        ResourceLabel: 'app/lb/1/targetgroup/tg/2',
      },
      DisableScaleIn: true,
    },
  });
  t.equal(alb.metric, 'Requests per target');
  t.equal(alb.target, '1000 requests per target');
  t.same(alb.settings, [
    { label: 'Resource label', value: 'app/lb/1/targetgroup/tg/2' },
    { label: 'Scale-in', value: 'disabled' },
  ]);
  t.notOk(alb.editable, 'only CPU and memory policies are the console’s to add');

  const step = policyView({
    PolicyName: 'steps',
    PolicyType: 'StepScaling',
    StepScalingPolicyConfiguration: {
      AdjustmentType: 'ChangeInCapacity',
      StepAdjustments: [
        { MetricIntervalLowerBound: 0, MetricIntervalUpperBound: 20, ScalingAdjustment: 1 },
        { MetricIntervalLowerBound: 20, ScalingAdjustment: 3 },
      ],
      Cooldown: 120,
      MetricAggregationType: 'Average',
    },
    Alarms: [{ AlarmName: 'cpu-high' }],
  });
  t.equal(step.typeLabel, 'Step scaling');
  t.equal(step.metric, '', 'the metric is the alarm’s');
  t.equal(step.target, '');
  t.same(step.settings, [
    { label: 'Adjustment type', value: 'ChangeInCapacity' },
    { label: 'Step 1', value: 'metric − threshold 0 to +20: +1 task' },
    { label: 'Step 2', value: 'metric − threshold +20 and above: +3 tasks' },
    { label: 'Cooldown', value: '120 s' },
    { label: 'Metric aggregation type', value: 'Average' },
  ]);
  t.same(step.alarms, ['cpu-high']);

  const odd = policyView({
    PolicyName: 'x',
    PolicyType: 'PredictiveScaling',
    PredictiveScalingPolicyConfiguration: {
      Mode: 'ForecastOnly',
      MetricSpecifications: [{ a: 1 }],
    },
  });
  t.equal(odd.typeLabel, 'Predictive scaling');
  t.same(odd.settings, [
    { label: 'Mode', value: 'ForecastOnly' },
    { label: 'Metric specifications', value: '[{"a":1}]' },
  ]);
});

t.test('step adjustments in words', async (t) => {
  const cases: [unknown, string, string][] = [
    [
      { MetricIntervalUpperBound: -10, ScalingAdjustment: -2 },
      'ChangeInCapacity',
      'below −10: −2 tasks',
    ],
    [
      { MetricIntervalLowerBound: -10, MetricIntervalUpperBound: 0, ScalingAdjustment: -1 },
      'ChangeInCapacity',
      '−10 to 0: −1 task',
    ],
    [
      { MetricIntervalLowerBound: 0, ScalingAdjustment: 50 },
      'PercentChangeInCapacity',
      '0 and above: +50 %',
    ],
    [{ ScalingAdjustment: 3 }, 'ExactCapacity', 'any value: set to 3 tasks'],
  ];
  for (const [step, type, want] of cases)
    t.equal(stepText(step, type), `metric − threshold ${want}`);
});

t.test('scheduled actions with their next run', async (t) => {
  const seen: unknown[] = [];
  const a = scheduledView(
    {
      ScheduledActionName: 'night',
      Schedule: 'cron(0 22 * * ? *)',
      StartTime: 100,
      CreationTime: 50,
      ScalableTargetAction: { MinCapacity: 0, MaxCapacity: 1 },
    },
    123_000,
    (expr, after, o) => {
      seen.push([expr, after, o]);
      return 999;
    },
  );
  t.same(seen, [
    [
      'cron(0 22 * * ? *)',
      123_000,
      { start: 100_000, end: undefined, created: 50_000, timezone: 'UTC' },
    ],
  ]);
  t.same(a, {
    name: 'night',
    schedule: 'cron(0 22 * * ? *)',
    timezone: 'UTC',
    nextRun: 999,
    start: 100_000,
    end: undefined,
    min: 0,
    max: 1,
  });
});

t.test('activities with a tone by status', async (t) => {
  const tones = ['Successful', 'Failed', 'InProgress', 'Whatever'].map(
    (s) => activityView({ StatusCode: s }).tone,
  );
  t.same(tones, ['ok', 'bad', 'warn', 'idle']);
  const a = activityView({
    ActivityId: 'a1',
    Description: 'Setting desired count to 2.',
    Cause: 'monitor alarm ... in state ALARM',
    StartTime: 10,
    EndTime: 11,
    StatusCode: 'Successful',
  });
  t.equal(a.time, 10_000);
  t.equal(a.end, 11_000);
  t.equal(a.statusMessage, '');
});

t.test('utilisation: now, per minute (with any other numbers), and its text', async (t) => {
  const u = utilisationView({
    collecting: true,
    freshSeconds: 30,
    runningTasks: 2,
    reservation: { cpu: 256, memory: 128 },
    average: { cpu: 50, memory: 25, tasks: 2, requestsPerTarget: 12.34 },
    tasks: [
      { taskId: 't1', cpu: 25, memory: 25 },
      { taskId: 't2', cpu: 75, memory: 25 },
    ],
    minutes: [
      { minute: 60_000, samples: 4, cpuAvg: 10, memoryAvg: 20, cpuMax: 15 },
      { minute: 120_000, samples: 4, cpuAvg: 80.04, memoryAvg: 20, cpuMax: 90, requests: 7 },
    ],
  });
  t.equal(u.cpu, 50);
  t.equal(u.measuredTasks, 2);
  t.same(u.extraNow, [{ label: 'Requests per target', value: '12.3' }]);
  t.same(u.extraColumns, ['Requests']);
  t.same(
    u.minutes.map((m) => m.extra),
    [[undefined], [7]],
  );
  t.same(u.cpuSeries, [
    [60_000, 10],
    [120_000, 80],
  ]);
  t.equal(
    u.summary,
    'CPU 50 % and memory 25 % of the reservation now (2 of 2 tasks measured). Over the last 2 minutes CPU averaged between 10 % and 80 %, memory 20 %.',
  );
  const none = utilisationView({ collecting: false, runningTasks: 1, minutes: [] });
  t.equal(none.cpu, undefined);
  t.notOk(none.collecting);
  t.equal(
    none.summary,
    'No fresh utilisation sample of the 1 running task. No one-minute aggregates yet.',
  );
  const many = utilisationView({
    minutes: Array.from({ length: 70 }, (_, i) => ({
      minute: i * 60_000,
      samples: 1,
      cpuAvg: i,
      memoryAvg: 1,
    })),
  });
  t.equal(many.minutes.length, 60, 'the last 60 minutes');
  t.equal(many.minutes[0]?.minute, 10 * 60_000);
});
