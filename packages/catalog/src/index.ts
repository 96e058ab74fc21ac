/**
 * `@berth/catalog`: the Consul-compatible HTTP server. Exports the daemon command, the
 * programmatic `startCatalog`, the pure store for unit tests, and the error classes.
 */
export { command, catalogOptions } from './command.js';
export { startCatalog, type StartCatalogOptions, type RunningCatalog } from './start-catalog.js';
export { Catalog, type CatalogConfig } from './catalog.js';
export { Store } from './store.js';
export * from './errors.js';
export type * from './types.js';
