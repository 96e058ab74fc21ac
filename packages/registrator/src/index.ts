/**
 * `@berth/registrator`: Docker containers' published ports → Consul services. Exports the
 * daemon command, the programmatic `startRegistrator`, the pure service model, the adapter
 * interfaces with their Docker, Consul and in-memory implementations, and the error classes.
 */
export { command } from './command.js';
export { registratorOptions, optionsFromConfig, type RegistratorConfig } from './options.js';
export {
  startRegistrator,
  resolveOptions,
  parseLabelFilter,
  type StartRegistratorOptions,
  type RegistratorDeps,
  type RunningRegistrator,
} from './start-registrator.js';
export type {
  RegistratorOptions,
  RegistratorEvents,
  ReconcileReport,
  WriteEvent,
  Trigger,
  DeregisterMode,
} from './registrator-types.js';
export { Registrator } from './registrator.js';
export {
  containerToServices,
  imageBaseName,
  matchesLabelFilters,
  RESERVED_META_KEYS,
  type LabelFilter,
  type MappingOptions,
  type MappingResult,
} from './container-to-services.js';
export { DEFAULT_CHECK_INTERVAL } from './build-checks.js';
export { splitTags, parseBool } from './service-metadata.js';
export { OWNER_META, registrationHash, withOwnership, type DesiredService } from './ownership.js';
export {
  CONTAINER_ACTIONS,
  type ContainerRuntime,
  type RuntimeEvent,
  type RuntimeWatch,
  type RuntimeWatchHandlers,
} from './container-runtime.js';
export type { ServiceRegistry, RegisteredService } from './service-registry.js';
export { DockerRuntime, type DockerRuntimeOptions } from './docker-runtime.js';
export { containerFromInspect, containerInfoOf } from './docker-container.js';
export { ConsulRegistry, type ConsulRegistryOptions } from './consul-registry.js';
export { MemoryRuntime } from './memory-runtime.js';
export { MemoryRegistry, type RegistryWrite } from './memory-registry.js';
export { KeyedQueue } from './keyed-queue.js';
export { defaultHostIp } from './host-ip.js';
export * from './errors.js';
export type * from './types.js';
export {
  DOCKER_HEALTH_CHECK_NAME,
  DOCKER_HEALTH_TTL,
  dockerHealthCheck,
  dockerHealthCheckId,
  dockerHealthStatus,
} from './docker-health.js';
