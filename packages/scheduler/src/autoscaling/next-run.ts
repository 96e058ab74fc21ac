/**
 * When a scheduled action runs next, for people to read (the console's scheduled actions
 * table): built on schedule.ts's parser and `lastRunIn`, with the same anchors the leader uses
 * (a rate counts from StartTime, else from the action's creation; `at` and `cron` are read in
 * the action's `timezone`, as the leader reads them). Pure and bounded: a cron is
 * looked for minute by minute over at most `horizonMs` (default 35 days); beyond it, or past
 * EndTime, the answer is undefined. Must never decide what the leader applies (that is
 * dueScheduledAction's job).
 */
import { lastRunIn, parseSchedule } from './schedule.js';

const MINUTE = 60_000;
const HORIZON_MS = 35 * 1440 * MINUTE;

export interface NextRunOptions {
  /** StartTime (ms): no run before it; a rate's anchor. */
  readonly start?: number | undefined;
  /** EndTime (ms): no run after it. */
  readonly end?: number | undefined;
  /** When the action was created (ms): a rate's anchor without StartTime. */
  readonly created?: number | undefined;
  /** How far ahead to look (ms). */
  readonly horizonMs?: number | undefined;
  /** The action's IANA Timezone (default UTC). */
  readonly timezone?: string | undefined;
}

/** The first run of `expression` after `after` (ms), or undefined (none, unreadable, too far). */
export function nextRunAfter(
  expression: string,
  after: number,
  o: NextRunOptions = {},
): number | undefined {
  let s;
  try {
    s = parseSchedule(expression, o.timezone ?? 'UTC');
  } catch {
    return undefined;
  }
  const from = o.start !== undefined ? Math.max(after, o.start - 1) : after;
  const limit = Math.min(from + (o.horizonMs ?? HORIZON_MS), o.end ?? Infinity);
  let next: number | undefined;
  if (s.kind === 'at') next = s.at > from ? s.at : undefined;
  else if (s.kind === 'rate') {
    const anchor = o.start ?? o.created ?? from;
    const k = Math.max(1, Math.floor((from - anchor) / s.everyMs) + 1);
    next = anchor + k * s.everyMs;
  } else {
    for (let t = from - (from % MINUTE) + MINUTE; t <= limit; t += MINUTE) {
      if (lastRunIn(s, t - 1, t, from) === t) {
        next = t;
        break;
      }
    }
  }
  return next !== undefined && next <= limit ? next : undefined;
}
