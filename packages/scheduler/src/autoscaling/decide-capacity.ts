/**
 * The scaler's decision (issue 21): from a scalable target's bounds, its target-tracking
 * policies, the service's current metrics and the times of the last scaling activities, the
 * desired count and the reason, as Application Auto Scaling words it. Pure: no clock, no I/O;
 * everything it needs is in its input. Must never scale on missing data, never leave
 * [min, max], and never scale in while any policy wants more or has no data.
 *
 * Rules (AWS's target tracking, made explicit):
 * - a count outside [min, max] is brought inside first (the reason says which bound);
 * - each policy proposes `ceil(n × metric / target)`, n being the tasks the metric was
 *   measured on (default: the current count), so load measured before new tasks took their
 *   share is not multiplied by tasks that did not carry it; scale out when any proposal is
 *   above the current count (the largest wins), scale in only when every policy (that does
 *   not disable scale-in) proposes less and its metric is below `target × (1 − tolerance)`
 *   (the largest proposal wins, so no policy is driven over its target);
 * - the scale-out cooldown works as AWS documents it: while it runs, the capacity the last
 *   scale-out added counts as part of the next one (a further scale-out happens only when the
 *   measured load asks for more than the count already set), so a load step measured in two
 *   samples scales out twice within it, never beyond what the load asks;
 * - a scale-in needs every task measured (`metricTasks ≥ current`), and waits for the scale-in cooldown after the last scale-in, and for the longer of
 *   both cooldowns after the last scale-out;
 * - suspended dynamic scaling in a direction means no change in that direction.
 */

/** The three predefined metrics berth measures. */
export type PredefinedMetric =
  | 'ECSServiceAverageCPUUtilization'
  | 'ECSServiceAverageMemoryUtilization'
  | 'ALBRequestCountPerTarget';

/** One target-tracking policy as the scaler needs it. */
export interface TrackingPolicy {
  readonly name: string;
  readonly metric: PredefinedMetric;
  readonly target: number;
  readonly scaleOutCooldownMs: number;
  readonly scaleInCooldownMs: number;
  readonly disableScaleIn: boolean;
}

/** What the scaler decides from. */
export interface CapacityInput {
  readonly now: number;
  /** The service's desired count now. */
  readonly current: number;
  readonly min: number;
  readonly max: number;
  readonly policies: readonly TrackingPolicy[];
  /** The metric's current value for the service; absent: no fresh data. */
  readonly metrics: Readonly<Partial<Record<PredefinedMetric, number>>>;
  /** How many tasks the metrics were measured on (default `current`). */
  readonly metricTasks?: number | undefined;
  /** The same for one metric, when it differs (requests per target: the RUNNING tasks). */
  readonly metricTasksOf?: Readonly<Partial<Record<PredefinedMetric, number>>>;
  readonly lastScaleOutAt?: number | undefined;
  readonly lastScaleInAt?: number | undefined;
  readonly dynamicScalingInSuspended?: boolean;
  readonly dynamicScalingOutSuspended?: boolean;
  /** Fraction below the target a metric must be before scaling in (default 0.1). */
  readonly tolerance?: number;
}

/** The outcome: `desired === current` means no change. */
export interface CapacityDecision {
  readonly desired: number;
  readonly direction: 'out' | 'in' | 'none';
  /** The policy that decided, when one did. */
  readonly policy?: string | undefined;
  /** Why, in Application Auto Scaling's words (a scaling activity's Cause). */
  readonly reason: string;
}

const fmt = (v: number): string => String(Math.round(v * 100) / 100);

const none = (current: number, reason: string): CapacityDecision => ({
  desired: current,
  direction: 'none',
  reason,
});

function proposal(p: TrackingPolicy, current: number, tasks: number, value: number): number {
  if (p.target <= 0) return current;
  // At least one task serves, and a fraction of a task is a whole one.
  return Math.max(1, Math.ceil((Math.max(tasks, 1) * value) / p.target - 1e-9));
}

/** Decides the desired count of one scalable target. */
export function decideCapacity(i: CapacityInput): CapacityDecision {
  const { current, min, max, now } = i;
  if (current < min) {
    return {
      desired: min,
      direction: 'out',
      reason: `the desired count ${current} is below the minimum capacity ${min}`,
    };
  }
  if (current > max) {
    return {
      desired: max,
      direction: 'in',
      reason: `the desired count ${current} is above the maximum capacity ${max}`,
    };
  }
  if (i.policies.length === 0) return none(current, 'no scaling policy');
  const tolerance = i.tolerance ?? 0.1;
  let out: { n: number; p: TrackingPolicy; v: number } | undefined;
  let inWanted = true;
  let inAny = false;
  let inTarget: { n: number; p: TrackingPolicy; v: number } | undefined;
  let missing: string | undefined;
  let measured = Infinity;
  for (const p of i.policies) {
    const v = i.metrics[p.metric];
    if (v === undefined || !Number.isFinite(v)) {
      missing ??= `${p.name}: no data for ${p.metric}`;
      inWanted = false;
      continue;
    }
    const tasks = i.metricTasksOf?.[p.metric] ?? i.metricTasks ?? current;
    measured = Math.min(measured, tasks);
    const n = proposal(p, current, tasks, v);
    if (n > current && (!out || n > out.n)) out = { n, p, v };
    if (p.disableScaleIn) continue;
    inAny = true;
    if (n < current && v < p.target * (1 - tolerance)) {
      if (!inTarget || n > inTarget.n) inTarget = { n, p, v };
    } else {
      inWanted = false;
    }
  }
  if (out) {
    if (i.dynamicScalingOutSuspended) return none(current, 'dynamic scale-out is suspended');
    const desired = Math.min(max, out.n);
    if (desired <= current) return none(current, `already at the maximum capacity ${max}`);
    return {
      desired,
      direction: 'out',
      policy: out.p.name,
      reason:
        `monitor alarm TargetTracking-${out.p.name}-AlarmHigh in state ALARM triggered policy ` +
        `${out.p.name}: ${out.p.metric} ${fmt(out.v)} > target ${fmt(out.p.target)}`,
    };
  }
  if (missing) return none(current, missing);
  if (measured < current) {
    return none(current, 'not every task has been measured yet: no scale-in');
  }
  if (!inAny || !inWanted || !inTarget) return none(current, 'metrics within the targets');
  if (i.dynamicScalingInSuspended) return none(current, 'dynamic scale-in is suspended');
  const p = inTarget.p;
  const until = Math.max(
    (i.lastScaleInAt ?? -Infinity) + p.scaleInCooldownMs,
    (i.lastScaleOutAt ?? -Infinity) + Math.max(p.scaleInCooldownMs, p.scaleOutCooldownMs),
  );
  if (now < until) return none(current, `${p.name}: scale-in cooldown until ${until}`);
  const desired = Math.max(min, inTarget.n);
  if (desired >= current) return none(current, `already at the minimum capacity ${min}`);
  return {
    desired,
    direction: 'in',
    policy: inTarget.p.name,
    reason:
      `monitor alarm TargetTracking-${inTarget.p.name}-AlarmLow in state ALARM triggered policy ` +
      `${inTarget.p.name}: ${inTarget.p.metric} ${fmt(inTarget.v)} < target ${fmt(inTarget.p.target)}`,
  };
}
