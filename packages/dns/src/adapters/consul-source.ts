/**
 * The CatalogSource over Consul: one `watchCatalog` of @berth/consul (two long-polls for the
 * whole catalog), whose snapshots and staleness pass through unchanged. Must never issue its
 * own Consul requests or retry on its own: the watch does that.
 */
import {
  createConsul,
  watchCatalog,
  type CatalogWatch,
  type WatchCatalogOptions,
} from '@berth/consul';
import type { CatalogSource } from '../core/catalog-source.js';

/** A CatalogSource over a live catalog watch; close() stops the watch. */
export interface ConsulCatalogSource extends CatalogSource {
  readonly watch: CatalogWatch;
  close(): void;
}

/** Options of the Consul source. */
export interface ConsulSourceOptions {
  /** Consul address (`http://127.0.0.1:8500`); default from `env`, then 127.0.0.1:8500. */
  readonly url?: string | undefined;
  readonly token?: string | undefined;
  /** Environment for CONSUL_HTTP_ADDR / CONSUL_HTTP_TOKEN (not read when omitted). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly watch?: WatchCatalogOptions;
}

/** Wraps an existing watch. */
export function catalogWatchSource(watch: CatalogWatch): ConsulCatalogSource {
  return {
    watch,
    current: () => watch.current,
    onSnapshot: (cb) => watch.onSnapshot(cb),
    get staleSince() {
      return watch.staleSince;
    },
    onStale: (cb) => {
      const stale = (e: { since: number; error: Error }): void =>
        cb({ stale: true, since: e.since, error: e.error });
      const fresh = (e: { staleForMs: number }): void =>
        cb({ stale: false, staleForMs: e.staleForMs });
      watch.on('stale', stale);
      watch.on('fresh', fresh);
      return () => {
        watch.off('stale', stale);
        watch.off('fresh', fresh);
      };
    },
    close: () => watch.close(),
  };
}

/** Starts one catalog watch against Consul and returns it as a CatalogSource. */
export function consulSource(options: ConsulSourceOptions = {}): ConsulCatalogSource {
  const consul = createConsul({ url: options.url, token: options.token, env: options.env });
  return catalogWatchSource(watchCatalog(consul, options.watch));
}
