/**
 * The Consul client berth's daemons use: one typed call per Consul endpoint they need (health,
 * catalog, KV, sessions, transactions, the local agent's services and checks), each returning
 * Consul's JSON as @berth/protocol types, with X-Consul-Index where Consul sends it and an
 * AbortSignal. The only file that knows Consul's paths; it must never hold business logic.
 */
import type {
  CheckStatus,
  ConsulAgentService,
  ConsulAgentServiceRegistration,
  ConsulHealthCheck,
  ConsulKvEntry,
  ConsulNode,
  ConsulNodeServices,
  ConsulServiceEntry,
  ConsulSession,
  ConsulSessionCreate,
  ConsulTxnOp,
  ConsulTxnResponse,
} from '@berth/protocol';
import { resolveConsulAddress } from '../core/address.js';
import { type ConsulRequest, ConsulHttp } from './consul-http.js';
import { ConsulOptionError } from '../errors.js';
import { ConsulKv } from './kv.js';

/** Options of createConsul. */
export interface CreateConsulOptions {
  /** `http(s)://host:port` or `host:port`; default CONSUL_HTTP_ADDR from `env`, then 127.0.0.1:8500. */
  url?: string | undefined;
  /** ACL token; default CONSUL_HTTP_TOKEN from `env`. */
  token?: string | undefined;
  /** Environment to read CONSUL_HTTP_ADDR / CONSUL_HTTP_TOKEN / CONSUL_HTTP_SSL from (not read when omitted). */
  env?: Readonly<Record<string, string | undefined>>;
  /** Timeout of a non-blocking request in ms (default 10000). */
  requestTimeoutMs?: number;
}

/** Options of a (possibly blocking) read. */
export interface QueryOptions {
  /** Blocking index; 0n or absent answers at once. */
  index?: bigint;
  /** Maximum blocking time in ms (Consul's `wait`). */
  waitMs?: number;
  signal?: AbortSignal | undefined;
}

/** A read's body with the headers berth uses. */
export interface QueryResult<T> {
  readonly body: T;
  /** X-Consul-Index, undefined when the header was missing or not a number. */
  readonly index: bigint | undefined;
  readonly status: number;
}

/** A KV entry as kvRead gives it: Consul's DirEntry with `Value` decoded to UTF-8 text. */
export type KvReadEntry = Omit<ConsulKvEntry, 'Value'> & { readonly Value: string | null };

const seg = (s: string): string => encodeURIComponent(s);
/** A KV key in a path: each segment encoded, slashes kept (as Consul's own clients send). */
const keyPath = (key: string): string => key.split('/').map(seg).join('/');

function decodeEntry(e: ConsulKvEntry): KvReadEntry {
  return {
    ...e,
    Value: typeof e.Value === 'string' ? Buffer.from(e.Value, 'base64').toString('utf8') : null,
  };
}

/** A Consul client: typed calls plus `kv` helpers. Create with createConsul(). */
export class ConsulClient {
  /** `http(s)://host:port` of the Consul HTTP API. */
  readonly url: string;
  /** KV helpers with CAS, transactions and JSON. */
  readonly kv: ConsulKv;
  readonly #http: ConsulHttp;

  constructor(options: CreateConsulOptions = {}) {
    const addr = resolveConsulAddress(options, options.env ?? {});
    const timeout = options.requestTimeoutMs ?? 10_000;
    if (!Number.isFinite(timeout) || timeout <= 0) {
      throw new ConsulOptionError(`requestTimeoutMs: must be a positive number, got ${timeout}`);
    }
    this.url = addr.url;
    this.#http = new ConsulHttp(addr.url, addr.token, timeout);
    this.kv = new ConsulKv(this);
  }

  /** Ends the client's connections (abort in-flight reads through their signals first). */
  close(): void {
    this.#http.close();
  }

  async #read<T>(
    path: string,
    q: QueryOptions = {},
    more: Pick<ConsulRequest, 'query' | 'accept'> = {},
  ): Promise<QueryResult<T>> {
    const blocking =
      q.index !== undefined && q.waitMs !== undefined
        ? { index: q.index, waitMs: q.waitMs }
        : undefined;
    const r = await this.#http.send<T>({
      method: 'GET',
      path,
      signal: q.signal,
      blocking,
      ...more,
    });
    return { body: r.body, index: r.index, status: r.status };
  }

  // ---- health and catalog --------------------------------------------------------------

  /** GET /v1/health/service/:name (all instances, any health). */
  healthService(name: string, q?: QueryOptions): Promise<QueryResult<ConsulServiceEntry[]>> {
    return this.#read(`/health/service/${seg(name)}`, q);
  }

  /** GET /v1/health/state/:state. */
  healthState(
    state: 'any' | CheckStatus,
    q?: QueryOptions,
  ): Promise<QueryResult<ConsulHealthCheck[]>> {
    return this.#read(`/health/state/${state}`, q);
  }

  /** GET /v1/catalog/services: service name → tags. */
  catalogServices(q?: QueryOptions): Promise<QueryResult<Record<string, string[] | null>>> {
    return this.#read('/catalog/services', q);
  }

  /** GET /v1/catalog/nodes. */
  catalogNodes(q?: QueryOptions): Promise<QueryResult<ConsulNode[]>> {
    return this.#read('/catalog/nodes', q);
  }

  /** GET /v1/catalog/node/:node (body null or undefined for an unknown node). */
  catalogNode(node: string, q?: QueryOptions): Promise<QueryResult<ConsulNodeServices | null>> {
    return this.#read(`/catalog/node/${seg(node)}`, q, { accept: [404] });
  }

  // ---- KV --------------------------------------------------------------------------------

  /**
   * GET /v1/kv/:key: the entry (or, with `recurse`, every entry under the prefix), values
   * decoded to text; undefined when there is none.
   */
  async kvRead(
    key: string,
    recurse: boolean,
    q?: QueryOptions,
  ): Promise<QueryResult<KvReadEntry | KvReadEntry[] | undefined>> {
    const r = await this.#read<ConsulKvEntry[] | undefined>(`/kv/${keyPath(key)}`, q, {
      query: { recurse: recurse ? '' : undefined },
      accept: [404],
    });
    const entries = r.status === 404 || !Array.isArray(r.body) ? [] : r.body.map(decodeEntry);
    const body = recurse ? (entries.length ? entries : undefined) : entries[0];
    return { ...r, body };
  }

  /** GET /v1/kv/:prefix?keys[&separator=]. */
  kvKeys(
    prefix: string,
    separator?: string,
    q?: QueryOptions,
  ): Promise<QueryResult<string[] | undefined>> {
    return this.#read(`/kv/${keyPath(prefix)}`, q, {
      query: { keys: '', separator: separator || undefined },
      accept: [404],
    });
  }

  /** PUT /v1/kv/:key with optional cas / flags / acquire / release; Consul's true/false. */
  async kvPut(
    key: string,
    value: string | Buffer,
    params: { cas?: number; flags?: number; acquire?: string; release?: string } = {},
    signal?: AbortSignal,
  ): Promise<boolean> {
    const r = await this.#http.send<unknown>({
      method: 'PUT',
      path: `/kv/${keyPath(key)}`,
      query: { ...params },
      body: value,
      signal,
    });
    return r.body === true;
  }

  /** DELETE /v1/kv/:key with optional recurse / cas; Consul's true/false. */
  async kvDelete(key: string, params: { recurse?: boolean; cas?: number } = {}): Promise<boolean> {
    const r = await this.#http.send<unknown>({
      method: 'DELETE',
      path: `/kv/${keyPath(key)}`,
      query: { recurse: params.recurse ? '' : undefined, cas: params.cas },
    });
    return r.body === true;
  }

  /** PUT /v1/txn; a 409 (rolled back) comes back as a result, not thrown. */
  async txn(ops: readonly ConsulTxnOp[]): Promise<{ status: number; body: ConsulTxnResponse }> {
    const r = await this.#http.send<ConsulTxnResponse>({
      method: 'PUT',
      path: '/txn',
      body: ops,
      accept: [409],
    });
    return { status: r.status, body: r.body };
  }

  // ---- sessions --------------------------------------------------------------------------

  /** PUT /v1/session/create; returns the session ID. */
  async sessionCreate(body: ConsulSessionCreate, signal?: AbortSignal): Promise<string> {
    const r = await this.#http.send<{ ID: string }>({
      method: 'PUT',
      path: '/session/create',
      body,
      signal,
    });
    return r.body.ID;
  }

  /** PUT /v1/session/renew/:id; undefined when the session no longer exists (404). */
  async sessionRenew(id: string, signal?: AbortSignal): Promise<ConsulSession | undefined> {
    const r = await this.#http.send<ConsulSession[] | undefined>({
      method: 'PUT',
      path: `/session/renew/${seg(id)}`,
      signal,
      accept: [404],
    });
    return r.status === 404 ? undefined : (r.body?.[0] ?? undefined);
  }

  /** PUT /v1/session/destroy/:id. */
  async sessionDestroy(id: string): Promise<void> {
    await this.#http.send({ method: 'PUT', path: `/session/destroy/${seg(id)}` });
  }

  /** GET /v1/session/info/:id; undefined when unknown. */
  async sessionInfo(id: string): Promise<ConsulSession | undefined> {
    const r = await this.#read<ConsulSession[] | null>(`/session/info/${seg(id)}`);
    return r.body?.[0] ?? undefined;
  }

  // ---- the local agent (registrator) -----------------------------------------------------

  /** GET /v1/agent/services: the local agent's services by ID. */
  async agentServices(signal?: AbortSignal): Promise<Record<string, ConsulAgentService>> {
    return (await this.#read<Record<string, ConsulAgentService>>('/agent/services', { signal }))
      .body;
  }

  /** GET /v1/agent/checks: the local agent's checks by CheckID. */
  async agentChecks(signal?: AbortSignal): Promise<Record<string, ConsulHealthCheck>> {
    return (await this.#read<Record<string, ConsulHealthCheck>>('/agent/checks', { signal })).body;
  }

  /**
   * PUT /v1/agent/service/register. With `replaceExistingChecks` the service's checks become
   * exactly those given (a changed check never lingers).
   */
  async agentServiceRegister(
    registration: ConsulAgentServiceRegistration,
    options: { replaceExistingChecks?: boolean; signal?: AbortSignal } = {},
  ): Promise<void> {
    await this.#http.send({
      method: 'PUT',
      path: '/agent/service/register',
      query: { 'replace-existing-checks': options.replaceExistingChecks ? 'true' : undefined },
      body: registration,
      signal: options.signal,
    });
  }

  /** PUT /v1/agent/service/deregister/:id; an unknown ID is no error. */
  async agentServiceDeregister(id: string, signal?: AbortSignal): Promise<void> {
    await this.#http.send({ method: 'PUT', path: `/agent/service/deregister/${seg(id)}`, signal });
  }

  /** PUT /v1/agent/service/maintenance/:id. */
  async agentServiceMaintenance(
    id: string,
    enable: boolean,
    reason?: string,
    signal?: AbortSignal,
  ): Promise<void> {
    await this.#http.send({
      method: 'PUT',
      path: `/agent/service/maintenance/${seg(id)}`,
      query: { enable: String(enable), reason: reason || undefined },
      signal,
    });
  }

  /** PUT /v1/agent/check/update/:id: a TTL check's status and output. */
  async agentCheckUpdate(
    checkId: string,
    status: CheckStatus,
    output?: string,
    signal?: AbortSignal,
  ): Promise<void> {
    await this.#http.send({
      method: 'PUT',
      path: `/agent/check/update/${seg(checkId)}`,
      body: { Status: status, ...(output !== undefined ? { Output: output } : {}) },
      signal,
    });
  }
}

/** Create a Consul client (see CreateConsulOptions for the address and token rules). */
export function createConsul(options: CreateConsulOptions = {}): ConsulClient {
  return new ConsulClient(options);
}
