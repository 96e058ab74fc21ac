/**
 * The catalog as the console sees it: one `watchCatalog` (blocking queries, @berth/consul) for
 * the whole console process, keeping the latest snapshot and whether the watch is stale.
 * Emits only; must never write to the catalog.
 */
import { EventEmitter } from 'node:events';
import {
  type CatalogSnapshot,
  type CatalogWatch,
  type ConsulClient,
  createConsul,
  watchCatalog,
} from '@berth/consul';

export interface CatalogFeedEvents {
  /** A new snapshot. */
  change: [CatalogSnapshot];
  state: ['fresh' | 'stale', string | undefined];
}

export class CatalogFeed extends EventEmitter<CatalogFeedEvents> {
  readonly #consul: ConsulClient;
  #watch: CatalogWatch | undefined;
  snapshot: CatalogSnapshot | undefined;
  staleSince: number | undefined;

  constructor(
    url: string,
    token: string | undefined,
    readonly waitMs = 60_000,
  ) {
    super();
    this.#consul = createConsul({ url, token });
  }

  start(): this {
    const w = watchCatalog(this.#consul, { waitMs: this.waitMs });
    this.#watch = w;
    w.on('snapshot', (s) => {
      this.snapshot = s;
      if (this.staleSince !== undefined) {
        this.staleSince = undefined;
        this.emit('state', 'fresh', undefined);
      }
      this.emit('change', s);
    });
    w.on('stale', (info) => {
      this.staleSince = info.since;
      this.emit('state', 'stale', info.error.message);
    });
    w.on('fresh', () => {
      this.staleSince = undefined;
      this.emit('state', 'fresh', undefined);
    });
    return this;
  }

  get state(): 'fresh' | 'stale' | 'connecting' {
    if (this.staleSince !== undefined) return 'stale';
    return this.snapshot ? 'fresh' : 'connecting';
  }

  close(): void {
    this.#watch?.close();
    this.#consul.close();
    this.removeAllListeners();
  }
}
