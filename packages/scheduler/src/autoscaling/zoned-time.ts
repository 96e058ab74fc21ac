/**
 * Wall-clock time in an IANA time zone, for scheduled actions' `Timezone`: the zone's local
 * fields at an instant, a local time back to an instant, and whether an instant repeats a local
 * time the zone already showed (the hour a clock goes back). Built on Node's Intl (full ICU),
 * not on a date library; pure apart from a cache of formatters. Must never guess a zone: a
 * name Intl does not know is refused.
 */

const MINUTE = 60_000;
const formats = new Map<string, Intl.DateTimeFormat>();

/** The formatter for `zone`; throws RangeError for a zone Intl does not know. */
function format(zone: string): Intl.DateTimeFormat {
  let f = formats.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      weekday: 'short',
    });
    formats.set(zone, f);
  }
  return f;
}

/**
 * True when `zone` is an IANA zone name (`Europe/Paris`, `Etc/GMT+9`, `UTC`) that this Node
 * knows. Offsets such as `+01:00` are not zone names (Application Auto Scaling refuses them).
 */
export function isTimeZone(zone: string): boolean {
  if (!/^[A-Za-z][A-Za-z0-9_+\-/]*$/.test(zone)) return false;
  try {
    format(zone);
    return true;
  } catch {
    return false;
  }
}

/** Local fields of an instant; `dow` is 1-7 = SUN-SAT as in cron. */
export interface WallClock {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly dow: number;
}

const DAYS: Readonly<Record<string, number>> = {
  Sun: 1,
  Mon: 2,
  Tue: 3,
  Wed: 4,
  Thu: 5,
  Fri: 6,
  Sat: 7,
};

function fields(t: number, zone: string): WallClock & { second: number } {
  if (zone === 'UTC') {
    // The common case, without Intl's cost (a few µs a call, a cron scan calls it per minute).
    const d = new Date(t);
    return {
      year: d.getUTCFullYear(),
      month: d.getUTCMonth() + 1,
      day: d.getUTCDate(),
      hour: d.getUTCHours(),
      minute: d.getUTCMinutes(),
      second: d.getUTCSeconds(),
      dow: d.getUTCDay() + 1,
    };
  }
  const p: Record<string, string> = {};
  for (const { type, value } of format(zone).formatToParts(t)) p[type] = value;
  return {
    year: Number(p.year),
    month: Number(p.month),
    day: Number(p.day),
    hour: Number(p.hour),
    minute: Number(p.minute),
    second: Number(p.second),
    dow: DAYS[p.weekday ?? ''] ?? 0,
  };
}

/** The local date and time `zone` shows at instant `t`. */
export function wallClock(t: number, zone: string): WallClock {
  return fields(t, zone);
}

/** The zone's offset from UTC at instant `t`, in ms (east positive). */
export function offsetAt(t: number, zone: string): number {
  const f = fields(t, zone);
  const wall = Date.UTC(f.year, f.month - 1, f.day, f.hour, f.minute, f.second);
  return wall - (t - (((t % 1000) + 1000) % 1000));
}

/**
 * The instant `zone` shows local time `wall` (its fields written as if UTC, e.g.
 * `Date.UTC(2026, 2, 8, 2, 30)`). A local time shown twice (the clock goes back) is its first
 * instant; one never shown (the clock jumps forward over it) is the instant of the jump, the
 * first one after it — as cron runs a job whose time was skipped right after the jump.
 */
export function instantOf(wall: number, zone: string): number {
  // Offsets from half a day either side cover any one transition around `wall`.
  const before = offsetAt(wall - 12 * 60 * MINUTE, zone);
  const after = offsetAt(wall + 12 * 60 * MINUTE, zone);
  const shows = (t: number): boolean => t + offsetAt(t, zone) === wall;
  const candidates = [wall - before, wall - after].filter(shows).sort((a, b) => a - b);
  if (candidates.length > 0) return candidates[0]!;
  // In a gap: the jump lies between the instant the old offset reaches `wall` (already past
  // the jump) and the one the new offset does (not yet). Bisect to the minute the zone jumps.
  let lo = Math.min(wall - before, wall - after);
  let hi = Math.max(wall - before, wall - after);
  while (hi - lo > MINUTE) {
    const mid = lo + Math.floor((hi - lo) / 2 / MINUTE) * MINUTE;
    if (mid + offsetAt(mid, zone) > wall) hi = mid;
    else lo = mid;
  }
  return hi;
}

/**
 * True when instant `t` shows a local time the zone already showed earlier (the second pass
 * through the hour a clock goes back). Looks back over one transition within six hours.
 */
export function repeatsWallTime(t: number, zone: string): boolean {
  const now = offsetAt(t, zone);
  const earlier = offsetAt(t - 6 * 60 * MINUTE, zone);
  if (earlier <= now) return false;
  const first = t - (earlier - now);
  return offsetAt(first, zone) === earlier;
}
