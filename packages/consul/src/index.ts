/**
 * @berth/consul: the client side of Consul every berth daemon uses. Re-exports only.
 */
export * from './errors.js';
export * from './address.js';
export * from './client.js';
export * from './kv.js';
export * from './txn-ops.js';
export * from './index-rules.js';
export * from './watch.js';
export * from './snapshot.js';
export * from './snapshot-build.js';
export * from './snapshot-lines.js';
export * from './catalog-diff.js';
export * from './catalog-watch.js';
export * from './leader-lock.js';
export { FrozenMap, deepFreeze } from './frozen.js';
