/**
 * ServiceRegistry on the Consul agent HTTP API, through @berth/consul's client (the npm
 * `consul` package underneath). Registration replaces the service's checks
 * (`?replace-existing-checks`), so a changed check never lingers. The only file that talks to
 * Consul; it must never decide what to register, and never put the token in an error.
 */

import {
  ConsulClient,
  ConsulHttpError,
  ConsulUnreachableError,
  createConsul,
  resolveConsulAddress,
} from '@berth/consul';
import { RegistryError } from './errors.js';
import type { RegisteredService, ServiceRegistry } from './service-registry.js';
import type { CheckStatus, ConsulAgentService, ConsulHealthCheck } from '@berth/protocol';
import type { ServiceRegistration } from './types.js';

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

type Call = (opts: Record<string, unknown>) => Promise<unknown>;

// papi's request shape and middleware (the npm client's own calls are built this way). Used for
// the one call the npm client cannot make: register with ?replace-existing-checks.
interface PapiRequest {
  err?: unknown;
  res?: unknown;
  ctx?: { includeResponse?: boolean };
}
type Middleware = (
  request: PapiRequest,
  next: (stop: boolean, err?: unknown, result?: unknown) => void,
) => void;
interface RawClient {
  agent: {
    service: { list: Call; deregister: Call; maintenance: Call };
    check: { list: Call };
  };
  _put(opts: Record<string, unknown>, ...middleware: Middleware[]): Promise<unknown>;
}

const emptyBody: Middleware = (request, next) => {
  if (request.err) {
    if (request.ctx?.includeResponse)
      (request.err as { response?: unknown }).response = request.res;
    next(false, request.err);
    return;
  }
  next(false, undefined, request.ctx?.includeResponse ? [request.res, undefined] : undefined);
};

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
  readonly #raw: RawClient;
  readonly #token: string | undefined;

  constructor(options: ConsulRegistryOptions = {}) {
    const env = options.env ?? {};
    this.client = createConsul({
      url: options.url,
      token: options.token,
      env,
      requestTimeoutMs: options.requestTimeoutMs ?? 5000,
    });
    this.#token = resolveConsulAddress({ url: options.url, token: options.token }, env).token;
    this.#raw = this.client.raw as unknown as RawClient;
  }

  /** `http(s)://host:port` of the Consul API. */
  get url(): string {
    return this.client.url;
  }

  async register(service: ServiceRegistration): Promise<void> {
    const body = {
      ID: service.id,
      Name: service.name,
      Tags: [...service.tags],
      Address: service.address,
      Port: service.port,
      Meta: { ...service.meta },
      Checks: service.checks.map((c) => ({ ...c })),
    };
    try {
      await this.client.call((o) =>
        this.#raw._put(
          {
            name: 'agent.service.register',
            path: '/agent/service/register',
            query: { 'replace-existing-checks': 'true' },
            headers: this.#token ? { 'x-consul-token': this.#token } : {},
            type: 'json',
            body,
            ctx: o['ctx'],
            timeout: o['timeout'],
          },
          emptyBody,
        ),
      );
    } catch (err) {
      throw wrap(`register ${service.id}`, err);
    }
  }

  async deregister(id: string): Promise<void> {
    try {
      await this.client.call((o) => this.#raw.agent.service.deregister({ ...o, id }));
    } catch (err) {
      throw wrap(`deregister ${id}`, err);
    }
  }

  async setMaintenance(id: string, enable: boolean, reason: string): Promise<void> {
    try {
      await this.client.call((o) =>
        this.#raw.agent.service.maintenance({ ...o, id, enable, reason }),
      );
    } catch (err) {
      throw wrap(`maintenance ${id}`, err);
    }
  }

  async updateCheck(checkId: string, status: CheckStatus, output: string): Promise<void> {
    try {
      await this.client.call((o) =>
        this.#raw._put(
          {
            name: 'agent.check.update',
            path: `/agent/check/update/${encodeURIComponent(checkId)}`,
            headers: this.#token ? { 'x-consul-token': this.#token } : {},
            type: 'json',
            body: { Status: status, Output: output },
            ctx: o['ctx'],
            timeout: o['timeout'],
          },
          emptyBody,
        ),
      );
    } catch (err) {
      throw wrap(`update check ${checkId}`, err);
    }
  }

  async list(): Promise<RegisteredService[]> {
    let services: Record<string, ConsulAgentService>;
    let checks: Record<string, ConsulHealthCheck>;
    try {
      [services, checks] = await Promise.all([
        this.client
          .call<Record<string, ConsulAgentService>>((o) => this.#raw.agent.service.list(o))
          .then((r) => r.body ?? {}),
        this.client
          .call<Record<string, ConsulHealthCheck>>((o) => this.#raw.agent.check.list(o))
          .then((r) => r.body ?? {}),
      ]);
    } catch (err) {
      throw wrap('list services', err);
    }
    const maintenance = new Set<string>();
    const statuses = new Map<string, Record<string, CheckStatus>>();
    for (const c of Object.values(checks)) {
      if (c.ServiceID && STATUSES.has(c.Status ?? '')) {
        const m = statuses.get(c.ServiceID) ?? {};
        m[c.CheckID] = c.Status as CheckStatus;
        statuses.set(c.ServiceID, m);
      }
      if (c.CheckID.startsWith(MAINTENANCE_CHECK))
        maintenance.add(c.CheckID.slice(MAINTENANCE_CHECK.length));
    }
    return Object.values(services).map((s) => ({
      id: s.ID,
      name: s.Service,
      address: s.Address ?? '',
      port: s.Port ?? 0,
      tags: s.Tags ?? [],
      meta: s.Meta ?? {},
      maintenance: maintenance.has(s.ID),
      checks: statuses.get(s.ID) ?? {},
    }));
  }

  /** Closes idle keep-alive sockets. */
  close(): void {
    this.client.close();
  }
}
