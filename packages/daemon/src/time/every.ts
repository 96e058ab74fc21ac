/**
 * The one periodic loop: run `fn`, wait `intervalMs` after it settles, run it again, until
 * the signal aborts. Runs never overlap (the wait starts when a run ends, as a `sleep` loop
 * does); a throw goes to `onError` and the loop goes on; an abort ends the wait at once, and
 * the returned promise settles only after the run in flight has. It must never reject, and
 * never start a run once the signal has aborted.
 */

import { sleep } from './sleep.js';

/** Settings of {@link every}. */
export interface EveryOptions {
  /** Stops the loop: the wait ends at once, the run in flight is awaited. */
  readonly signal: AbortSignal;
  /** Receives what a run threw (or rejected with); the loop goes on. */
  readonly onError: (error: unknown) => void;
  /** Run once at the start instead of waiting `intervalMs` first (default false). */
  readonly immediate?: boolean;
  /** Whether the pending wait keeps the event loop alive (default true, as setTimeout). */
  readonly ref?: boolean;
}

/**
 * Runs `fn` every `intervalMs` (measured from the end of one run to the start of the next)
 * until `options.signal` aborts; resolves once stopped and the last run has settled.
 * `fn` gets the signal, to end a long run early.
 */
export async function every(
  intervalMs: number,
  fn: (signal: AbortSignal) => unknown,
  options: EveryOptions,
): Promise<void> {
  const { signal, onError } = options;
  const wait = (): Promise<boolean> => sleep(intervalMs, signal, { ref: options.ref ?? true });
  if (!(options.immediate ?? false) && !(await wait())) return;
  while (!signal.aborted) {
    try {
      await fn(signal);
    } catch (error) {
      try {
        onError(error);
      } catch {
        // A failing reporter must not end the loop either.
      }
    }
    if (!(await wait())) return;
  }
}
