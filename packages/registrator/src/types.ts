/**
 * The registrator's types, in one place: the plain data it works on (a container as the
 * runtime describes it, a service registration as the registry stores it) and the engine's
 * options, triggers and events. Types only: no behaviour here, and no Docker or Consul client
 * types (adapters convert to and from these shapes).
 */

import type { CheckStatus, ConsulAgentServiceCheck } from '@berth/protocol';
import type { RuntimeEvent } from './adapters/container-runtime.js';
import type { LabelFilter } from './core/container-to-services.js';

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

/** A service as the registry holds it. */
export interface RegisteredService {
  readonly id: string;
  readonly name: string;
  readonly address: string;
  readonly port: number;
  readonly tags: readonly string[];
  readonly meta: Readonly<Record<string, string>>;
  /** Whether the service is in maintenance mode. */
  readonly maintenance: boolean;
  /** The reason maintenance was turned on with (its check's Notes), when known. */
  readonly maintenanceReason?: string | undefined;
  /** Status of each check of the service, by CheckID (when the registry reports them). */
  readonly checks?: Readonly<Record<string, CheckStatus>>;
}

/** What happens to the services of a container that exited with a non-zero code. */
export type DeregisterMode = 'always' | 'on-success';

/**
 * Options of a Registrator. The keys are named as the daemon's flags (`--resync` is `resync`),
 * so `berth registrator` passes its config through; durations are in milliseconds.
 */
export interface RegistratorOptions {
  /** First part of every service ID and the ownership Meta (`--hostname`). */
  readonly hostname: string;
  /** Address of services published on every host address (`--ip`, else the host's). */
  readonly ip: string;
  /** Register the container IP and exposed port instead of the host's (`--internal`). */
  readonly internal?: boolean;
  /** Tags added to every service (`--tags`). */
  readonly tags?: readonly string[] | undefined;
  /** Register only containers with SERVICE_REGISTER=true (`--require-label`). */
  readonly requireLabel?: boolean;
  /** Labels a container must all carry (`--label-filter`): `k=v` or `k`, or parsed. */
  readonly labelFilter?: readonly (string | LabelFilter)[];
  /** Mirror Docker HEALTHCHECK status into a TTL check (default true). */
  readonly dockerHealth?: boolean;
  /** `always` (default) or `on-success`: keep services of non-zero exits registered. */
  readonly deregister?: DeregisterMode | string;
  /** Also remove services named `<hostname>:...` that lack berth's ownership Meta. */
  readonly cleanup?: boolean;
  /** Full reconcile period in ms; 0 turns it off. Default 30 s. */
  readonly resync?: number;
  /** Period of the cheap Consul probe that notices a Consul that lost its state; 0 = off. */
  readonly consulProbe?: number;
  /** Retries of a failed Consul call; -1 retries forever (default). */
  readonly retryAttempts?: number;
  /** First retry delay: ms, or a duration text (`1000`, `500ms`, `1s`). Default 1000. */
  readonly retryInterval?: number | string;
  /** Longest retry delay in ms. Default 5000. */
  readonly retryMaxMs?: number;
}

/** Why a sync or reconcile ran. */
export type Trigger =
  | 'start'
  | 'runtime-reconnected'
  | 'registry-reconnected'
  | 'registry-changed'
  | 'periodic'
  | 'retry'
  | 'manual'
  | `event:${string}`;

/** The outcome of one full reconcile. */
export interface ReconcileReport {
  readonly trigger: Trigger;
  readonly ms: number;
  readonly containers: number;
  readonly registered: number;
  readonly deregistered: number;
  readonly maintenance: number;
  /** Docker-health mirror checks set (changed, or re-asserted). */
  readonly health: number;
  readonly unchanged: number;
}

/** A Consul write the registrator made. */
export interface WriteEvent {
  readonly id: string;
  readonly containerId: string;
  readonly trigger: Trigger;
  /** Time of the Docker event that caused it (ms since the epoch), when one did. */
  readonly eventTime?: number | undefined;
}

/** Events a Registrator emits. */
export interface RegistratorEvents {
  register: [WriteEvent & { readonly service: ServiceRegistration }];
  deregister: [WriteEvent];
  maintenance: [WriteEvent & { readonly enable: boolean }];
  /** The Docker-health mirror check of a service was set. */
  health: [WriteEvent & { readonly checkId: string; readonly status: CheckStatus }];
  reconcile: [ReconcileReport];
  warning: [MappingWarning];
  /** A container event was received. */
  event: [RuntimeEvent];
  /** An operation failed (it is retried later by a reconcile). */
  failure: [{ readonly op: string; readonly error: unknown }];
  retry: [
    {
      readonly op: string;
      readonly attempt: number;
      readonly delayMs: number;
      readonly error: unknown;
    },
  ];
  runtime: [{ readonly connected: boolean; readonly error?: unknown }];
  registry: [{ readonly reachable: boolean; readonly error?: unknown }];
}
