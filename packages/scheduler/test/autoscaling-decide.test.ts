// Issue 21: the scaler's pure decision — target tracking up and down, cooldowns, min/max,
// DisableScaleIn, suspension, several policies, missing data → no change.
import t from 'tap';
import {
  decideCapacity,
  type CapacityInput,
  type TrackingPolicy,
} from '../src/autoscaling/decide-capacity.js';

const cpu = (o: Partial<TrackingPolicy> = {}): TrackingPolicy => ({
  name: 'cpu50',
  metric: 'ECSServiceAverageCPUUtilization',
  target: 50,
  scaleOutCooldownMs: 60_000,
  scaleInCooldownMs: 300_000,
  disableScaleIn: false,
  ...o,
});
const mem = (o: Partial<TrackingPolicy> = {}): TrackingPolicy => ({
  ...cpu(),
  name: 'mem70',
  metric: 'ECSServiceAverageMemoryUtilization',
  target: 70,
  ...o,
});
const req = (o: Partial<TrackingPolicy> = {}): TrackingPolicy => ({
  ...cpu(),
  name: 'req600',
  metric: 'ALBRequestCountPerTarget',
  target: 600,
  scaleInCooldownMs: 0,
  ...o,
});
const NOW = 1_000_000_000;
const base: CapacityInput = {
  now: NOW,
  current: 2,
  min: 1,
  max: 4,
  policies: [cpu()],
  metrics: {},
};

const cases: { name: string; input: Partial<CapacityInput>; want: [number, string] }[] = [
  { name: 'no data: no change', input: {}, want: [2, 'none'] },
  { name: 'no policy: no change', input: { policies: [] }, want: [2, 'none'] },
  {
    name: 'below min: raised to min, even without data',
    input: { current: 0 },
    want: [1, 'out'],
  },
  { name: 'above max: lowered to max', input: { current: 6 }, want: [4, 'in'] },
  {
    name: 'CPU 100% of target 50 at 2 tasks: 4',
    input: { metrics: { ECSServiceAverageCPUUtilization: 100 } },
    want: [4, 'out'],
  },
  {
    name: 'CPU 60% of 50 at 2 tasks: ceil(2.4) = 3',
    input: { metrics: { ECSServiceAverageCPUUtilization: 60 } },
    want: [3, 'out'],
  },
  {
    name: 'capped at max',
    input: { metrics: { ECSServiceAverageCPUUtilization: 400 } },
    want: [4, 'out'],
  },
  {
    name: 'at max already: no change',
    input: { current: 4, metrics: { ECSServiceAverageCPUUtilization: 90 } },
    want: [4, 'none'],
  },
  {
    name: 'at target: no change',
    input: { metrics: { ECSServiceAverageCPUUtilization: 50 } },
    want: [2, 'none'],
  },
  {
    name: 'within tolerance below target: no scale-in',
    input: { current: 4, metrics: { ECSServiceAverageCPUUtilization: 46 } },
    want: [4, 'none'],
  },
  {
    name: 'CPU 10% at 4 tasks: ceil(0.8) = 1',
    input: { current: 4, metrics: { ECSServiceAverageCPUUtilization: 10 } },
    want: [1, 'in'],
  },
  {
    name: 'CPU 30% at 4 tasks: ceil(2.4) = 3',
    input: { current: 4, metrics: { ECSServiceAverageCPUUtilization: 30 } },
    want: [3, 'in'],
  },
  {
    name: 'scale-in floored at min',
    input: { current: 4, min: 2, metrics: { ECSServiceAverageCPUUtilization: 1 } },
    want: [2, 'in'],
  },
  {
    name: 'DisableScaleIn: no scale-in',
    input: {
      current: 4,
      policies: [cpu({ disableScaleIn: true })],
      metrics: { ECSServiceAverageCPUUtilization: 5 },
    },
    want: [4, 'none'],
  },
  {
    name: 'DisableScaleIn still scales out',
    input: {
      policies: [cpu({ disableScaleIn: true })],
      metrics: { ECSServiceAverageCPUUtilization: 80 },
    },
    want: [4, 'out'],
  },
  {
    name: 'within the scale-out cooldown: out again when the load asks for more (AWS)',
    input: {
      current: 3,
      metricTasks: 1,
      lastScaleOutAt: NOW - 30_000,
      metrics: { ECSServiceAverageCPUUtilization: 200 },
    },
    want: [4, 'out'],
  },
  {
    name: 'within the scale-out cooldown: load measured on 1 task, 3 set already → no more',
    input: {
      current: 3,
      metricTasks: 1,
      lastScaleOutAt: NOW - 30_000,
      metrics: { ECSServiceAverageCPUUtilization: 120 },
    },
    want: [3, 'none'],
  },
  {
    name: 'metric measured on fewer tasks than set: proposal from the measured ones',
    input: { current: 2, metricTasks: 1, metrics: { ECSServiceAverageCPUUtilization: 100 } },
    want: [2, 'none'],
  },
  {
    name: 'scale-in needs every task measured',
    input: { current: 4, metricTasks: 3, metrics: { ECSServiceAverageCPUUtilization: 5 } },
    want: [4, 'none'],
  },
  {
    name: 'scale-in waits for the longer cooldown after a scale-out',
    input: {
      current: 4,
      policies: [cpu({ scaleInCooldownMs: 10_000, scaleOutCooldownMs: 60_000 })],
      lastScaleOutAt: NOW - 30_000,
      metrics: { ECSServiceAverageCPUUtilization: 5 },
    },
    want: [4, 'none'],
  },
  {
    name: 'a recent scale-in does not hold a scale-out',
    input: { lastScaleInAt: NOW - 1000, metrics: { ECSServiceAverageCPUUtilization: 100 } },
    want: [4, 'out'],
  },
  {
    name: 'scale-in cooldown after a scale-in',
    input: {
      current: 4,
      lastScaleInAt: NOW - 100_000,
      metrics: { ECSServiceAverageCPUUtilization: 5 },
    },
    want: [4, 'none'],
  },
  {
    name: 'scale-in cooldown after a scale-out too',
    input: {
      current: 4,
      lastScaleOutAt: NOW - 100_000,
      metrics: { ECSServiceAverageCPUUtilization: 5 },
    },
    want: [4, 'none'],
  },
  {
    name: 'after the scale-in cooldown: in',
    input: {
      current: 4,
      lastScaleOutAt: NOW - 300_000,
      metrics: { ECSServiceAverageCPUUtilization: 5 },
    },
    want: [1, 'in'],
  },
  {
    name: 'two policies: any one scales out',
    input: {
      policies: [cpu(), mem()],
      metrics: { ECSServiceAverageCPUUtilization: 10, ECSServiceAverageMemoryUtilization: 140 },
    },
    want: [4, 'out'],
  },
  {
    name: 'two policies: scale-in only when both agree, to the larger',
    input: {
      current: 4,
      policies: [cpu(), mem()],
      metrics: { ECSServiceAverageCPUUtilization: 10, ECSServiceAverageMemoryUtilization: 35 },
    },
    want: [2, 'in'],
  },
  {
    name: 'two policies: one at target holds scale-in',
    input: {
      current: 4,
      policies: [cpu(), mem()],
      metrics: { ECSServiceAverageCPUUtilization: 10, ECSServiceAverageMemoryUtilization: 70 },
    },
    want: [4, 'none'],
  },
  {
    name: 'two policies: missing data on one holds scale-in',
    input: {
      current: 4,
      policies: [cpu(), mem()],
      metrics: { ECSServiceAverageCPUUtilization: 10 },
    },
    want: [4, 'none'],
  },
  {
    name: 'requests per target: 300 a task against 100 at 1 task → 3',
    input: {
      current: 1,
      policies: [cpu({ name: 'req', metric: 'ALBRequestCountPerTarget', target: 100 })],
      metrics: { ALBRequestCountPerTarget: 300 },
    },
    want: [3, 'out'],
  },
  {
    name: 'suspended scale-out',
    input: {
      dynamicScalingOutSuspended: true,
      metrics: { ECSServiceAverageCPUUtilization: 100 },
    },
    want: [2, 'none'],
  },
  {
    name: 'suspended scale-in',
    input: {
      current: 4,
      dynamicScalingInSuspended: true,
      metrics: { ECSServiceAverageCPUUtilization: 5 },
    },
    want: [4, 'none'],
  },
  {
    name: 'NaN is missing data',
    input: { metrics: { ECSServiceAverageCPUUtilization: Number.NaN } },
    want: [2, 'none'],
  },
  // ALBRequestCountPerTarget: requests per RUNNING task per minute, target 600.
  {
    name: 'requests: no router report is missing data',
    input: { policies: [req()], metricTasksOf: { ALBRequestCountPerTarget: 2 } },
    want: [2, 'none'],
  },
  {
    name: 'requests: 1500 per target on 2 tasks (3000 a minute) → ceil(3000 / 600) = 5, capped 4',
    input: { policies: [req()], metrics: { ALBRequestCountPerTarget: 1500 } },
    want: [4, 'out'],
  },
  {
    name: 'requests: 1500 per target on the 1 task running of 2 desired → 3',
    input: {
      policies: [req()],
      metrics: { ALBRequestCountPerTarget: 1500 },
      metricTasksOf: { ALBRequestCountPerTarget: 1 },
    },
    want: [3, 'out'],
  },
  {
    name: 'requests: zero is data, so it scales in (to min)',
    input: { current: 4, policies: [req()], metrics: { ALBRequestCountPerTarget: 0 } },
    want: [1, 'in'],
  },
  {
    name: 'requests: 250 per target on 4 → ceil(1000 / 600) = 2',
    input: { current: 4, policies: [req()], metrics: { ALBRequestCountPerTarget: 250 } },
    want: [2, 'in'],
  },
  {
    name: 'requests: within 10 % of the target, no scale-in',
    input: { current: 4, policies: [req()], metrics: { ALBRequestCountPerTarget: 560 } },
    want: [4, 'none'],
  },
  {
    name: 'requests: no scale-in while tasks of the desired count are not running yet',
    input: {
      current: 4,
      policies: [req()],
      metrics: { ALBRequestCountPerTarget: 0 },
      metricTasksOf: { ALBRequestCountPerTarget: 3 },
    },
    want: [4, 'none'],
  },
  {
    name: 'requests measured on every task do not wait for CPU samples of every task',
    input: {
      current: 4,
      policies: [req()],
      metrics: { ALBRequestCountPerTarget: 0, ECSServiceAverageCPUUtilization: 1 },
      metricTasks: 2,
      metricTasksOf: { ALBRequestCountPerTarget: 4 },
    },
    want: [1, 'in'],
  },
  {
    name: 'requests low but CPU high: CPU wins (scale out)',
    input: {
      policies: [req(), cpu()],
      metrics: { ALBRequestCountPerTarget: 10, ECSServiceAverageCPUUtilization: 80 },
    },
    want: [4, 'out'],
  },
];

for (const c of cases) {
  t.test(c.name, async (t) => {
    const d = decideCapacity({ ...base, ...c.input });
    t.same([d.desired, d.direction], c.want, d.reason);
    t.ok(d.reason.length > 0, 'a reason is given');
    if (d.direction === 'out' && c.input.metrics) t.match(d.reason, /AlarmHigh/);
  });
}
