/**
 * The options, triggers and events of the registrator engine (registrator.ts). Types only.
 */

import type { RuntimeEvent } from './container-runtime.js';
import type { MappingOptions } from './container-to-services.js';
import type { CheckStatus } from '@berth/protocol';
import type { MappingWarning, ServiceRegistration } from './types.js';

/** What happens to the services of a container that exited with a non-zero code. */
export type DeregisterMode = 'always' | 'on-success';

/** Options of a Registrator (the daemon's flags, parsed). */
export interface RegistratorOptions extends MappingOptions {
  /** `always` (default) or `on-success`: keep services of non-zero exits registered. */
  readonly deregister?: DeregisterMode;
  /** Also remove services named `<hostname>:...` that lack berth's ownership Meta. */
  readonly cleanup?: boolean;
  /** Full reconcile period in ms; 0 turns it off. Default 30 s. */
  readonly resyncMs?: number;
  /** Period of the cheap Consul probe that notices a Consul that lost its state; 0 = off. */
  readonly probeMs?: number;
  /** Retries of a failed Consul call; -1 retries forever (default). */
  readonly retryAttempts?: number;
  /** First retry delay in ms (doubling, capped at `retryMaxMs`). Default 1000. */
  readonly retryIntervalMs?: number;
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
