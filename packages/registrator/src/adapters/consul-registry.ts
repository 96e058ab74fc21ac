/**
 * ServiceRegistry on the Consul agent HTTP API, through @berth/consul's typed agent calls.
 * Registration replaces the service's checks (`?replace-existing-checks`), so a changed check
 * never lingers. The only file that talks to Consul; it must never decide what to register,
 * and never put the token in an error.
 */

import {
  type ConsulClient,
  ConsulHttpError,
  ConsulUnreachableError,
  createConsul,
} from '@berth/consul';
import { RegistryError } from '../errors.js';
import type { RegisteredService, ServiceRegistry } from './service-registry.js';
import type { CheckStatus, ConsulAgentService, ConsulHealthCheck } from '@berth/protocol';
import type { ServiceRegistration } from '../types.js';

/** Options of ConsulRegistry. */
export interface ConsulRegistryOptions {
  /** `http(s)://host:port` or `host:port`; default CONSUL_HTTP_ADDR from `env`, then 127.0.0.1:8500. */
  readonly url?: string | undefined;
  /** ACL token; default CONSUL_HTTP_TOKEN from `env`. */
  readonly token?: string | undefined;
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Timeout of one request in ms (default 5000). */
  readonly requestTimeoutMs?: number;
}

const MAINTENANCE_CHECK = '_service_maintenance:';
const STATUSES: ReadonlySet<string> = new Set(['passing', 'warning', 'critical']);

function wrap(op: string, err: unknown): RegistryError {
  if (err instanceof RegistryError) return err;
  if (err instanceof ConsulUnreachableError) {
    return new RegistryError(`${op}: ${err.message}`, true, { cause: err });
  }
  if (err instanceof ConsulHttpError) {
    // 5xx (and 429) may pass; 4xx means the request itself is wrong.
    const retryable = err.status >= 500 || err.status === 429;
    return new RegistryError(`${op}: ${err.message}`, retryable, { cause: err });
  }
  const msg = err instanceof Error ? err.message : String(err);
  return new RegistryError(`${op}: ${msg}`, true, { cause: err });
}

/** The Consul agent API as a ServiceRegistry. */
export class ConsulRegistry implements ServiceRegistry {
  readonly client: ConsulClient;

  constructor(options: ConsulRegistryOptions = {}) {
    this.client = createConsul({
      url: options.url,
      token: options.token,
      env: options.env ?? {},
      requestTimeoutMs: options.requestTimeoutMs ?? 5000,
    });
  }

  /** `http(s)://host:port` of the Consul API. */
  get url(): string {
    return this.client.url;
  }

  async register(service: ServiceRegistration): Promise<void> {
    try {
      await this.client.agentServiceRegister(
        {
          ID: service.id,
          Name: service.name,
          Tags: service.tags,
          Address: service.address,
          Port: service.port,
          Meta: service.meta,
          Checks: service.checks,
        },
        { replaceExistingChecks: true },
      );
    } catch (err) {
      throw wrap(`register ${service.id}`, err);
    }
  }

  async deregister(id: string): Promise<void> {
    try {
      await this.client.agentServiceDeregister(id);
    } catch (err) {
      throw wrap(`deregister ${id}`, err);
    }
  }

  async setMaintenance(id: string, enable: boolean, reason: string): Promise<void> {
    try {
      await this.client.agentServiceMaintenance(id, enable, reason);
    } catch (err) {
      throw wrap(`maintenance ${id}`, err);
    }
  }

  async updateCheck(checkId: string, status: CheckStatus, output: string): Promise<void> {
    try {
      await this.client.agentCheckUpdate(checkId, status, output);
    } catch (err) {
      throw wrap(`update check ${checkId}`, err);
    }
  }

  async list(): Promise<RegisteredService[]> {
    let services: Record<string, ConsulAgentService>;
    let checks: Record<string, ConsulHealthCheck>;
    try {
      [services, checks] = await Promise.all([
        this.client.agentServices().then((b) => b ?? {}),
        this.client.agentChecks().then((b) => b ?? {}),
      ]);
    } catch (err) {
      throw wrap('list services', err);
    }
    const maintenance = new Map<string, string | undefined>();
    const statuses = new Map<string, Record<string, CheckStatus>>();
    for (const c of Object.values(checks)) {
      if (c.ServiceID && STATUSES.has(c.Status)) {
        const m = statuses.get(c.ServiceID) ?? {};
        m[c.CheckID] = c.Status as CheckStatus;
        statuses.set(c.ServiceID, m);
      }
      if (c.CheckID.startsWith(MAINTENANCE_CHECK))
        maintenance.set(c.CheckID.slice(MAINTENANCE_CHECK.length), c.Notes || undefined);
    }
    return Object.values(services).map((s) => ({
      id: s.ID,
      name: s.Service,
      address: s.Address ?? '',
      port: s.Port ?? 0,
      tags: s.Tags ?? [],
      meta: s.Meta ?? {},
      maintenance: maintenance.has(s.ID),
      maintenanceReason: maintenance.get(s.ID),
      checks: statuses.get(s.ID) ?? {},
    }));
  }

  /** Closes the client's connections. */
  close(): void {
    this.client.close();
  }
}
