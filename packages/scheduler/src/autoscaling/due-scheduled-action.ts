/**
 * Which scheduled action fires now for one scalable target, and the bounds it leaves: the
 * action whose latest run falls in (what was already applied, now] — looking back at most an
 * hour (a leader that was away does not replay a day of runs) and never before the action
 * existed — within its StartTime/EndTime; the latest run wins. Pure.
 */
import { lastRunIn, parseSchedule } from './schedule.js';

export interface ScheduledActionRecord {
  readonly name: string;
  readonly id: string;
  readonly schedule: string;
  /** IANA zone of the schedule's `at` / `cron` times; absent = UTC. */
  readonly timezone?: string | undefined;
  readonly start?: number | undefined;
  readonly end?: number | undefined;
  readonly min?: number | undefined;
  readonly max?: number | undefined;
  readonly created: number;
}

const LOOKBACK_MS = 60 * 60_000;

/** The action to apply now and when it was due, or undefined. */
export function dueScheduledAction(
  actions: readonly ScheduledActionRecord[],
  through: number,
  now: number,
): { action: ScheduledActionRecord; at: number } | undefined {
  let best: { action: ScheduledActionRecord; at: number } | undefined;
  for (const a of actions) {
    if (a.start !== undefined && now < a.start) continue;
    let s;
    try {
      s = parseSchedule(a.schedule, a.timezone);
    } catch {
      continue; // checked at PutScheduledAction; a foreign record is skipped
    }
    const after = Math.max(through, now - LOOKBACK_MS, a.created - 1);
    const until = a.end !== undefined ? Math.min(now, a.end) : now;
    const at = lastRunIn(s, after, until, a.start ?? a.created);
    if (at !== undefined && (!best || at > best.at)) best = { action: a, at };
  }
  return best;
}

/** The bounds after `a`: a side it leaves out stays, and min ≤ max holds (the given side wins). */
export function boundsAfter(
  min: number,
  max: number,
  a: Pick<ScheduledActionRecord, 'min' | 'max'>,
): { min: number; max: number } {
  let nmin = a.min ?? min;
  let nmax = a.max ?? max;
  if (nmin > nmax) {
    if (a.max === undefined) nmax = nmin;
    else nmin = nmax;
  }
  return { min: nmin, max: nmax };
}
