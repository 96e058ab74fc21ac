/**
 * Per-key serial work with coalescing, plus exclusive sections. Tasks of one key (a container
 * ID) never overlap, so racing start/die events cannot interleave their Consul writes; a task
 * queued while another of the same key is still waiting is merged into it (each task reads
 * fresh state, so one pending run suffices). An exclusive section (a full reconcile) waits
 * for running tasks and holds new ones back until it ends. Never swallows a task's error: the
 * task's promise rejects with it.
 */

interface Pending {
  readonly promise: Promise<void>;
}

/** Serial per-key task runner with coalescing and exclusive sections. */
export class KeyedQueue {
  readonly #tails = new Map<string, Promise<void>>();
  readonly #waiting = new Map<string, Pending>();
  #active = 0;
  #exclusive = false;
  #exclusiveTail: Promise<void> = Promise.resolve();
  #gate: Promise<void> = Promise.resolve();
  #openGate: () => void = () => {};
  #idle: (() => void)[] = [];

  /** Number of keys with a task queued or running. */
  get size(): number {
    return this.#tails.size;
  }

  /**
   * Runs `task` after every earlier task of `key`. When a task of `key` is already waiting
   * to start, `task` is dropped and that task's promise is returned instead.
   */
  run(key: string, task: () => Promise<void>): Promise<void> {
    const waiting = this.#waiting.get(key);
    if (waiting) return waiting.promise;
    const prev = this.#tails.get(key) ?? Promise.resolve();
    const promise = prev
      .catch(() => {})
      .then(async () => {
        // Re-check after every wake-up: an exclusive section may have started meanwhile.
        while (this.#exclusive) await this.#gate;
        this.#waiting.delete(key);
        this.#active++;
        try {
          await task();
        } finally {
          this.#active--;
          if (this.#active === 0) for (const f of this.#idle.splice(0)) f();
        }
      });
    const entry: Pending = { promise };
    this.#waiting.set(key, entry);
    this.#tails.set(key, promise);
    const forget = (): void => {
      if (this.#tails.get(key) === promise) this.#tails.delete(key);
    };
    promise.then(forget, forget);
    return promise;
  }

  /** Runs `fn` while no keyed task runs; keyed tasks queued meanwhile start after it. */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.#exclusiveTail.then(async () => {
      this.#exclusive = true;
      this.#gate = new Promise<void>((resolve) => {
        this.#openGate = resolve;
      });
      try {
        while (this.#active > 0) {
          await new Promise<void>((resolve) => this.#idle.push(resolve));
        }
        return await fn();
      } finally {
        this.#exclusive = false;
        this.#openGate();
      }
    });
    this.#exclusiveTail = result.then(
      () => {},
      () => {},
    );
    return result;
  }

  /** Resolves when every task queued so far has settled. */
  async drain(): Promise<void> {
    while (this.#tails.size > 0) {
      await Promise.allSettled([...this.#tails.values()]);
    }
    await this.#exclusiveTail;
  }
}
