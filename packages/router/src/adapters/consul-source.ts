/**
 * The real route source: one `watchCatalog` of the whole catalog (packages/consul) plus a
 * blocking watch of the manual route text under `--kv-path` (the key itself and any keys
 * below it, in key order, like Fabio's `fabio/config`). It only adapts events; it must never
 * build tables or log.
 */
import {
  createConsul,
  watchCatalog,
  BlockingWatch,
  type ConsulClient,
  type CatalogWatch,
} from '@berth/consul';
import type { RouteSource, RouteSourceSink } from '../core/route-source.js';

/** Options of {@link ConsulRouteSource}. */
export interface ConsulSourceOptions {
  /** Consul URL; default CONSUL_HTTP_ADDR from `env`, then http://127.0.0.1:8500. */
  readonly url?: string | undefined;
  readonly token?: string | undefined;
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** KV path of the manual routes ('' disables). */
  readonly kvPath: string;
  /** Consul `wait` of the long-polls in ms. */
  readonly waitMs?: number;
}

interface KvRow {
  Key: string;
  Value: string | null;
}

/** Catalog + KV watch source. */
export class ConsulRouteSource implements RouteSource {
  readonly consul: ConsulClient;
  #watch: CatalogWatch | undefined;
  #kv: BlockingWatch<string> | undefined;

  constructor(readonly options: ConsulSourceOptions) {
    this.consul = createConsul({ url: options.url, token: options.token, env: options.env ?? {} });
  }

  start(sink: RouteSourceSink): void {
    const waitMs = this.options.waitMs ?? 60_000;
    const watch = watchCatalog(this.consul, { waitMs });
    this.#watch = watch;
    watch.on('snapshot', (s) => sink.snapshot(s));
    watch.on('stale', (info) => sink.stale(info.since, info.error));
    watch.on('fresh', () => sink.fresh());
    const path = this.options.kvPath.replace(/\/+$/, '');
    if (path === '') return;
    const kv = new BlockingWatch<string>({
      name: `kv/${path}`,
      waitMs,
      fetch: async ({ index, waitMs: w, signal }) => {
        const r = await this.consul.kvRead(path, true, { index, waitMs: w, signal });
        const rows = (Array.isArray(r.body) ? r.body : r.body ? [r.body] : []) as KvRow[];
        const text = rows
          .filter((e) => e.Key === path || e.Key.startsWith(path + '/'))
          .sort((a, b) => (a.Key < b.Key ? -1 : a.Key > b.Key ? 1 : 0))
          // the npm client already decodes Value from base64
          .map((e) => e.Value ?? '')
          .join('\n');
        return { body: text, index: r.index, status: r.status };
      },
    });
    this.#kv = kv;
    kv.on('change', (c) => sink.manual(c.data));
  }

  async close(): Promise<void> {
    this.#watch?.close();
    this.#kv?.close();
    this.consul.close();
  }
}
