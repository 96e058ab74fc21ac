// Issue 21 (StepScaling): the pure parts, table-tested: step selection (bounds inclusive on
// the breach side), the adjustment types (percent rounding, MinAdjustmentMagnitude), the
// cooldown (scale-out counts what the last one added, scale-in waits, a scale-out's capacity
// stays), the min/max clamp, AWS's step checks, and alarm evaluation (M of N and each
// TreatMissingData), and the ten-second metric series.
import t from 'tap';
import {
  applyAdjustment,
  decideStep,
  roundPercentChange,
  selectStep,
  stepsProblem,
  type StepAdjustment,
  type StepInput,
  type StepPolicyConfig,
} from '../src/autoscaling/step-scaling.js';
import { aggregate, evaluateAlarm, type AlarmRule } from '../src/autoscaling/evaluate-alarm.js';
import { ecsMetric, MetricSeries } from '../src/autoscaling/metric-series.js';

const OUT: StepAdjustment[] = [
  { lower: 0, upper: 10, adjustment: 1 },
  { lower: 10, upper: 30, adjustment: 2 },
  { lower: 30, adjustment: 4 },
];
const IN: StepAdjustment[] = [
  { upper: -20, adjustment: -3 },
  { lower: -20, upper: 0, adjustment: -1 },
];

t.test('selectStep: lower bound inclusive above the threshold, upper bound below', async (t) => {
  const rows: [StepAdjustment[], number, boolean, number | undefined][] = [
    [OUT, 0, true, 1],
    [OUT, 9.99, true, 1],
    [OUT, 10, true, 2],
    [OUT, 29, true, 2],
    [OUT, 30, true, 4],
    [OUT, 500, true, 4],
    [OUT, -1, true, undefined],
    [IN, 0, false, -1],
    [IN, -20, false, -3],
    [IN, -19.5, false, -1],
    [IN, -80, false, -3],
    [IN, 1, false, undefined],
  ];
  for (const [steps, breach, above, want] of rows) {
    t.equal(selectStep(steps, breach, above)?.adjustment, want, `${breach} (above ${above})`);
  }
});

const cfg = (o: Partial<StepPolicyConfig> = {}): StepPolicyConfig => ({
  adjustmentType: 'ChangeInCapacity',
  steps: OUT,
  cooldown: 60,
  aggregation: 'Average',
  ...o,
});

t.test('adjustment types, percent rounding and MinAdjustmentMagnitude', async (t) => {
  const rows: [string, number, StepPolicyConfig, number, number][] = [
    ['change +2', 3, cfg(), 2, 5],
    ['change -1', 3, cfg(), -1, 2],
    ['exact', 3, cfg({ adjustmentType: 'ExactCapacity' }), 7, 7],
    ['percent 50% of 5 = 2.5 → 2', 5, cfg({ adjustmentType: 'PercentChangeInCapacity' }), 50, 7],
    ['percent 10% of 4 = 0.4 → 1', 4, cfg({ adjustmentType: 'PercentChangeInCapacity' }), 10, 5],
    [
      'percent −10% of 4 = −0.4 → −1',
      4,
      cfg({ adjustmentType: 'PercentChangeInCapacity' }),
      -10,
      3,
    ],
    [
      'percent −50% of 5 = −2.5 → −2',
      5,
      cfg({ adjustmentType: 'PercentChangeInCapacity' }),
      -50,
      3,
    ],
    [
      'percent 25% of 4 = 1, magnitude 2 → +2 (AWS example)',
      4,
      cfg({ adjustmentType: 'PercentChangeInCapacity', minAdjustmentMagnitude: 2 }),
      25,
      6,
    ],
    [
      'percent −25% of 4 = −1, magnitude 2 → −2',
      4,
      cfg({ adjustmentType: 'PercentChangeInCapacity', minAdjustmentMagnitude: 2 }),
      -25,
      2,
    ],
    [
      'percent 100% of 4 = 4, magnitude 2 → +4',
      4,
      cfg({ adjustmentType: 'PercentChangeInCapacity', minAdjustmentMagnitude: 2 }),
      100,
      8,
    ],
  ];
  for (const [why, base, c, adj, want] of rows) t.equal(applyAdjustment(base, c, adj), want, why);
  t.equal(roundPercentChange(12.7), 12);
  t.equal(roundPercentChange(-6.67), -6);
  t.equal(roundPercentChange(0), 0);
});

const input = (o: Partial<StepInput>): StepInput => ({
  now: 1_000_000,
  current: 2,
  min: 1,
  max: 10,
  policy: cfg(),
  breach: 15,
  above: true,
  ...o,
});

t.test('decideStep: steps, clamps, cooldowns, suspension', async (t) => {
  const rows: [string, Partial<StepInput>, number, RegExp][] = [
    ['breach 15 → +2', {}, 4, /step \+2/],
    ['breach 45 → +4', { breach: 45 }, 6, /step \+4/],
    ['no step below the first bound', { breach: -5 }, 2, /no step adjustment matches/],
    ['clamped to max', { breach: 45, current: 8 }, 10, /step \+4/],
    ['at max: no change', { breach: 45, current: 10 }, 10, /already at the maximum/],
    [
      'scale-in clamped to min',
      { policy: cfg({ steps: IN }), above: false, breach: -50, current: 3 },
      1,
      /step -3/,
    ],
    [
      'at min: no change',
      { policy: cfg({ steps: IN }), above: false, breach: -50, current: 1 },
      1,
      /already at the minimum/,
    ],
    [
      'within the scale-out cooldown, the same step adds nothing more',
      { current: 4, last: { at: 990_000, from: 2, to: 4, cooldownMs: 60_000 } },
      4,
      /already added/,
    ],
    [
      'within the scale-out cooldown, a larger step adds only the difference',
      { current: 4, breach: 45, last: { at: 990_000, from: 2, to: 4, cooldownMs: 60_000 } },
      6,
      /step \+4/,
    ],
    [
      'after the cooldown the step applies to the current count',
      { current: 4, last: { at: 900_000, from: 2, to: 4, cooldownMs: 60_000 } },
      6,
      /step \+2/,
    ],
    [
      'a scale-in waits for its cooldown',
      {
        policy: cfg({ steps: IN }),
        above: false,
        breach: -5,
        current: 5,
        last: { at: 990_000, from: 6, to: 5, cooldownMs: 60_000 },
      },
      5,
      /waits for the cooldown/,
    ],
    [
      'a scale-in keeps what a scale-out added in its cooldown',
      {
        policy: cfg({ steps: IN }),
        above: false,
        breach: -50,
        current: 6,
        others: [{ at: 990_000, from: 4, to: 6, cooldownMs: 60_000 }],
      },
      6,
      /capacity added by a scale-out/,
    ],
    [
      'a scale-in only down to what a scale-out added',
      {
        policy: cfg({ steps: IN }),
        above: false,
        breach: -50,
        current: 8,
        others: [{ at: 990_000, from: 4, to: 6, cooldownMs: 60_000 }],
      },
      6,
      /step -3/,
    ],
    [
      'a scale-out is not blocked by a scale-in cooldown',
      { current: 5, others: [{ at: 990_000, from: 6, to: 5, cooldownMs: 60_000 }] },
      7,
      /step \+2/,
    ],
    ['scale-out suspended', { scaleOutSuspended: true }, 2, /suspended/],
    [
      'scale-in suspended',
      { policy: cfg({ steps: IN }), above: false, breach: -5, scaleInSuspended: true },
      2,
      /suspended/,
    ],
    [
      'exact capacity',
      { policy: cfg({ adjustmentType: 'ExactCapacity', steps: [{ lower: 0, adjustment: 5 }] }) },
      5,
      /exact capacity 5/,
    ],
    [
      'percent',
      {
        current: 4,
        policy: cfg({
          adjustmentType: 'PercentChangeInCapacity',
          minAdjustmentMagnitude: 2,
          steps: [{ lower: 0, adjustment: 25 }],
        }),
      },
      6,
      /step \+25%/,
    ],
  ];
  for (const [why, o, want, reason] of rows) {
    const d = decideStep(input(o));
    t.equal(d.desired, want, why);
    t.match(d.reason, reason, why);
    t.equal(d.direction, want > (o.current ?? 2) ? 'out' : want < (o.current ?? 2) ? 'in' : 'none');
  }
});

t.test("stepsProblem: AWS's rules", async (t) => {
  const rows: [StepAdjustment[], RegExp | undefined][] = [
    [OUT, undefined],
    [IN, undefined],
    [[{ lower: 0, adjustment: 1 }], undefined],
    [[{ upper: 0, adjustment: -1 }], undefined],
    [[], /at least one/],
    [[{ adjustment: 1 }], /cannot both be null/],
    [[{ lower: 5, upper: 5, adjustment: 1 }], /less than its upper/],
    [
      [
        { lower: 0, upper: 10, adjustment: 1 },
        { lower: 20, adjustment: 2 },
      ],
      /gap/,
    ],
    [
      [
        { lower: 0, upper: 30, adjustment: 1 },
        { lower: 20, adjustment: 2 },
      ],
      /overlap/,
    ],
    [
      [
        { lower: 0, adjustment: 1 },
        { lower: 10, adjustment: 2 },
      ],
      /null upper bound/,
    ],
    [
      [
        { upper: 0, adjustment: 1 },
        { upper: -10, adjustment: 2 },
      ],
      /null lower bound/,
    ],
    [[{ lower: -10, upper: 0, adjustment: -1 }], /negative lower bound/],
    [[{ lower: 0, upper: 10, adjustment: 1 }], /positive upper bound/],
  ];
  for (const [steps, want] of rows) {
    const p = stepsProblem(steps);
    if (want) t.match(p, want, JSON.stringify(steps));
    else t.equal(p, undefined, JSON.stringify(steps));
  }
});

const rule = (o: Partial<AlarmRule> = {}): AlarmRule => ({
  threshold: 50,
  comparison: 'GreaterThanThreshold',
  evaluationPeriods: 3,
  datapointsToAlarm: 2,
  treatMissingData: 'missing',
  ...o,
});

t.test('evaluateAlarm: M of N and each TreatMissingData', async (t) => {
  const U = undefined;
  const rows: [string, Partial<AlarmRule>, (number | undefined)[], string, string][] = [
    ['2 of 3 breach', {}, [60, 40, 70], 'OK', 'ALARM'],
    ['1 of 3 breach', {}, [60, 40, 40], 'ALARM', 'OK'],
    ['at the threshold is no breach for >', {}, [50, 50, 50], 'ALARM', 'OK'],
    [
      '>= breaches at the threshold',
      { comparison: 'GreaterThanOrEqualToThreshold' },
      [50, 50, 10],
      'OK',
      'ALARM',
    ],
    ['< ', { comparison: 'LessThanThreshold' }, [10, 20, 60], 'OK', 'ALARM'],
    [
      '<= at the threshold',
      { comparison: 'LessThanOrEqualToThreshold' },
      [50, 60, 50],
      'OK',
      'ALARM',
    ],
    ['1 of 1', { evaluationPeriods: 1, datapointsToAlarm: 1 }, [51], 'OK', 'ALARM'],
    ['only the last N count', {}, [90, 90, 90, 10, 10, 10], 'ALARM', 'OK'],
    ['missing: all missing', {}, [U, U, U], 'OK', 'INSUFFICIENT_DATA'],
    ['missing: judged on what is there', {}, [U, 70, 80], 'OK', 'ALARM'],
    ['missing: too few breaching present', {}, [U, U, 80], 'ALARM', 'OK'],
    [
      'ignore: all missing keeps ALARM',
      { treatMissingData: 'ignore' },
      [U, U, U],
      'ALARM',
      'ALARM',
    ],
    ['ignore: all missing keeps OK', { treatMissingData: 'ignore' }, [U, U, U], 'OK', 'OK'],
    ['ignore: judged on what is there', { treatMissingData: 'ignore' }, [U, 70, 80], 'OK', 'ALARM'],
    ['breaching: missing breaches', { treatMissingData: 'breaching' }, [U, U, 10], 'OK', 'ALARM'],
    [
      'breaching: one missing + one breach',
      { treatMissingData: 'breaching' },
      [U, 60, 10],
      'OK',
      'ALARM',
    ],
    ['breaching: one missing alone', { treatMissingData: 'breaching' }, [U, 10, 10], 'ALARM', 'OK'],
    [
      'notBreaching: missing is fine',
      { treatMissingData: 'notBreaching' },
      [U, U, 90],
      'ALARM',
      'OK',
    ],
    [
      'notBreaching: all missing',
      { treatMissingData: 'notBreaching' },
      [U, U, U],
      'INSUFFICIENT_DATA',
      'OK',
    ],
    ['notBreaching: two breach', { treatMissingData: 'notBreaching' }, [U, 90, 90], 'OK', 'ALARM'],
    ['fewer values than periods are missing', {}, [70], 'OK', 'OK'],
  ];
  for (const [why, o, values, from, want] of rows) {
    t.equal(evaluateAlarm(rule(o), values, from as never).state, want, why);
  }
  const e = evaluateAlarm(rule(), [60, 40, 70], 'OK');
  t.same(e.recent, [70, 40, 60], 'newest first');
  t.match(
    e.reason,
    /Threshold Crossed: 2 out of the last 3 datapoints \[70, 40, 60\] were greater than the threshold \(50\)/,
  );
  t.match(evaluateAlarm(rule(), [U, U, U], 'OK').reason, /Insufficient Data/);
  t.equal(aggregate([1, 5, 3], 'Average'), 3);
  t.equal(aggregate([1, 5, 3], 'Maximum'), 5);
  t.equal(aggregate([1, 5, 3], 'Minimum'), 1);
  t.equal(aggregate([], 'Average'), undefined);
});

t.test('MetricSeries: ten-second buckets folded into any period', async (t) => {
  const m = new MetricSeries(10);
  const T = 1_700_000_000_000 - (1_700_000_000_000 % 60_000);
  m.record(T + 1000, 'c/s', { cpu: 10, memory: 5 });
  m.record(T + 2000, 'c/s', { cpu: 30, memory: 5 });
  m.record(T + 15_000, 'c/s', { cpu: 80, memory: 7 });
  m.record(T + 61_000, 'c/s', { cpu: 50, memory: 9 });
  t.same(
    m
      .datapoints('c/s', 'cpu', T, T + 120_000, 10)
      .map((d) => [d.start - T, d.average, d.sampleCount]),
    [
      [0, 20, 2],
      [10_000, 80, 1],
      [60_000, 50, 1],
    ],
  );
  t.same(
    m
      .datapoints('c/s', 'cpu', T, T + 120_000, 60)
      .map((d) => [d.start - T, d.average, d.minimum, d.maximum, d.sum]),
    [
      [0, 40, 10, 80, 120],
      [60_000, 50, 50, 50, 50],
    ],
  );
  t.same(
    m.datapoints('c/s', 'memory', T, T + 60_000, 30).map((d) => d.maximum),
    [7],
  );
  t.same(m.datapoints('c/s', 'cpu', T + 60_000, T + 120_000, 60).length, 1, 'the range bounds');
  t.same(m.datapoints('other', 'cpu', T, T + 120_000, 60), []);
  m.prune(T + 61_000 + 11 * 60_000);
  t.same(m.datapoints('c/s', 'cpu', T, T + 3_600_000, 60), [], 'pruned');
  const dims = [
    { name: 'ClusterName', value: 'c' },
    { name: 'ServiceName', value: 's' },
  ];
  t.same(ecsMetric('AWS/ECS', 'CPUUtilization', dims), { service: 'c/s', metric: 'cpu' });
  t.same(ecsMetric('AWS/ECS', 'MemoryUtilization', dims), { service: 'c/s', metric: 'memory' });
  t.equal(ecsMetric('AWS/ECS', 'CPUUtilization', dims.slice(0, 1)), undefined);
  t.equal(ecsMetric('AWS/EC2', 'CPUUtilization', dims), undefined);
  t.equal(ecsMetric('AWS/ECS', 'NetworkIn', dims), undefined);
});
