/**
 * @berth/dns: `*.service.consul` answered from an in-memory, wire-form snapshot of the
 * catalog. Re-exports only; in-memory fakes for tests are in `@berth/dns/testing`.
 */
export * from './errors.js';
export * from './core/wire.js';
export * from './core/zone.js';
export * from './core/zone-options.js';
export * from './core/fragment-builder.js';
export * from './core/service-fragment.js';
export * from './core/node-fragments.js';
export * from './core/node-meta.js';
export * from './core/zone-assembler.js';
export * from './core/build-zone.js';
export * from './core/name-map.js';
export * from './core/table-builder.js';
export * from './core/compile-table.js';
export * from './core/compile-fragment.js';
export * from './core/parse-query.js';
export * from './core/respond.js';
export * from './core/write-answer.js';
export * from './core/encode-record.js';
export * from './core/splice.js';
export * from './core/resolve.js';
export * from './core/stats.js';
export * from './core/server-options.js';
export * from './core/recursor-health.js';
export * from './core/catalog-source.js';
export * from './core/query-name.js';
export * from './core/query-answer.js';
export * from './adapters/consul-source.js';
export * from './adapters/forwarder.js';
export * from './adapters/listeners.js';
export * from './adapters/recursor-client.js';
export * from './adapters/prepared-query-client.js';
export * from './engine-api.js';
export * from './engine.js';
export * from './query-lookup.js';
export * from './daemon/metrics.js';
export * from './daemon/health.js';
export * from './daemon/log-throttle.js';
export * from './daemon/options.js';
export * from './daemon/start.js';
export * from './daemon/command.js';
