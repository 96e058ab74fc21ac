/**
 * The one abortable sleep, on `node:timers/promises`. It never rejects on abort: it resolves
 * early with `false`, so loops read `if (!(await sleep(ms, signal))) return;` and shutdown
 * paths need no try/catch. It must never keep a process alive past an abort.
 */

import { setTimeout as delay } from 'node:timers/promises';

/** Sleep settings. */
export interface SleepOptions {
  /** Whether the pending timer keeps the event loop alive (default true, as setTimeout). */
  readonly ref?: boolean;
}

/**
 * Resolves `true` after `ms`, or `false` as soon as `signal` aborts (at once when it already
 * has).
 */
export async function sleep(
  ms: number,
  signal?: AbortSignal,
  options: SleepOptions = {},
): Promise<boolean> {
  if (signal?.aborted) return false;
  try {
    await delay(Math.max(0, ms), undefined, { signal, ref: options.ref ?? true });
    return true;
  } catch (error) {
    if (signal?.aborted) return false;
    throw error;
  }
}
