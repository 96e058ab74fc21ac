/**
 * The one narrow interface between berth dns and the catalog: the latest snapshot, a
 * callback per new snapshot, and since when the source has been cut off from Consul. The
 * in-memory implementation here serves unit tests and benchmarks; consul-source.ts wraps
 * the real watch. Must never block: `current()` returns what is already there.
 */
import type { CatalogSnapshot } from '@berth/consul';

/** Where berth dns gets catalog snapshots from. */
export interface CatalogSource {
  /** The latest snapshot, or undefined before the first. */
  current(): CatalogSnapshot | undefined;
  /** Calls `cb` with every new snapshot (and at once with the current one, if any). */
  onSnapshot(cb: (snapshot: CatalogSnapshot) => void): () => void;
  /** Wall-clock ms since when the source cannot reach Consul; undefined while in sync. */
  readonly staleSince: number | undefined;
}

/** A CatalogSource fed by hand: tests and benchmarks push snapshots and staleness. */
export class MemoryCatalogSource implements CatalogSource {
  #current: CatalogSnapshot | undefined;
  #staleSince: number | undefined;
  readonly #listeners = new Set<(s: CatalogSnapshot) => void>();

  constructor(initial?: CatalogSnapshot) {
    this.#current = initial;
  }

  current(): CatalogSnapshot | undefined {
    return this.#current;
  }

  get staleSince(): number | undefined {
    return this.#staleSince;
  }

  onSnapshot(cb: (snapshot: CatalogSnapshot) => void): () => void {
    this.#listeners.add(cb);
    if (this.#current) cb(this.#current);
    return () => {
      this.#listeners.delete(cb);
    };
  }

  /** Publishes a new snapshot (and marks the source fresh). */
  set(snapshot: CatalogSnapshot): void {
    this.#current = snapshot;
    this.#staleSince = undefined;
    for (const cb of [...this.#listeners]) cb(snapshot);
  }

  /** Marks the source as cut off from Consul since `since` (default now). */
  markStale(since = Date.now()): void {
    this.#staleSince ??= since;
  }

  /** Marks the source as in sync again. */
  markFresh(): void {
    this.#staleSince = undefined;
  }
}
