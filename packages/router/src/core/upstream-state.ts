/**
 * Per-upstream runtime state that outlives table swaps: outstanding requests (for `least`)
 * and passive-health ejection with a growing back-off. Mutable on purpose (a table is
 * immutable, the health of an address is not); never does I/O.
 */
import { backoffDelay } from '@berth/daemon';

/** Mutable counters of one upstream address. */
export interface UpstreamState {
  readonly key: string;
  outstanding: number;
  /** Consecutive failures; the ejection time doubles with each. */
  failures: number;
  /** Wall-clock ms until which the upstream is skipped (0 = in service). */
  ejectedUntil: number;
  ejections: number;
}

/** Ejection timing: the first ejection lasts `baseMs`, doubling per failure up to `maxMs`. */
export interface EjectionPolicy {
  readonly baseMs: number;
  readonly maxMs: number;
}

/** The state of every upstream, keyed by target key. */
export class UpstreamStates {
  readonly #map = new Map<string, UpstreamState>();
  constructor(readonly policy: EjectionPolicy = { baseMs: 1000, maxMs: 30_000 }) {}

  /** The state of `key`, created on first use. */
  get(key: string): UpstreamState {
    let s = this.#map.get(key);
    if (s === undefined) {
      s = { key, outstanding: 0, failures: 0, ejectedUntil: 0, ejections: 0 };
      this.#map.set(key, s);
    }
    return s;
  }

  /** Records a failure and ejects the upstream; returns the ejection length in ms. */
  fail(s: UpstreamState, now: number): number {
    const { baseMs, maxMs } = this.policy;
    const ms = backoffDelay(s.failures + 1, { baseMs, maxMs, jitter: 'none' });
    s.failures++;
    s.ejectedUntil = now + ms;
    s.ejections++;
    return ms;
  }

  /** Records a success: the back-off starts over. */
  succeed(s: UpstreamState): void {
    if (s.failures !== 0) s.failures = 0;
  }

  /** Drops state of keys no longer in `live` that have nothing in flight. */
  prune(live: ReadonlySet<string>): void {
    for (const [k, s] of this.#map) if (!live.has(k) && s.outstanding === 0) this.#map.delete(k);
  }

  /** Snapshot for the admin API. */
  list(): UpstreamState[] {
    return [...this.#map.values()].map((s) => ({ ...s }));
  }
}
