/**
 * In-memory fakes for tests and benchmarks of berth dns, imported as `@berth/dns/testing`;
 * never from production code.
 */
export { MemoryCatalogSource } from './memory-catalog-source.js';
