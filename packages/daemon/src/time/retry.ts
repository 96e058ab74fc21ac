/**
 * The one retry loop: run an async call, and on a failure the caller calls retryable, wait a
 * jittered backoff and try again, up to a number of attempts or until aborted. It must never
 * retry what `retryable` refuses (a request that is wrong will stay wrong) nor sleep past an
 * abort.
 */

import { BerthError } from '../errors.js';
import { type BackoffOptions, backoffDelay } from './backoff.js';
import { sleep } from './sleep.js';

/** Retry settings. */
export interface RetryOptions extends BackoffOptions {
  /** Retries after the first try (default 3); -1 retries until aborted. */
  readonly retries?: number;
  /** Ends the waits; the loop then throws {@link RetryAbortedError}. */
  readonly signal?: AbortSignal;
  /** Whether this failure is worth another try (default: every failure is). */
  readonly retryable?: (error: unknown) => boolean;
  /** Called before each wait, e.g. to log "retrying in 200 ms". */
  readonly onRetry?: (attempt: number, delayMs: number, error: unknown) => void;
  /** Random source for the jitter (seeded in tests). */
  readonly random?: () => number;
}

/** Every allowed attempt failed; `cause` is the last failure. */
export class RetryExhaustedError extends BerthError {
  constructor(
    readonly what: string,
    readonly attempts: number,
    cause: unknown,
  ) {
    super(
      'BERTH_RETRY_EXHAUSTED',
      `${what} failed after ${attempts} attempt${attempts === 1 ? '' : 's'}: ${
        cause instanceof Error ? cause.message : String(cause)
      }`,
      { cause },
    );
  }
}

/** The signal aborted between attempts; `cause` is the last failure, if any. */
export class RetryAbortedError extends BerthError {
  constructor(
    readonly what: string,
    cause?: unknown,
  ) {
    super('BERTH_RETRY_ABORTED', `${what} was aborted`, { cause });
  }
}

/**
 * Runs `fn` (given the attempt number, 1-based) until it succeeds. A failure `retryable`
 * refuses is thrown as it is; running out of retries throws {@link RetryExhaustedError}.
 */
export async function withRetry<T>(
  what: string,
  fn: (attempt: number) => Promise<T>,
  options: RetryOptions = {},
): Promise<T> {
  const retries = options.retries ?? 3;
  let last: unknown;
  for (let attempt = 1; ; attempt++) {
    if (options.signal?.aborted) throw new RetryAbortedError(what, last);
    try {
      return await fn(attempt);
    } catch (error) {
      last = error;
      if (options.retryable && !options.retryable(error)) throw error;
      if (retries >= 0 && attempt > retries) throw new RetryExhaustedError(what, attempt, error);
      const delayMs = backoffDelay(attempt, options, options.random);
      options.onRetry?.(attempt, delayMs, error);
      if (!(await sleep(delayMs, options.signal))) throw new RetryAbortedError(what, error);
    }
  }
}
