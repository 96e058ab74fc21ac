/**
 * The catalog's Prometheus metrics on the registry it is handed: requests by route and code,
 * blocked queries in flight, the index, writes (KV writes apart) and fsync latency. It only
 * subscribes to the catalog's events and reads gauges on scrape; it never changes state.
 */
import { Counter, Gauge, Histogram, type Registry } from '@berth/daemon';
import type { Catalog } from '../engine.js';
import type { RequestObserver } from '../adapters/http/server.js';
import type { Op } from '../core/types.js';

const KV_OPS = new Set<Op['t']>(['kv-set', 'kv-delete', 'txn']);

/** Registers the metrics and returns the request observer for the HTTP server. */
export function catalogMetrics(registry: Registry, catalog: Catalog): RequestObserver {
  const requests = new Counter({
    name: 'berth_catalog_http_requests_total',
    help: 'HTTP requests answered, by route pattern, method and status code',
    labelNames: ['route', 'method', 'code'],
    registers: [registry],
  });
  new Gauge({
    name: 'berth_catalog_blocking_queries',
    help: 'Blocking queries currently waiting for a change',
    registers: [registry],
    collect() {
      this.set(catalog.hub.size);
    },
  });
  new Gauge({
    name: 'berth_catalog_index',
    help: 'The catalog raft-like index (raised once per applied write)',
    registers: [registry],
    collect() {
      this.set(catalog.store.index);
    },
  });
  const writes = new Counter({
    name: 'berth_catalog_writes_total',
    help: 'Applied writes that changed state, by operation',
    labelNames: ['op'],
    registers: [registry],
  });
  const kvWrites = new Counter({
    name: 'berth_catalog_kv_writes_total',
    help: 'Applied KV writes (set, delete, transactions) that changed state',
    registers: [registry],
  });
  const fsync = new Histogram({
    name: 'berth_catalog_fsync_seconds',
    help: 'Latency of each write-ahead log fsync (one fsync covers a batch of writes)',
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [registry],
  });
  catalog.on('write', (t: Op['t']) => {
    writes.inc({ op: t });
    if (KV_OPS.has(t)) kvWrites.inc();
  });
  catalog.on('fsync', (seconds: number) => fsync.observe(seconds));
  return (route, method, status) => requests.inc({ route, method, code: String(status) });
}
