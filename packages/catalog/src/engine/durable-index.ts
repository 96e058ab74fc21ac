/**
 * Tracks how far the write-ahead log is durable and lets readers wait for it: a read must not
 * answer from a state holding writes whose fsync has not returned. It only counts indexes and
 * settles promises; it never touches the log or the state itself.
 */

interface Waiting {
  readonly index: number;
  readonly resolve: () => void;
  readonly reject: (err: Error) => void;
}

export class DurableIndex {
  #durable: number;
  #waiting: Waiting[] = [];
  #failed: Error | null = null;

  /** `start`: the index already on disk (what was replayed at start-up). */
  constructor(start: number) {
    this.#durable = start;
  }

  /** Highest index known to be on disk. */
  get value(): number {
    return this.#durable;
  }

  /** Null when `index` is durable already, else a promise settled when it is or the log fails. */
  until(index: number): Promise<void> | null {
    if (index <= this.#durable) return null;
    if (this.#failed) return Promise.reject(this.#failed);
    return new Promise((resolve, reject) => this.#waiting.push({ index, resolve, reject }));
  }

  /** The log is on disk up to `index` (the log is ordered: everything before it too). */
  advance(index: number): void {
    if (index <= this.#durable) return;
    this.#durable = index;
    if (!this.#waiting.some((w) => w.index <= index)) return;
    const ready = this.#waiting.filter((w) => w.index <= index);
    this.#waiting = this.#waiting.filter((w) => w.index > index);
    for (const w of ready) w.resolve();
  }

  /** The log failed: nothing beyond the durable index will ever be; fail every waiter. */
  fail(err: Error): void {
    this.#failed ??= err;
    const waiting = this.#waiting;
    this.#waiting = [];
    for (const w of waiting) w.reject(this.#failed);
  }
}
