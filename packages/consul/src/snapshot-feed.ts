/**
 * The latest value of a watch and the ways to wait for it: `ready()` (the first value),
 * async iteration (the current value, then each newer one; a slow consumer skips to the
 * latest), both ending when the feed closes. No I/O and no timers: the owner publishes.
 */

interface Tick {
  readonly promise: Promise<void>;
  readonly resolve: () => void;
}

function newTick(): Tick {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

/** The latest published value and its waiters. */
export class SnapshotFeed<T> {
  #current: T | undefined;
  #tick = newTick();
  #closed = false;

  /** The latest value, or undefined before the first one. */
  get current(): T | undefined {
    return this.#current;
  }

  /** Makes `value` the latest and wakes every waiter. */
  publish(value: T): void {
    this.#current = value;
    const tick = this.#tick;
    this.#tick = newTick();
    tick.resolve();
  }

  /** Ends iteration and fails `ready()` waiters that have no value yet. */
  close(): void {
    this.#closed = true;
    this.#tick.resolve();
  }

  /** The first value (at once if there is one); `closedError()` is thrown if closed first. */
  async ready(closedError: () => Error): Promise<T> {
    while (this.#current === undefined) {
      if (this.#closed) throw closedError();
      await this.#tick.promise;
    }
    return this.#current;
  }

  /** The current value first, then each new one; ends when the feed closes. */
  iterator(): AsyncIterator<T> {
    let last: T | undefined;
    return {
      next: async (): Promise<IteratorResult<T>> => {
        for (;;) {
          if (this.#closed) return { done: true, value: undefined };
          const cur = this.#current;
          if (cur !== undefined && cur !== last) {
            last = cur;
            return { done: false, value: cur };
          }
          await this.#tick.promise;
        }
      },
      return: async (): Promise<IteratorResult<T>> => ({ done: true, value: undefined }),
    };
  }
}
