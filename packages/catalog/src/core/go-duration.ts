/**
 * Go durations as Consul's HTTP API speaks them, on top of the shared parser and formatter of
 * `@berth/daemon`: nanoseconds instead of milliseconds, a bare number other than `0` is not a
 * duration (Go's `time.ParseDuration`; the shared parser reads it as seconds, which suits
 * berth's own flags), and JSON numbers in request bodies are nanoseconds. Pure; never read the
 * clock here.
 */
import { formatDuration, parseDuration } from '@berth/daemon';

const BARE_NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;

/** Parses a Go duration string into nanoseconds, or returns undefined when it is not one. */
export function parseGoDuration(input: string): number | undefined {
  const s = input.trim();
  if (BARE_NUMBER.test(s) && Number(s) !== 0) return undefined;
  const ms = parseDuration(s, 'ms');
  return ms === undefined ? undefined : Math.round(ms * 1e6);
}

/**
 * Formats nanoseconds as Go's `Duration.String` does: `0s`, `500ms`, `1m30s`, `1h0m0s`. The
 * shared formatter works in milliseconds; below one millisecond Go switches to µs and ns.
 */
export function formatGoDuration(ns: number): string {
  if (!Number.isFinite(ns) || ns === 0) return '0s';
  const abs = Math.abs(Math.round(ns));
  if (abs >= 1e6) return formatDuration(Math.round(ns) / 1e6);
  const sign = ns < 0 ? '-' : '';
  return abs < 1e3 ? `${sign}${abs}ns` : `${sign}${+(abs / 1e3).toFixed(3)}µs`;
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
