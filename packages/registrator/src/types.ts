/**
 * The plain data the registrator works on: a container as the runtime describes it, and a
 * service registration as the registry stores it. No behaviour here, and no Docker or Consul
 * types: adapters convert to and from these shapes.
 */

import type { ConsulAgentServiceCheck } from '@berth/protocol';

/** One host binding of a container port. `hostIp` '' / `0.0.0.0` / `::` mean every address. */
export interface PortBinding {
  readonly hostIp: string;
  readonly hostPort: number;
}

/** One port a container exposes, with its host bindings (empty when not published). */
export interface ContainerPort {
  readonly port: number;
  readonly protocol: 'tcp' | 'udp';
  readonly bindings: readonly PortBinding[];
}

/** Docker's container states. */
export type ContainerState =
  'created' | 'running' | 'paused' | 'restarting' | 'removing' | 'exited' | 'dead';

/** What the registrator needs to know about one container (from `docker inspect`). */
export interface ContainerInfo {
  readonly id: string;
  /** The container name without Docker's leading `/`. */
  readonly name: string;
  /** The image as the container was created from it (`Config.Image`). */
  readonly image: string;
  /** `KEY=value` entries of `Config.Env`. */
  readonly env: readonly string[];
  readonly labels: Readonly<Record<string, string>>;
  readonly ports: readonly ContainerPort[];
  /** The container's own IP address ('' when it has none, e.g. host networking). */
  readonly ip: string;
  readonly state: ContainerState;
  /** Exit code of the last run (meaningful when `state` is exited or dead). */
  readonly exitCode: number;
  /** Docker health (`State.Health.Status`); undefined when the container has no HEALTHCHECK. */
  readonly health?: ContainerHealth | undefined;
}

/** Docker's health states of a container with a HEALTHCHECK. */
export type ContainerHealth = 'starting' | 'healthy' | 'unhealthy';

/** One service registration (Consul agent API shape, without berth's ownership Meta). */
export interface ServiceRegistration {
  readonly id: string;
  readonly name: string;
  readonly address: string;
  readonly port: number;
  readonly tags: readonly string[];
  readonly meta: Readonly<Record<string, string>>;
  readonly checks: readonly ConsulAgentServiceCheck[];
}

/** A malformed SERVICE_* value: the container is registered without it. */
export interface MappingWarning {
  /** Container name. */
  readonly container: string;
  /** The env var or label at fault, e.g. `SERVICE_8080_CHECK_INTERVAL`. */
  readonly key: string;
  readonly message: string;
}
