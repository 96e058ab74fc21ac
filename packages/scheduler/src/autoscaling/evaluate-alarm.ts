/**
 * A CloudWatch metric alarm's evaluation (issue 21): from the alarm's last N periods'
 * statistic (oldest first, undefined where a period has no data), its threshold, comparison,
 * M of N (DatapointsToAlarm of EvaluationPeriods) and TreatMissingData, the state it is in
 * and the reason, worded as CloudWatch words it. Pure: no clock, no I/O.
 *
 * Missing data: `breaching` counts a missing period as breaching, `notBreaching` as not;
 * `missing` (the default) and `ignore` judge the periods that have data (ALARM when at least
 * M breach, else OK), and when no period has data `missing` goes to INSUFFICIENT_DATA while
 * `ignore` keeps the state it has.
 */

export type AlarmState = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';
export type Comparison =
  | 'GreaterThanOrEqualToThreshold'
  | 'GreaterThanThreshold'
  | 'LessThanThreshold'
  | 'LessThanOrEqualToThreshold';
export type MissingData = 'missing' | 'notBreaching' | 'breaching' | 'ignore';

export const COMPARISONS: readonly Comparison[] = [
  'GreaterThanOrEqualToThreshold',
  'GreaterThanThreshold',
  'LessThanThreshold',
  'LessThanOrEqualToThreshold',
];
export const MISSING_DATA: readonly MissingData[] = [
  'missing',
  'notBreaching',
  'breaching',
  'ignore',
];

export interface AlarmRule {
  readonly threshold: number;
  readonly comparison: Comparison;
  readonly evaluationPeriods: number;
  readonly datapointsToAlarm: number;
  readonly treatMissingData: MissingData;
}

export interface AlarmEvaluation {
  readonly state: AlarmState;
  readonly reason: string;
  /** The values that had data, newest first (StateReasonData's recentDatapoints). */
  readonly recent: readonly number[];
}

const WORDS: Record<Comparison, string> = {
  GreaterThanOrEqualToThreshold: 'greater than or equal to',
  GreaterThanThreshold: 'greater than',
  LessThanThreshold: 'less than',
  LessThanOrEqualToThreshold: 'less than or equal to',
};

/** True when `v` breaches the threshold. */
export function breaches(v: number, comparison: Comparison, threshold: number): boolean {
  switch (comparison) {
    case 'GreaterThanOrEqualToThreshold':
      return v >= threshold;
    case 'GreaterThanThreshold':
      return v > threshold;
    case 'LessThanThreshold':
      return v < threshold;
    case 'LessThanOrEqualToThreshold':
      return v <= threshold;
  }
}

/** True for the comparisons whose breach is above the threshold. */
export const isAbove = (c: Comparison): boolean => c.startsWith('Greater');

const fmt = (v: number): string => String(Math.round(v * 1000) / 1000);

/**
 * Evaluates the alarm over `values` (the last `evaluationPeriods` periods, oldest first)
 * given the state it is in.
 */
export function evaluateAlarm(
  rule: AlarmRule,
  values: readonly (number | undefined)[],
  current: AlarmState,
): AlarmEvaluation {
  const { threshold, comparison, treatMissingData: tmd } = rule;
  const m = rule.datapointsToAlarm;
  const n = rule.evaluationPeriods;
  const window = values.slice(-n);
  while (window.length < n) window.unshift(undefined);
  const present = window.filter((v): v is number => v !== undefined);
  const recent = [...present].reverse();
  const missing = n - present.length;
  const shown = `[${recent.map(fmt).join(', ')}]`;
  if (present.length === 0 && (tmd === 'missing' || tmd === 'ignore')) {
    if (tmd === 'ignore') {
      return { state: current, reason: 'No datapoints: the state is kept (ignore).', recent };
    }
    return {
      state: 'INSUFFICIENT_DATA',
      reason: `Insufficient Data: ${n} datapoint${n === 1 ? ' was' : 's were'} unknown.`,
      recent,
    };
  }
  let breaching = present.filter((v) => breaches(v, comparison, threshold)).length;
  if (tmd === 'breaching') breaching += missing;
  const judged = tmd === 'breaching' || tmd === 'notBreaching' ? n : present.length;
  const alarm = breaching >= m;
  const word = WORDS[comparison];
  const reason = alarm
    ? `Threshold Crossed: ${breaching} out of the last ${judged} datapoints ${shown} ` +
      `${breaching === 1 ? 'was' : 'were'} ${word} the threshold (${fmt(threshold)}) ` +
      `(minimum ${m} datapoint${m === 1 ? '' : 's'} for OK -> ALARM transition).`
    : `Threshold Crossed: ${judged - breaching} out of the last ${judged} datapoints ${shown} ` +
      `${judged - breaching === 1 ? 'was' : 'were'} not ${word} the threshold ` +
      `(${fmt(threshold)}) (minimum ${n - m + 1} datapoint${n - m + 1 === 1 ? '' : 's'} for ` +
      `ALARM -> OK transition).`;
  return { state: alarm ? 'ALARM' : 'OK', reason, recent };
}

/** Aggregates an alarm's recent values as a step policy's MetricAggregationType asks. */
export function aggregate(
  values: readonly number[],
  how: 'Average' | 'Minimum' | 'Maximum',
): number | undefined {
  if (values.length === 0) return undefined;
  if (how === 'Minimum') return Math.min(...values);
  if (how === 'Maximum') return Math.max(...values);
  return values.reduce((a, b) => a + b, 0) / values.length;
}
