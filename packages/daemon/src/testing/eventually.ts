/**
 * The one way tests wait: `eventually` polls a condition until it holds or a deadline passes
 * (and says what it waited for when it fails); `stays` is the negative form, a bounded quiet
 * period during which a condition must keep holding. Tests must never decide anything with a
 * bare sleep.
 */

import { setTimeout as delay } from 'node:timers/promises';

/** Polling settings. */
export interface EventuallyOptions {
  /** Give up after this long (default 5000 ms). */
  readonly timeoutMs?: number;
  /** Poll interval (default 20 ms). */
  readonly intervalMs?: number;
}

/** How long a negative assertion watches by default: longer than any in-process hop. */
export const QUIET_PERIOD_MS = 300;

/**
 * Polls `check` until it returns a truthy value and returns that value. A throw counts as
 * "not yet"; after `timeoutMs` it throws an error naming `what` and the last failure.
 */
export async function eventually<T>(
  what: string,
  check: () => T | Promise<T>,
  options: EventuallyOptions = {},
): Promise<NonNullable<T>> {
  const timeoutMs = options.timeoutMs ?? 5000;
  const intervalMs = options.intervalMs ?? 20;
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v) return v as NonNullable<T>;
      last = undefined;
    } catch (error) {
      last = error;
    }
    if (Date.now() >= deadline) break;
    await delay(intervalMs);
  }
  const why = last instanceof Error ? `: ${last.message}` : last ? `: ${String(last)}` : '';
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${why}`);
}

/**
 * Checks that `check` keeps returning truthy for `periodMs` (polled every `intervalMs`);
 * throws naming `what` at the first time it does not.
 */
export async function stays(
  what: string,
  check: () => unknown,
  options: { periodMs?: number; intervalMs?: number } = {},
): Promise<void> {
  const periodMs = options.periodMs ?? QUIET_PERIOD_MS;
  const intervalMs = options.intervalMs ?? 20;
  const end = Date.now() + periodMs;
  for (;;) {
    if (!(await check())) throw new Error(`${what} stopped holding`);
    if (Date.now() >= end) return;
    await delay(intervalMs);
  }
}
