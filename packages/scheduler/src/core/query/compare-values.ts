/**
 * Value parsing and ordering for the cluster query language: ECS's date formats for
 * `registeredAt` and dotted versions for `agentVersion`. Pure: must never read the clock.
 */

const DAY_MS = 86_400_000;
const DATE =
  /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,3}))?(Z|[+-]\d{2}:\d{2})?)?$/;

/**
 * Parses one of ECS's date formats (2018-06-18T22:28:28+00:00, 2018-06-18T22:28:28Z,
 * 2018-06-18T22:28:28, 2018-06-18) into a half-open [from, to) range in epoch milliseconds:
 * a date alone covers its whole UTC day, a time covers its second. Times without an offset are
 * UTC. Returns undefined for anything else, including impossible dates.
 */
export function parseQueryDate(text: string): readonly [number, number] | undefined {
  const m = DATE.exec(text);
  if (m === null) return undefined;
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  const year = Number(y);
  const month = Number(mo) - 1;
  const day = Number(d);
  const base = Date.UTC(year, month, day);
  const check = new Date(base);
  if (
    check.getUTCFullYear() !== year ||
    check.getUTCMonth() !== month ||
    check.getUTCDate() !== day
  ) {
    return undefined;
  }
  if (h === undefined) return [base, base + DAY_MS];
  const hours = Number(h);
  const minutes = Number(mi);
  const seconds = Number(s);
  if (hours > 23 || minutes > 59 || seconds > 59) return undefined;
  let offset = 0;
  if (zone !== undefined && zone !== 'Z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const [oh, om] = zone.slice(1).split(':').map(Number) as [number, number];
    if (oh > 23 || om > 59) return undefined;
    offset = sign * (oh * 60 + om) * 60_000;
  }
  const at = base + ((hours * 60 + minutes) * 60 + seconds) * 1000 - offset;
  if (frac !== undefined) {
    const ms = at + Number(frac.padEnd(3, '0'));
    return [ms, ms + 1];
  }
  return [at, at + 1000];
}

/** Parses `1.14.5` (optionally `v1.14.5`, with a `-suffix` ignored) into numbers. */
export function parseVersion(text: string): number[] | undefined {
  const m = /^v?(\d{1,9}(?:\.\d{1,9}){0,3})(?:[-+][0-9A-Za-z.-]*)?$/.exec(text);
  if (m === null) return undefined;
  return m[1]!.split('.').map(Number);
}

/** Orders two parsed versions; missing components count as 0 (1.14 == 1.14.0). */
export function compareVersions(a: readonly number[], b: readonly number[]): number {
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return 0;
}

/**
 * Orders two attribute values: numerically when both are decimal numbers, else by code units.
 */
export function compareAttribute(a: string, b: string): number {
  const x = NUMBER.test(a) ? Number(a) : NaN;
  const y = NUMBER.test(b) ? Number(b) : NaN;
  if (!Number.isNaN(x) && !Number.isNaN(y)) return x < y ? -1 : x > y ? 1 : 0;
  return a < b ? -1 : a > b ? 1 : 0;
}

const NUMBER = /^-?\d+(?:\.\d+)?$/;
