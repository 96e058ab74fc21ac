/**
 * Go-style durations as Consul speaks them: parse `10s`, `1500ms`, `1h30m` (and JSON numbers
 * in nanoseconds) and format nanoseconds back the way Go's `time.Duration.String` does.
 * Pure functions only; never read the clock here.
 */

const UNIT_NS: Record<string, number> = {
  ns: 1,
  us: 1e3,
  µs: 1e3,
  μs: 1e3,
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  h: 3600e9,
};

const PART = /^(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/;

/** Parses a Go duration string into nanoseconds, or returns undefined when it is not one. */
export function parseGoDuration(input: string): number | undefined {
  let s = input.trim();
  if (s === '') return undefined;
  let sign = 1;
  if (s[0] === '-' || s[0] === '+') {
    if (s[0] === '-') sign = -1;
    s = s.slice(1);
  }
  if (s === '0') return 0;
  if (s === '') return undefined;
  let total = 0;
  while (s.length > 0) {
    const m = PART.exec(s);
    if (!m) return undefined;
    const value = Number(m[1]);
    const unit = UNIT_NS[m[2] as string] as number;
    total += value * unit;
    s = s.slice(m[0].length);
  }
  return sign * Math.round(total);
}

function trimNumber(x: number): string {
  return Number(x.toFixed(9)).toString();
}

/** Formats nanoseconds as Go's `Duration.String` does: `0s`, `500ms`, `1m30s`, `1h0m0s`. */
export function formatGoDuration(ns: number): string {
  if (!Number.isFinite(ns) || ns === 0) return '0s';
  const neg = ns < 0;
  let u = Math.abs(Math.round(ns));
  let out: string;
  if (u < 1e9) {
    if (u < 1e3) out = `${u}ns`;
    else if (u < 1e6) out = `${trimNumber(u / 1e3)}µs`;
    else out = `${trimNumber(u / 1e6)}ms`;
  } else {
    const h = Math.floor(u / 3600e9);
    u -= h * 3600e9;
    const m = Math.floor(u / 60e9);
    u -= m * 60e9;
    out = `${h > 0 ? `${h}h` : ''}${h > 0 || m > 0 ? `${m}m` : ''}${trimNumber(u / 1e9)}s`;
  }
  return neg ? `-${out}` : out;
}

/**
 * Reads a JSON duration field the way Consul's decoder does: a string is a Go duration, a
 * number is nanoseconds. Returns undefined for absent/empty, NaN for an invalid value.
 */
export function durationFieldNs(value: unknown): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value === 'number') return Number.isFinite(value) ? value : NaN;
  if (typeof value === 'string') return parseGoDuration(value) ?? NaN;
  return NaN;
}
