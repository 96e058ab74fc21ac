/**
 * In-memory fakes for tests and benchmarks of the agent, imported as `@berth/agent/testing`;
 * never from production code.
 */
export { MemoryRuntime } from './memory-runtime.js';
export { MemoryScheduler, type MemoryTask } from './memory-scheduler.js';
