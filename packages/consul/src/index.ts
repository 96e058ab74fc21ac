/**
 * @berth/consul: the client side of Consul every berth daemon uses. Re-exports only.
 */
export * from './errors.js';
export * from './core/address.js';
export * from './adapters/client.js';
export * from './adapters/kv.js';
export * from './core/txn-ops.js';
export * from './core/index-rules.js';
export * from './watch.js';
export * from './core/snapshot.js';
export * from './core/snapshot-build.js';
export * from './core/snapshot-lines.js';
export * from './core/catalog-diff.js';
export * from './catalog-watch.js';
export type * from './catalog-watch-events.js';
export type * from './watch-catalog-options.js';
export * from './leader-lock.js';
export { FrozenMap, deepFreeze } from './core/frozen.js';
