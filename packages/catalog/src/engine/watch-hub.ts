/**
 * The registry of blocked queries. A waiter names the tables it reads and a predicate over a
 * change; `notify` only queues the change, and the fan-out runs later (setImmediate) in chunks,
 * so a write is acknowledged without waiting for thousands of watchers, and other I/O runs
 * between chunks. Every waiter registered when a change was notified is re-evaluated after it
 * (no lost wake-up); a re-evaluation always reads the current state, so answers never go back.
 * It holds no timers and never polls: an idle waiter costs one set entry.
 */
import type { Change, Table } from '../core/types.js';

export interface Waiter {
  readonly tables: readonly Table[];
  /** True when the change may alter this waiter's result. */
  readonly concerns: (change: Change) => boolean;
  /** Re-evaluates the query; returns true when the waiter answered and is done. */
  readonly wake: () => boolean;
}

export interface WatchHubOptions {
  /** Waiters re-evaluated per event-loop turn (default 256). */
  readonly chunk?: number;
}

export class WatchHub {
  readonly #byTable = new Map<Table, Set<Waiter>>();
  readonly #all = new Set<Waiter>();
  readonly #chunk: number;
  #pending: Change[] = [];
  #draining = false;
  #idle: (() => void)[] = [];

  constructor(options: WatchHubOptions = {}) {
    this.#chunk = Math.max(1, options.chunk ?? 256);
  }

  /** Blocked queries currently waiting. */
  get size(): number {
    return this.#all.size;
  }

  /** True while queued changes have not been fanned out yet. */
  get busy(): boolean {
    return this.#draining;
  }

  add(w: Waiter): void {
    if (this.#all.has(w)) return;
    this.#all.add(w);
    for (const t of w.tables) {
      let set = this.#byTable.get(t);
      if (!set) this.#byTable.set(t, (set = new Set()));
      set.add(w);
    }
  }

  /** Removes a waiter; a no-op when it is already gone. */
  remove(w: Waiter): void {
    if (!this.#all.delete(w)) return;
    for (const t of w.tables) this.#byTable.get(t)?.delete(w);
  }

  /** Queues a change; the waiters it concerns are woken on a later turn of the event loop. */
  notify(change: Change): void {
    this.#pending.push(change);
    if (this.#draining) return;
    this.#draining = true;
    setImmediate(() => this.#pass());
  }

  /** Resolves once every change notified so far has been fanned out. */
  settled(): Promise<void> {
    if (!this.#draining) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  /** One pass over the changes queued so far, `chunk` waiters per turn. */
  #pass(): void {
    const changes = this.#pending;
    this.#pending = [];
    const candidates = new Set<Waiter>();
    for (const c of changes) {
      for (const t of c.tables) for (const w of this.#byTable.get(t) ?? []) candidates.add(w);
    }
    const list = [...candidates];
    let i = 0;
    const step = (): void => {
      const end = Math.min(i + this.#chunk, list.length);
      for (; i < end; i++) {
        const w = list[i] as Waiter;
        // Answered meanwhile (timeout, client gone, an earlier pass): nothing to do.
        if (!this.#all.has(w)) continue;
        try {
          if (changes.some((c) => w.concerns(c)) && w.wake()) this.remove(w);
        } catch {
          // A waiter must answer its own errors; one that throws is dropped, never retried.
          this.remove(w);
        }
      }
      if (i < list.length) {
        setImmediate(step);
      } else if (this.#pending.length > 0) {
        setImmediate(() => this.#pass());
      } else {
        this.#draining = false;
        const idle = this.#idle;
        this.#idle = [];
        for (const resolve of idle) resolve();
      }
    };
    step();
  }
}
