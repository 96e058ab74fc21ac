/**
 * A generic blocking-query loop: index + wait, Consul's index rules (index-rules.ts), capped
 * exponential backoff with jitter on errors, abortable, and events instead of logs.
 * Must never log, never throw out of the loop, and never spin: every retry waits.
 */
import { EventEmitter } from 'node:events';
import type { QueryResult } from './adapters/client.js';
import { type BackoffOptions, backoffDelay, sleep } from '@berth/daemon';
import { ConsulAbortedError, ConsulIndexError } from './errors.js';
import { nextIndex } from './core/index-rules.js';

/** Options of BlockingWatch. */
export interface BlockingWatchOptions<T> {
  /** Names the watch in events (e.g. `health/state/any`). */
  readonly name: string;
  /** One blocking read at `index` (0n: answer at once) for at most `waitMs`. */
  readonly fetch: (q: {
    index: bigint;
    waitMs: number;
    signal: AbortSignal;
  }) => Promise<QueryResult<T>>;
  /** Consul `wait` in ms (default 60000). */
  readonly waitMs?: number;
  readonly backoff?: BackoffOptions;
  /** Random source for the jitter (tests pass a seeded one). */
  readonly random?: () => number;
  /** Stops the watch when aborted. */
  readonly signal?: AbortSignal;
}

/** Payload of the `change` event. */
export interface WatchChange<T> {
  readonly data: T;
  readonly index: bigint;
  /** True when the index went backwards (Consul's data regressed or restarted). */
  readonly reset: boolean;
}

/** Payload of the `failure` event: one failed request; the loop retries after `delayMs`. */
export interface WatchFailure {
  readonly name: string;
  readonly error: Error;
  readonly attempt: number;
  readonly delayMs: number;
}

/** Payload of the `recovered` event: the first success after failures. */
export interface WatchRecovery {
  readonly name: string;
  readonly failedSince: number;
  readonly attempts: number;
}

/** Events: `change` (WatchChange), `failure` (WatchFailure), `recovered` (WatchRecovery), `end`. */
export interface BlockingWatchEvents<T> {
  change: [WatchChange<T>];
  failure: [WatchFailure];
  recovered: [WatchRecovery];
  end: [];
}

// A blocking query answering this fast with an unchanged index did not block; pause so that a
// server ignoring `index` cannot make us spin.
const MIN_SAME_INDEX_MS = 20;
const SAME_INDEX_PAUSE_MS = 100;

/**
 * Runs `fetch` in a loop from the moment it is created until close() or the signal aborts.
 * After an error the next request is sent with index 0, so a restarted Consul is noticed at
 * once (a lower index then reads as a reset) instead of after a full wait.
 */
export class BlockingWatch<T> extends EventEmitter<BlockingWatchEvents<T>> {
  readonly name: string;
  #index = 0n;
  #lastSeen: bigint | undefined;
  #failedSince: number | undefined;
  #lastError: Error | undefined;
  #attempts = 0;
  readonly #abort = new AbortController();
  readonly #opts: BlockingWatchOptions<T>;
  readonly done: Promise<void>;

  constructor(options: BlockingWatchOptions<T>) {
    super();
    this.name = options.name;
    this.#opts = options;
    const outer = options.signal;
    if (outer) {
      if (outer.aborted) this.#abort.abort();
      else outer.addEventListener('abort', () => this.#abort.abort(), { once: true });
    }
    // Start on the next tick so callers can attach listeners first.
    this.done = new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.#run());
  }

  /** The last index a change was seen at (undefined before the first answer). */
  get index(): bigint | undefined {
    return this.#lastSeen;
  }

  /** Wall-clock ms of the first failure of the current failure streak, else undefined. */
  get failedSince(): number | undefined {
    return this.#failedSince;
  }

  /** The error of the latest failed request (kept after recovery). */
  get lastError(): Error | undefined {
    return this.#lastError;
  }

  /** Stop the loop and abort the request in flight. */
  close(): void {
    this.#abort.abort();
  }

  async #run(): Promise<void> {
    const signal = this.#abort.signal;
    const waitMs = this.#opts.waitMs ?? 60_000;
    while (!signal.aborted) {
      const started = Date.now();
      const sent = this.#index;
      try {
        const r = await this.#opts.fetch({ index: sent, waitMs, signal });
        const step = nextIndex(sent, r.index);
        if (step.kind === 'error') throw new ConsulIndexError(`${this.name}: ${step.reason}`);
        if (this.#failedSince !== undefined) {
          const failedSince = this.#failedSince;
          const attempts = this.#attempts;
          this.#failedSince = undefined;
          this.#attempts = 0;
          this.emit('recovered', { name: this.name, failedSince, attempts });
        }
        const got = r.index as bigint;
        const previous = this.#lastSeen;
        if (step.kind === 'reset') {
          // Blocked at a higher index and got a lower one: data regressed. Ask again from 0.
          this.#index = 0n;
          this.#lastSeen = got;
          this.emit('change', { data: r.body, index: got, reset: true });
        } else if (previous === undefined || got !== previous) {
          this.#index = got;
          this.#lastSeen = got;
          this.emit('change', {
            data: r.body,
            index: got,
            reset: previous !== undefined && got < previous,
          });
        } else {
          this.#index = got;
          if (sent === got && Date.now() - started < MIN_SAME_INDEX_MS) {
            await sleep(SAME_INDEX_PAUSE_MS, signal);
          }
        }
      } catch (e) {
        if (signal.aborted || e instanceof ConsulAbortedError) break;
        const error = e instanceof Error ? e : new Error(String(e));
        this.#attempts += 1;
        this.#failedSince ??= Date.now();
        this.#lastError = error;
        this.#index = 0n;
        const delayMs = backoffDelay(this.#attempts, this.#opts.backoff, this.#opts.random);
        this.emit('failure', { name: this.name, error, attempt: this.#attempts, delayMs });
        await sleep(delayMs, signal);
      }
    }
    this.emit('end');
  }
}
