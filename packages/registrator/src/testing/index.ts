/**
 * In-memory fakes for tests and benchmarks of the registrator, imported as
 * `@berth/registrator/testing`; never from production code.
 */
export { MemoryRuntime } from './memory-runtime.js';
export { MemoryRegistry, type RegistryWrite } from './memory-registry.js';
