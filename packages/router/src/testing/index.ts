/**
 * @berth/router/testing: in-memory fakes for tests and benchmarks. Never exported from the
 * package's main entry.
 */
export { MemoryRouteSource } from './memory-route-source.js';
export { snapshotOf, type FakeInstance } from './snapshot-of.js';
