/**
 * Retry-delay arithmetic, the only backoff formula in berth: exponential from `baseMs`,
 * capped at `maxMs`, with jitter so that many clients that failed together do not return in
 * lockstep. Pure: the attempt number and a random source come in (seeded in tests); it must
 * never sleep or keep state.
 */

/** How much of each delay is random. */
export type Jitter =
  /** half fixed, half random: never below half the ceiling (AWS's "equal jitter"). */
  | 'equal'
  /** anywhere in [0, ceiling] (AWS's "full jitter"): spreads a thundering herd the most. */
  | 'full'
  /** the ceiling itself: for state machines whose delays must be reproducible. */
  | 'none';

/** Backoff settings in ms. */
export interface BackoffOptions {
  /** Delay ceiling of the first retry (default 100). */
  readonly baseMs?: number;
  /** Upper bound of any delay (default 3000). */
  readonly maxMs?: number;
  /** Default 'equal'. */
  readonly jitter?: Jitter;
}

/** Default backoff: 100 ms doubling to at most 3 s, equal jitter. */
export const DEFAULT_BACKOFF: Required<BackoffOptions> = {
  baseMs: 100,
  maxMs: 3000,
  jitter: 'equal',
};

/**
 * The delay before retry number `attempt` (1 for the first retry): a ceiling of
 * min(max, base·2^(attempt-1)), jittered as `options.jitter` says. Never below 1 ms (0 only
 * when the ceiling is 0), never above max.
 */
export function backoffDelay(
  attempt: number,
  options: BackoffOptions = {},
  random: () => number = Math.random,
): number {
  const base = options.baseMs ?? DEFAULT_BACKOFF.baseMs;
  const max = Math.max(options.maxMs ?? DEFAULT_BACKOFF.maxMs, 0);
  const n = Math.max(1, Math.floor(attempt));
  // 2^(n-1) overflows to Infinity for large n; min() keeps it at max.
  const ceiling = Math.min(max, base * 2 ** Math.min(n - 1, 52));
  if (ceiling <= 0) return 0;
  const r = Math.min(Math.max(random(), 0), 1);
  switch (options.jitter ?? DEFAULT_BACKOFF.jitter) {
    case 'none':
      return Math.round(ceiling);
    case 'full':
      return Math.max(1, Math.round(r * ceiling));
    case 'equal':
      return Math.max(1, Math.round(ceiling / 2 + (r * ceiling) / 2));
  }
}
