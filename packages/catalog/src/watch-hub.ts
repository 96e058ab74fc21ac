/**
 * The registry of blocked queries. A waiter names the tables it reads and a predicate over a
 * change; `notify` re-evaluates only the waiters a change can concern. It holds no timers and
 * never polls: an idle waiter costs one set entry (its deadline timer lives with the request).
 */
import type { Change, Table } from './types.js';

export interface Waiter {
  readonly tables: readonly Table[];
  /** True when the change may alter this waiter's result. */
  readonly concerns: (change: Change) => boolean;
  /** Re-evaluates the query; returns true when the waiter answered and is done. */
  readonly wake: () => boolean;
}

export class WatchHub {
  readonly #byTable = new Map<Table, Set<Waiter>>();
  #size = 0;

  /** Blocked queries currently waiting. */
  get size(): number {
    return this.#size;
  }

  add(w: Waiter): void {
    for (const t of w.tables) {
      let set = this.#byTable.get(t);
      if (!set) this.#byTable.set(t, (set = new Set()));
      set.add(w);
    }
    this.#size++;
  }

  /** Removes a waiter; a no-op when it is already gone. */
  remove(w: Waiter): void {
    let found = false;
    for (const t of w.tables) found = this.#byTable.get(t)?.delete(w) === true || found;
    if (found) this.#size--;
  }

  /** Wakes every waiter the change concerns; each one answered is removed. */
  notify(change: Change): void {
    const seen = new Set<Waiter>();
    for (const t of change.tables) {
      const set = this.#byTable.get(t);
      if (!set) continue;
      for (const w of [...set]) {
        if (seen.has(w)) continue;
        seen.add(w);
        if (w.concerns(change) && w.wake()) this.remove(w);
      }
    }
  }
}
