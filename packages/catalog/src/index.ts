/**
 * `@berth/catalog`: the Consul-compatible HTTP server. Exports the daemon command, the
 * programmatic `startCatalog`, the pure store for unit tests, and the error classes.
 */
export { command, catalogOptions } from './daemon/command.js';
export { startCatalog, type StartCatalogOptions, type RunningCatalog } from './daemon/start.js';
export { Catalog, type CatalogConfig } from './engine.js';
export { Store } from './core/store.js';
export * from './errors.js';
export type * from './core/types.js';
