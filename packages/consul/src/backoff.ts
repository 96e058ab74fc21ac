/**
 * Pure retry-delay arithmetic: exponential backoff with jitter, capped. Must never sleep or
 * keep state; callers pass the attempt number and a random source (seeded in tests).
 */

/** Backoff settings in ms. */
export interface BackoffOptions {
  /** Delay before the first retry, before jitter (default 100). */
  readonly baseMs?: number;
  /** Upper bound of any delay (default 3000: a watch must notice recovery within seconds). */
  readonly maxMs?: number;
}

/** Default backoff: 100 ms doubling to at most 3 s. */
export const DEFAULT_BACKOFF: Required<BackoffOptions> = { baseMs: 100, maxMs: 3000 };

/**
 * The delay before retry number `attempt` (1 for the first retry): "equal jitter", i.e. half of
 * min(max, base·2^(attempt-1)) plus a random share of the other half. Never 0, never above max,
 * so many watchers that lost Consul together do not return in lockstep.
 */
export function backoffDelay(
  attempt: number,
  options: BackoffOptions = {},
  random: () => number = Math.random,
): number {
  const base = options.baseMs ?? DEFAULT_BACKOFF.baseMs;
  const max = options.maxMs ?? DEFAULT_BACKOFF.maxMs;
  const n = Math.max(1, Math.floor(attempt));
  // 2^(n-1) overflows to Infinity for large n; min() keeps it at max.
  const ceiling = Math.min(max, base * 2 ** Math.min(n - 1, 52));
  const half = ceiling / 2;
  const r = Math.min(Math.max(random(), 0), 1);
  return Math.max(1, Math.round(half + r * half));
}
