/**
 * The options of watchCatalog (catalog-watch.ts). Types only.
 */
import type { BackoffOptions } from '@berth/daemon';

/** Options of watchCatalog. */
export interface WatchCatalogOptions {
  /** Stops the watch when aborted (same as close()). */
  signal?: AbortSignal;
  /** Consul `wait` of the two long-polls in ms (default 60000). */
  waitMs?: number;
  /** How long to wait after a wake-up for the other long-poll to wake too (default 10 ms). */
  settleMs?: number;
  /** Full per-node resync period in ms (default 300000; 0 disables). */
  resyncIntervalMs?: number;
  /** Parallel per-service / per-node fetches (default 8). */
  concurrency?: number;
  backoff?: BackoffOptions;
  /** Random source for backoff jitter. */
  random?: () => number;
  /** Datacenter name when Consul's answers carry none (default ''). */
  datacenter?: string;
}
