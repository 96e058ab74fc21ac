/**
 * An in-memory ServiceRegistry for unit tests of the reconciler: it records every write so
 * tests can assert that nothing flapped, and can be taken down or wiped like a Consul agent
 * that restarted without state. Must never be used outside tests.
 */

import { RegistryError } from '../errors.js';
import type { RegisteredService, ServiceRegistry } from '../adapters/service-registry.js';
import type { CheckStatus } from '@berth/protocol';
import type { ServiceRegistration } from '../types.js';

/** One write the registry received. */
export interface RegistryWrite {
  readonly op: 'register' | 'deregister' | 'maintenance' | 'check';
  readonly id: string;
}

/** An in-memory service registry. */
export class MemoryRegistry implements ServiceRegistry {
  readonly services = new Map<
    string,
    { service: ServiceRegistration; maintenance: boolean; reason?: string | undefined }
  >();
  /** Status of every check that has a CheckID, by CheckID. */
  readonly checks = new Map<string, { serviceId: string; status: CheckStatus; output: string }>();
  readonly writes: RegistryWrite[] = [];
  /** When true every call fails as if Consul were unreachable. */
  down = false;
  /** Calls of list(). */
  lists = 0;

  async register(service: ServiceRegistration): Promise<void> {
    this.#check();
    this.writes.push({ op: 'register', id: service.id });
    const prev = this.services.get(service.id);
    this.services.set(service.id, { service, maintenance: prev?.maintenance ?? false });
    // Like ?replace-existing-checks: the service's checks are exactly the registered ones.
    this.#dropChecks(service.id);
    for (const c of service.checks) {
      if (c.CheckID) {
        this.checks.set(c.CheckID, {
          serviceId: service.id,
          status: c.Status ?? 'critical',
          output: '',
        });
      }
    }
  }

  async updateCheck(checkId: string, status: CheckStatus, output: string): Promise<void> {
    this.#check();
    this.writes.push({ op: 'check', id: checkId });
    const c = this.checks.get(checkId);
    if (!c) throw new RegistryError(`CheckID "${checkId}" does not have associated TTL`, false);
    c.status = status;
    c.output = output;
  }

  async deregister(id: string): Promise<void> {
    this.#check();
    this.writes.push({ op: 'deregister', id });
    this.services.delete(id);
    this.#dropChecks(id);
  }

  async setMaintenance(id: string, enable: boolean, reason?: string): Promise<void> {
    this.#check();
    this.writes.push({ op: 'maintenance', id });
    const s = this.services.get(id);
    if (!s) throw new RegistryError(`No service registered with ID "${id}"`, false);
    s.maintenance = enable;
    s.reason = enable ? reason : undefined;
  }

  async list(): Promise<RegisteredService[]> {
    this.#check();
    this.lists++;
    return [...this.services.values()].map(({ service, maintenance, reason }) => ({
      id: service.id,
      name: service.name,
      address: service.address,
      port: service.port,
      tags: service.tags,
      meta: service.meta,
      maintenance,
      maintenanceReason: reason,
      checks: Object.fromEntries(
        [...this.checks]
          .filter(([, c]) => c.serviceId === service.id)
          .map(([id, c]) => [id, c.status]),
      ),
    }));
  }

  /** Forgets every service, as a Consul agent restarted without state does. */
  wipe(): void {
    this.services.clear();
    this.checks.clear();
  }

  #dropChecks(serviceId: string): void {
    for (const [id, c] of this.checks) if (c.serviceId === serviceId) this.checks.delete(id);
  }

  #check(): void {
    if (this.down) throw new RegistryError('memory registry is down', true);
  }
}
