/**
 * `@berth/scheduler`: the ECS-compatible control plane. Exports the daemon command and its
 * options, the programmatic `startScheduler`, the JSON client of its API, the SigV4 helpers and
 * the error classes. Re-exports only; the simulated agent for tests and benchmarks is in
 * `@berth/scheduler/testing`, never here.
 */
export { command } from './daemon/command.js';
export { schedulerOptions } from './daemon/options.js';
export {
  startScheduler,
  type StartSchedulerOptions,
  type RunningScheduler,
} from './daemon/start.js';
export * from './errors.js';
export {
  signSigV4,
  verifySigV4,
  type AwsCredentials,
  type SignInput,
  type VerifyOptions,
} from './core/sigv4.js';
export { parseCredentialsFile, loadCredentialsFile } from './adapters/credentials-file.js';
export { EcsJsonClient, type EcsJsonClientOptions } from './client/ecs-json-client.js';
export { nextRunAfter, type NextRunOptions } from './autoscaling/next-run.js';
