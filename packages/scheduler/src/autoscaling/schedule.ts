/**
 * Scheduled actions' schedules, as Application Auto Scaling writes them: `at(yyyy-mm-ddThh:mm:ss)`,
 * `rate(N minute|minutes|hour|hours|day|days)` and `cron(min hour day-of-month month
 * day-of-week year)` (`*`, `?`, numbers, `a-b`, lists, `/step`; day-of-week 1-7 = SUN-SAT or
 * SUN..SAT). `at` and `cron` read their times in the action's IANA `Timezone` (UTC unless
 * given; `rate` has no wall clock). Across a daylight-saving change a cron run whose local time
 * does not exist is skipped and one whose local time occurs twice runs once, at the first
 * occurrence, as AWS documents for EventBridge Scheduler (Application Auto Scaling's documents
 * say nothing); an `at` time in the gap runs at the jump (cron's rule for a skipped time).
 * Pure: parse once, then ask which runs fall in a window. Must never scan unbounded: a window
 * is capped by the caller.
 */
import { instantOf, isTimeZone, repeatsWallTime, wallClock } from './zoned-time.js';

export type Schedule =
  | { readonly kind: 'at'; readonly at: number }
  | { readonly kind: 'rate'; readonly everyMs: number }
  | {
      readonly kind: 'cron';
      readonly fields: readonly (readonly number[] | null)[];
      readonly zone: string;
    };

const MINUTE = 60_000;
const UNITS: Readonly<Record<string, number>> = {
  minute: MINUTE,
  minutes: MINUTE,
  hour: 60 * MINUTE,
  hours: 60 * MINUTE,
  day: 1440 * MINUTE,
  days: 1440 * MINUTE,
};
const DOW: Readonly<Record<string, number>> = {
  SUN: 1,
  MON: 2,
  TUE: 3,
  WED: 4,
  THU: 5,
  FRI: 6,
  SAT: 7,
};
const MON: Readonly<Record<string, number>> = Object.fromEntries(
  ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'].map(
    (m, i) => [m, i + 1],
  ),
);
/** [min, max] of each cron field: minutes, hours, day of month, month, day of week, year. */
const RANGES: readonly (readonly [number, number])[] = [
  [0, 59],
  [0, 23],
  [1, 31],
  [1, 12],
  [1, 7],
  [1970, 2199],
];

/** Thrown for a schedule berth cannot read; the message names the part. */
export class ScheduleError extends Error {
  override readonly name = 'ScheduleError';
}

function value(text: string, i: number): number {
  const names = i === 4 ? DOW : i === 3 ? MON : undefined;
  const v = names?.[text.toUpperCase()] ?? (/^\d+$/.test(text) ? Number(text) : NaN);
  const [lo, hi] = RANGES[i]!;
  if (!Number.isInteger(v) || v < lo || v > hi) {
    throw new ScheduleError(`cron field ${i + 1}: ${JSON.stringify(text)} is not in ${lo}-${hi}`);
  }
  return v;
}

/** One cron field → the sorted values it allows; null for `*` / `?`. */
function field(text: string, i: number): number[] | null {
  if (text === '*' || text === '?') return null;
  const out = new Set<number>();
  for (const part of text.split(',')) {
    const [range, stepText] = part.split('/');
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step < 1)
      throw new ScheduleError(`cron field ${i + 1}: bad step`);
    const [lo, hi] = RANGES[i]!;
    let a: number;
    let b: number;
    if (range === '*') [a, b] = [lo, hi];
    else if (range!.includes('-')) {
      const [x, y] = range!.split('-');
      [a, b] = [value(x!, i), value(y!, i)];
    } else {
      a = value(range!, i);
      b = stepText === undefined ? a : hi;
    }
    if (a > b) throw new ScheduleError(`cron field ${i + 1}: ${part} is an empty range`);
    for (let v = a; v <= b; v += step) out.add(v);
  }
  return [...out].sort((x, y) => x - y);
}

/** Parses a schedule expression whose `at` / `cron` times are local to IANA zone `zone`. */
export function parseSchedule(text: string, zone = 'UTC'): Schedule {
  if (!isTimeZone(zone)) throw new ScheduleError(`${zone} is not a known IANA time zone`);
  const at = /^at\((\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)\)$/.exec(text);
  if (at) {
    const wall = Date.parse(`${at[1]}Z`);
    if (Number.isNaN(wall)) throw new ScheduleError(`${text}: not a date`);
    return { kind: 'at', at: instantOf(wall, zone) };
  }
  const rate = /^rate\((\d+) (minutes?|hours?|days?)\)$/.exec(text);
  if (rate) {
    const n = Number(rate[1]);
    if (n < 1) throw new ScheduleError(`${text}: the rate must be at least 1`);
    return { kind: 'rate', everyMs: n * UNITS[rate[2]!]! };
  }
  const cron = /^cron\(([^)]*)\)$/.exec(text);
  if (cron) {
    const parts = cron[1]!.trim().split(/\s+/);
    if (parts.length !== 6) throw new ScheduleError(`${text}: cron takes 6 fields`);
    return { kind: 'cron', fields: parts.map((p, i) => field(p, i)), zone };
  }
  throw new ScheduleError(`${text}: expected at(...), rate(...) or cron(...)`);
}

function cronMatches(s: Schedule & { kind: 'cron' }, t: number): boolean {
  const w = wallClock(t, s.zone);
  const parts = [w.minute, w.hour, w.day, w.month, w.dow, w.year];
  if (!s.fields.every((allowed, i) => allowed === null || allowed.includes(parts[i]!))) {
    return false;
  }
  return !repeatsWallTime(t, s.zone);
}

/**
 * The latest run of `s` in (`after`, `until`], or undefined. `start` anchors a rate (its first
 * run is one period after it); the caller caps `until − after` (cron is checked per minute).
 */
export function lastRunIn(
  s: Schedule,
  after: number,
  until: number,
  start: number,
): number | undefined {
  if (until <= after) return undefined;
  switch (s.kind) {
    case 'at':
      return s.at > after && s.at <= until ? s.at : undefined;
    case 'rate': {
      if (until < start + s.everyMs) return undefined;
      const k = Math.floor((until - start) / s.everyMs);
      const t = start + k * s.everyMs;
      return t > after ? t : undefined;
    }
    case 'cron': {
      for (let t = until - (until % MINUTE); t > after; t -= MINUTE) {
        if (cronMatches(s, t)) return t;
      }
      return undefined;
    }
  }
}
