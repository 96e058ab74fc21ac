/**
 * The narrow interface the registrator needs from a service registry (the Consul agent API):
 * register, deregister, maintenance, and list. Implementations: consul-registry.ts and
 * memory-registry.ts (unit tests). Must never hold reconciliation logic.
 */

import type { CheckStatus } from '@berth/protocol';
import type { RegisteredService, ServiceRegistration } from '../types.js';

export type { RegisteredService } from '../types.js';

/**
 * What the registrator needs from Consul. Failures throw RegistryError; `retryable` is true
 * when the registry could not be reached (the call may be retried as is).
 */
export interface ServiceRegistry {
  /** Registers (or replaces, checks included) one service. */
  register(service: ServiceRegistration): Promise<void>;
  /** Removes one service and its checks; an unknown ID is not an error. */
  deregister(id: string): Promise<void>;
  /** Turns maintenance mode of a registered service on or off. */
  setMaintenance(id: string, enable: boolean, reason: string): Promise<void>;
  /** Sets the status of a TTL check (`/v1/agent/check/update/<id>`). */
  updateCheck(checkId: string, status: CheckStatus, output: string): Promise<void>;
  /** Every service of the local agent. */
  list(): Promise<RegisteredService[]>;
}
