/**
 * Retry delays and abortable sleeps. Every wait the agent makes goes through `sleep`, so
 * close() ends all of them at once. It must never sleep past an abort.
 */

import { AgentClosedError } from './errors.js';

/** Exponential backoff with ±20% jitter: attempt 1 → ~baseMs, doubling up to maxMs. */
export function backoffDelay(attempt: number, baseMs: number, maxMs: number): number {
  const raw = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(raw * (0.8 + Math.random() * 0.4));
}

/** Resolves after `ms`, or rejects with AgentClosedError when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new AgentClosedError());
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new AgentClosedError());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
