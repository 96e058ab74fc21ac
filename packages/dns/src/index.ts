/**
 * @berth/dns: `*.service.consul` answered from an in-memory, wire-form snapshot of the
 * catalog. Re-exports only.
 */
export * from './errors.js';
export * from './wire.js';
export * from './zone.js';
export * from './zone-options.js';
export * from './zone-fragments.js';
export * from './zone-assembler.js';
export * from './build-zone.js';
export * from './name-map.js';
export * from './table-builder.js';
export * from './compile-table.js';
export * from './parse-query.js';
export * from './respond.js';
export * from './resolve.js';
export * from './stats.js';
export * from './catalog-source.js';
export * from './consul-source.js';
export * from './forwarder.js';
export * from './dns-server.js';
export * from './metrics.js';
export * from './options.js';
export * from './command.js';
