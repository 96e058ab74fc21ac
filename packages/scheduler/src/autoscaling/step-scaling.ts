/**
 * Step scaling's decision (issue 21), as Application Auto Scaling documents it: which step
 * adjustment applies to the breach (the aggregated metric minus the alarm's threshold), the
 * new count for the adjustment type (ChangeInCapacity, PercentChangeInCapacity with its
 * rounding and MinAdjustmentMagnitude, ExactCapacity), the policy's cooldown and the min/max
 * clamp; also the validation of a policy's step adjustments. Pure: no clock, no I/O. Must
 * never leave [min, max], never scale in during the policy's cooldown, and never remove
 * capacity that a step scale-out added while that scale-out's cooldown runs.
 *
 * Cooldown, as AWS words it: after a scale-out, the policy adds capacity again within its
 * cooldown only when a larger scale-out is called for, the capacity the last one added
 * counting as part of the next (the new count is computed from the count before it); a
 * scale-in is blocked until its policy's cooldown ends; a scale-out is never blocked by a
 * scale-in's cooldown.
 */

export type AdjustmentType = 'ChangeInCapacity' | 'PercentChangeInCapacity' | 'ExactCapacity';
export type MetricAggregation = 'Average' | 'Minimum' | 'Maximum';

export interface StepAdjustment {
  /** Relative to the threshold; undefined is −infinity. */
  readonly lower?: number | undefined;
  /** Relative to the threshold; undefined is +infinity. */
  readonly upper?: number | undefined;
  readonly adjustment: number;
}

export interface StepPolicyConfig {
  readonly adjustmentType: AdjustmentType;
  readonly steps: readonly StepAdjustment[];
  readonly minAdjustmentMagnitude?: number | undefined;
  /** Seconds. */
  readonly cooldown: number;
  readonly aggregation: MetricAggregation;
}

/** One run of a step policy that changed the count. */
export interface StepRun {
  readonly at: number;
  readonly from: number;
  readonly to: number;
  /** The running policy's cooldown (ms). */
  readonly cooldownMs: number;
}

export interface StepInput {
  readonly now: number;
  readonly current: number;
  readonly min: number;
  readonly max: number;
  readonly policy: StepPolicyConfig;
  /** The aggregated metric minus the threshold (0 when the alarm has no data). */
  readonly breach: number;
  /** True for a GreaterThan… alarm: the lower bound is inclusive, else the upper one. */
  readonly above: boolean;
  /** This policy's last run, if any. */
  readonly last?: StepRun | undefined;
  /** The last runs of the target's other step policies. */
  readonly others?: readonly StepRun[];
  readonly scaleOutSuspended?: boolean;
  readonly scaleInSuspended?: boolean;
}

export interface StepDecision {
  readonly desired: number;
  readonly direction: 'out' | 'in' | 'none';
  /** The step that applied, if one did. */
  readonly step?: StepAdjustment | undefined;
  readonly reason: string;
}

const inStep = (s: StepAdjustment, d: number, above: boolean): boolean => {
  const lo = s.lower ?? -Infinity;
  const hi = s.upper ?? Infinity;
  return above ? d >= lo && d < hi : d > lo && d <= hi;
};

/** The step whose interval holds `breach`, if any. */
export function selectStep(
  steps: readonly StepAdjustment[],
  breach: number,
  above: boolean,
): StepAdjustment | undefined {
  return steps.find((s) => inStep(s, breach, above));
}

/** AWS's rounding of a percentage change: toward zero, but at least one either way. */
export function roundPercentChange(delta: number): number {
  if (delta === 0) return 0;
  if (delta > 0) return delta < 1 ? 1 : Math.floor(delta);
  return delta > -1 ? -1 : Math.ceil(delta);
}

/** The count the step asks for from `base` (before the clamp). */
export function applyAdjustment(base: number, c: StepPolicyConfig, adjustment: number): number {
  switch (c.adjustmentType) {
    case 'ExactCapacity':
      return adjustment;
    case 'ChangeInCapacity':
      return base + adjustment;
    case 'PercentChangeInCapacity': {
      let delta = roundPercentChange((base * adjustment) / 100);
      const mag = c.minAdjustmentMagnitude;
      if (mag !== undefined && delta !== 0 && Math.abs(delta) < mag) {
        delta = Math.sign(delta) * mag;
      }
      return base + delta;
    }
  }
}

const clamp = (n: number, min: number, max: number): number => Math.min(max, Math.max(min, n));

const none = (current: number, reason: string, step?: StepAdjustment): StepDecision => ({
  desired: current,
  direction: 'none',
  step,
  reason,
});

const signed = (n: number): string => (n >= 0 ? `+${n}` : String(n));

/** Decides what one step policy does on one evaluation of its alarm. */
export function decideStep(i: StepInput): StepDecision {
  const { current, min, max, policy: c, now } = i;
  const step = selectStep(c.steps, i.breach, i.above);
  if (!step) return none(current, 'no step adjustment matches the breach');
  const last = i.last;
  const cooling = last !== undefined && now < last.at + last.cooldownMs;
  let wanted = applyAdjustment(current, c, step.adjustment);
  if (wanted > current) {
    if (i.scaleOutSuspended) return none(current, 'dynamic scale-out is suspended', step);
    // Within the cooldown of this policy's scale-out, what it added counts toward this one.
    if (cooling && last.to > last.from) {
      wanted = Math.max(current, applyAdjustment(last.from, c, step.adjustment));
      if (wanted <= current) {
        return none(current, 'within the cooldown: the last scale-out already added it', step);
      }
    }
  } else if (wanted < current) {
    if (i.scaleInSuspended) return none(current, 'dynamic scale-in is suspended', step);
    if (cooling) return none(current, 'a scale-in waits for the cooldown', step);
    // Capacity a step scale-out added stays while that scale-out's cooldown runs.
    const floor = [...(i.others ?? []), ...(last ? [last] : [])]
      .filter((r) => r.to > r.from && now < r.at + r.cooldownMs)
      .reduce((f, r) => Math.max(f, r.to), -Infinity);
    wanted = Math.max(wanted, floor);
    if (wanted >= current) {
      return none(current, 'capacity added by a scale-out in its cooldown stays', step);
    }
  }
  const desired = clamp(wanted, min, max);
  if (desired === current) {
    return none(current, `already at the ${desired >= max ? 'maximum' : 'minimum'} capacity`, step);
  }
  const what =
    c.adjustmentType === 'ExactCapacity'
      ? `exact capacity ${step.adjustment}`
      : c.adjustmentType === 'PercentChangeInCapacity'
        ? `${signed(step.adjustment)}%`
        : signed(step.adjustment);
  return {
    desired,
    direction: desired > current ? 'out' : 'in',
    step,
    reason: `step ${what}`,
  };
}

/**
 * Checks a policy's steps as AWS does; returns the first problem, or undefined. Ranges may
 * neither overlap nor leave a gap, at most one step has no lower and one no upper bound, a
 * negative lower bound needs an unbounded-below step and a positive upper bound an
 * unbounded-above one, and no step is unbounded on both sides.
 */
export function stepsProblem(steps: readonly StepAdjustment[]): string | undefined {
  if (steps.length === 0) return 'StepAdjustments must have at least one step adjustment.';
  for (const s of steps) {
    if (s.lower === undefined && s.upper === undefined) {
      return 'The upper and lower bound of a step adjustment cannot both be null.';
    }
    if (s.lower !== undefined && s.upper !== undefined && s.lower >= s.upper) {
      return 'The lower bound of a step adjustment must be less than its upper bound.';
    }
  }
  if (steps.filter((s) => s.lower === undefined).length > 1) {
    return 'At most one step adjustment can have a null lower bound.';
  }
  if (steps.filter((s) => s.upper === undefined).length > 1) {
    return 'At most one step adjustment can have a null upper bound.';
  }
  if (steps.some((s) => (s.lower ?? 0) < 0) && !steps.some((s) => s.lower === undefined)) {
    return 'A step adjustment has a negative lower bound: one must have a null lower bound.';
  }
  if (steps.some((s) => (s.upper ?? 0) > 0) && !steps.some((s) => s.upper === undefined)) {
    return 'A step adjustment has a positive upper bound: one must have a null upper bound.';
  }
  const sorted = [...steps].sort((a, b) => (a.lower ?? -Infinity) - (b.lower ?? -Infinity));
  for (let k = 1; k < sorted.length; k++) {
    const prev = sorted[k - 1]!.upper ?? Infinity;
    const lo = sorted[k]!.lower ?? -Infinity;
    if (lo < prev) return 'The ranges of the step adjustments overlap.';
    if (lo > prev) return 'The ranges of the step adjustments have a gap.';
  }
  return undefined;
}
