/**
 * The one narrow interface between berth dns and the catalog: the latest snapshot, a
 * callback per new snapshot, and since when the source has been cut off from Consul (with a
 * callback when that starts and ends). The
 * real one wraps @berth/consul's watch (adapters/consul-source.ts); an in-memory one for tests
 * and benchmarks is in @berth/dns/testing. Must never block: `current()` returns what is
 * already there.
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
  /** Calls `cb` when the source loses Consul and when it is in sync again. */
  onStale(cb: (change: StaleChange) => void): () => void;
}

/** The source lost Consul (`stale`), or is in sync again after `staleForMs`. */
export type StaleChange =
  | { readonly stale: true; readonly since: number; readonly error?: Error | undefined }
  | { readonly stale: false; readonly staleForMs: number };
