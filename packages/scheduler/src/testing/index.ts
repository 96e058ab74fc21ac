/**
 * `@berth/scheduler/testing`: what tests and benchmarks use to drive a real scheduler without
 * Docker — the simulated agent (long-polls assignments, reports container states) and, for
 * convenience, the JSON client it signs with. Never imported by production code.
 */
export { SimulatedAgent, type SimulatedAgentOptions } from './simulated-agent.js';
export { EcsJsonClient, type EcsJsonClientOptions } from '../client/ecs-json-client.js';
