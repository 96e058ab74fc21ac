/**
 * MemoryCatalogSource: a CatalogSource fed by hand, for tests and benchmarks (exported only
 * from `@berth/dns/testing`). Never used by the daemon.
 */
import type { CatalogSnapshot } from '@berth/consul';
import type { CatalogSource, StaleChange } from '../core/catalog-source.js';

/** A CatalogSource fed by hand: tests and benchmarks push snapshots and staleness. */
export class MemoryCatalogSource implements CatalogSource {
  #current: CatalogSnapshot | undefined;
  #staleSince: number | undefined;
  readonly #listeners = new Set<(s: CatalogSnapshot) => void>();
  readonly #staleListeners = new Set<(c: StaleChange) => void>();

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

  onStale(cb: (change: StaleChange) => void): () => void {
    this.#staleListeners.add(cb);
    return () => {
      this.#staleListeners.delete(cb);
    };
  }

  /** Publishes a new snapshot (and marks the source fresh). */
  set(snapshot: CatalogSnapshot): void {
    this.#current = snapshot;
    this.markFresh();
    for (const cb of [...this.#listeners]) cb(snapshot);
  }

  /** Marks the source as cut off from Consul since `since` (default now). */
  markStale(since = Date.now(), error?: Error): void {
    if (this.#staleSince !== undefined) return;
    this.#staleSince = since;
    for (const cb of [...this.#staleListeners]) cb({ stale: true, since, error });
  }

  /** Marks the source as in sync again. */
  markFresh(): void {
    const since = this.#staleSince;
    if (since === undefined) return;
    this.#staleSince = undefined;
    const staleForMs = Math.max(0, Date.now() - since);
    for (const cb of [...this.#staleListeners]) cb({ stale: false, staleForMs });
  }
}
