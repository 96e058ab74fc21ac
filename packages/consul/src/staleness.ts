/**
 * Whether a watch is stale: which of its sources are failing, since when the watch has been
 * stale, and the last error (kept after recovery, for /health and logs). It only keeps count:
 * the watch emits the events it returns. No I/O, no events of its own.
 */
import type { FreshInfo, StaleInfo } from './catalog-watch-events.js';

/** The failing sources of one watch. */
export class Staleness {
  readonly #failing = new Map<string, Error>();
  #since: number | undefined;
  #lastError: Error | undefined;

  /** Wall-clock ms since when the watch has been stale, else undefined. */
  get since(): number | undefined {
    return this.#since;
  }

  /** The most recent error. */
  get lastError(): Error | undefined {
    return this.#lastError;
  }

  /** Source `name` failed with `error`; returns the `stale` payload when the watch turns stale. */
  fail(name: string, error: Error): StaleInfo | undefined {
    this.#lastError = error;
    this.#failing.set(name, error);
    if (this.#since !== undefined) return undefined;
    this.#since = Date.now();
    return { since: this.#since, error };
  }

  /** The sources `names` answer again; returns the `fresh` payload once none fails. */
  recovered(...names: readonly string[]): FreshInfo | undefined {
    for (const n of names) this.#failing.delete(n);
    if (this.#failing.size > 0 || this.#since === undefined) return undefined;
    const staleSince = this.#since;
    this.#since = undefined;
    return { staleSince, staleForMs: Date.now() - staleSince };
  }
}
