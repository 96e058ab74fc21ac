/**
 * A per-route retry budget (Finagle's RetryBudget, Envoy's retry budgets): retries may add
 * at most `ratio` of the route's requests over the last `windowMs`, plus a small floor so a
 * quiet route can still retry. It keeps retries from amplifying an outage. Pure: the caller
 * passes the clock; no timers.
 */

const BUCKETS = 10;

/** Budget settings. */
export interface RetryBudgetOptions {
  /** Retries allowed per request, e.g. 0.2 = at most 20% extra requests. */
  readonly ratio: number;
  /** Retries always allowed per window, whatever the traffic. */
  readonly floor: number;
  readonly windowMs: number;
}

export const DEFAULT_BUDGET: RetryBudgetOptions = { ratio: 0.2, floor: 10, windowMs: 10_000 };

/** Request and retry counts over a sliding window of ten buckets. */
export class RetryBudget {
  readonly #requests = new Float64Array(BUCKETS);
  readonly #retries = new Float64Array(BUCKETS);
  #bucket = 0;
  #bucketStart = 0;

  constructor(readonly options: RetryBudgetOptions = DEFAULT_BUDGET) {}

  #advance(now: number): number {
    const width = this.options.windowMs / BUCKETS;
    if (now - this.#bucketStart < width) return this.#bucket;
    const steps = Math.min(BUCKETS, Math.floor((now - this.#bucketStart) / width));
    for (let i = 0; i < steps; i++) {
      this.#bucket = (this.#bucket + 1) % BUCKETS;
      this.#requests[this.#bucket] = 0;
      this.#retries[this.#bucket] = 0;
    }
    this.#bucketStart = now - ((now - this.#bucketStart) % width);
    return this.#bucket;
  }

  #sum(a: Float64Array): number {
    let s = 0;
    for (let i = 0; i < BUCKETS; i++) s += a[i] as number;
    return s;
  }

  /** Counts one request (not a retry). */
  request(now: number): void {
    const b = this.#advance(now);
    this.#requests[b] = (this.#requests[b] as number) + 1;
  }

  /** True when one more retry fits in the budget (nothing is spent). */
  canRetry(now: number): boolean {
    this.#advance(now);
    const allowed = this.options.floor + this.options.ratio * this.#sum(this.#requests);
    return this.#sum(this.#retries) + 1 <= allowed;
  }

  /** Spends one retry. */
  retry(now: number): void {
    const b = this.#advance(now);
    this.#retries[b] = (this.#retries[b] as number) + 1;
  }
}

/** The budget of every route, by route source; outlives table swaps. */
export class RetryBudgets {
  readonly #map = new Map<string, RetryBudget>();
  constructor(readonly options: RetryBudgetOptions = DEFAULT_BUDGET) {}

  /** The budget of `src`, created on first use. */
  get(src: string): RetryBudget {
    let b = this.#map.get(src);
    if (b === undefined) {
      b = new RetryBudget(this.options);
      this.#map.set(src, b);
    }
    return b;
  }

  /** Drops budgets of routes no longer in the table. */
  prune(live: ReadonlySet<string>): void {
    for (const k of this.#map.keys()) if (!live.has(k)) this.#map.delete(k);
  }
}
