/**
 * Retrying a registry call with backoff (`--retry-attempts`, `--retry-interval`). Only
 * failures marked retryable (registry unreachable) are retried; a rejected request fails at
 * once. Never sleeps past an abort: close() ends every wait.
 */

import { backoffDelay } from '@berth/consul';
import { RegistratorClosedError, RegistryError, RetryExhaustedError } from './errors.js';

/** Retry settings. */
export interface RetryOptions {
  /** Retries after the first try; -1 retries forever. */
  readonly attempts: number;
  /** Delay before the first retry in ms; later ones double up to `maxMs`. */
  readonly intervalMs: number;
  readonly maxMs: number;
  readonly signal: AbortSignal;
  /** Called before each wait. */
  readonly onRetry?: (attempt: number, delayMs: number, error: unknown) => void;
}

/** Whether an error means "try again later" rather than "this request is wrong". */
export function isRetryable(error: unknown): boolean {
  return error instanceof RegistryError ? error.retryable : true;
}

/** Resolves after `ms`, or rejects with RegistratorClosedError when `signal` aborts. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new RegistratorClosedError());
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new RegistratorClosedError());
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** Runs `fn`, retrying retryable failures as `options` say; throws RetryExhaustedError. */
export async function withRetry<T>(
  what: string,
  fn: () => Promise<T>,
  options: RetryOptions,
): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    if (options.signal.aborted) throw new RegistratorClosedError();
    try {
      return await fn();
    } catch (error) {
      if (!isRetryable(error)) throw error;
      if (options.attempts >= 0 && attempt >= options.attempts) {
        throw new RetryExhaustedError(what, attempt + 1, error);
      }
      const delay = backoffDelay(attempt + 1, {
        baseMs: options.intervalMs,
        maxMs: Math.max(options.maxMs, options.intervalMs),
      });
      options.onRetry?.(attempt + 1, delay, error);
      await sleep(delay, options.signal);
    }
  }
}
