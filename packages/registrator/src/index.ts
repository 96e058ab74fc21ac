/**
 * `@berth/registrator`: Docker containers' published ports → Consul services. Exports the
 * daemon command, the programmatic `startRegistrator`, the pure service model and diff, the
 * adapter interfaces with their Docker and Consul implementations, and the error classes.
 * Re-exports only; in-memory fakes for tests are in `@berth/registrator/testing`.
 */
export * from './errors.js';
export type * from './types.js';
export {
  containerToServices,
  imageBaseName,
  matchesLabelFilters,
  RESERVED_META_KEYS,
  type LabelFilter,
  type MappingOptions,
  type MappingResult,
} from './core/container-to-services.js';
export { DEFAULT_CHECK_INTERVAL } from './core/build-checks.js';
export { splitTags, parseBool } from './core/service-metadata.js';
export {
  OWNER_META,
  registrationHash,
  withOwnership,
  type DesiredService,
  type DesiredCheckStatus,
} from './core/ownership.js';
export {
  DOCKER_HEALTH_CHECK_NAME,
  DOCKER_HEALTH_TTL,
  dockerHealthCheck,
  dockerHealthCheckId,
  dockerHealthStatus,
} from './core/docker-health.js';
export {
  planWrites,
  applyWrite,
  type KnownService,
  type Desired,
  type Write,
  type WritePlan,
  type PlanContext,
} from './core/plan-writes.js';
export {
  desiredServices,
  eventDesire,
  knownFromListing,
  listingDiffers,
  PAUSED_REASON,
} from './core/desired-services.js';
export { reconcileOrder, type ReconcileItem } from './core/reconcile-order.js';
export { resolveSettings, parseLabelFilter, type RegistratorSettings } from './core/settings.js';
export {
  CONTAINER_ACTIONS,
  type ContainerRuntime,
  type RuntimeEvent,
  type RuntimeWatch,
  type RuntimeWatchHandlers,
} from './adapters/container-runtime.js';
export type { ServiceRegistry } from './adapters/service-registry.js';
export { DockerRuntime, type DockerRuntimeOptions } from './adapters/docker-runtime.js';
export { containerFromInspect, containerInfoOf } from './adapters/docker-container.js';
export { ConsulRegistry, type ConsulRegistryOptions } from './adapters/consul-registry.js';
export { defaultHostIp } from './adapters/host-ip.js';
export { KeyedQueue } from './keyed-queue.js';
export { Registrator } from './engine.js';
export { command } from './daemon/command.js';
export { registratorOptions, type RegistratorConfig } from './daemon/options.js';
export {
  startRegistrator,
  engineOptions,
  type StartRegistratorOptions,
  type RegistratorDeps,
  type RunningRegistrator,
} from './daemon/start.js';
