/**
 * The catalog's health-check runners (HTTP, TCP, TTL, script). The store creates one CheckRunner and
 * feeds it CheckSpecs; this module never touches the store itself.
 */

export {
  CHECKS_CHANNEL,
  CheckRunner,
  DEFAULT_MIN_INTERVAL_MS,
  DEFAULT_TIMEOUT_MS,
} from './check-runner.js';
export type { CheckRunnerOptions } from './check-runner.js';
export { CheckError } from './errors.js';
export { OUTPUT_MAX_BYTES, probeHttp } from './http-probe.js';
export type { HttpProbeOptions, ProbeOutcome } from './http-probe.js';
export { probeTcp, splitHostPort } from './tcp-probe.js';
export { DEFAULT_SCRIPT_TIMEOUT_MS, probeScript } from './script-probe.js';
export type { CheckResult, CheckSpec, CheckStatus } from './types.js';
