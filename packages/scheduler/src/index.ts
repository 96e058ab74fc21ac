/**
 * `@berth/scheduler`: the ECS-compatible control plane. Exports the daemon command, the
 * programmatic `startScheduler`, the simulated agent for tests and benchmarks, the SigV4
 * helpers and the error classes.
 */
export { command, schedulerOptions } from './command.js';
export {
  startScheduler,
  type StartSchedulerOptions,
  type RunningScheduler,
} from './start-scheduler.js';
export * from './errors.js';
export {
  signSigV4,
  verifySigV4,
  type AwsCredentials,
  type SignInput,
  type VerifyOptions,
} from './wire/sigv4.js';
export { parseCredentialsFile, loadCredentialsFile } from './wire/credentials.js';
export { EcsJsonClient, type EcsJsonClientOptions } from './testing/ecs-json-client.js';
export { SimulatedAgent, type SimulatedAgentOptions } from './testing/simulated-agent.js';
