/**
 * The adapter between berth and the npm `consul` client: typed thin wrappers that return the
 * body together with X-Consul-Index, honour an AbortSignal, and turn the client's errors into
 * errors.ts classes. The only file that talks HTTP to Consul; must never hold business logic.
 */
import { EventEmitter } from 'node:events';
import Consul from 'consul';
import { resolveConsulAddress } from './address.js';
import type {
  ConsulHealthCheck,
  ConsulKvEntry,
  ConsulNode,
  ConsulNodeServices,
  ConsulServiceEntry,
  ConsulSession,
} from '@berth/protocol';
import {
  ConsulAbortedError,
  ConsulHttpError,
  ConsulOptionError,
  ConsulUnreachableError,
} from './errors.js';
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

interface RawResponse {
  statusCode: number;
  headers: Record<string, string | string[] | undefined>;
  body?: unknown;
}

// The subset of the npm client's surface berth calls. Its bundled typings omit `ctx` and
// `timeout`, which it does honour (lib/utils.js options()), so we describe the calls here.
type Call = (opts: Record<string, unknown>) => Promise<unknown>;
interface NpmConsul {
  health: { service: Call; state: Call };
  catalog: { service: { list: Call }; node: { list: Call; services: Call } };
  kv: { get: Call; keys: Call; set: Call; del: Call };
  session: { create: Call; destroy: Call; renew: Call; info: Call };
  transaction: { create(ops: unknown[], opts: Record<string, unknown>): Promise<unknown> };
  destroy(): void;
}

class RequestContext extends EventEmitter {
  readonly includeResponse = true;
}

interface PapiError {
  isAbort?: boolean;
  isTimeout?: boolean;
  isResponse?: boolean;
  isValidation?: boolean;
  message?: string;
  code?: string;
  response?: RawResponse;
}

function headerIndex(res: RawResponse | undefined): bigint | undefined {
  const raw = res?.headers['x-consul-index'];
  const s = Array.isArray(raw) ? raw[0] : raw;
  if (s === undefined || !/^\d+$/.test(s)) return undefined;
  return BigInt(s);
}

/** A Consul client: typed calls plus `kv` helpers. Create with createConsul(). */
export class ConsulClient {
  /** `http(s)://host:port` of the Consul HTTP API. */
  readonly url: string;
  /** The underlying npm `consul` client, for calls berth does not wrap. */
  readonly raw: Consul;
  /** KV helpers with CAS, transactions and JSON. */
  readonly kv: ConsulKv;
  readonly #api: NpmConsul;
  readonly #timeoutMs: number;

  constructor(options: CreateConsulOptions = {}) {
    const addr = resolveConsulAddress(options, options.env ?? {});
    const timeout = options.requestTimeoutMs ?? 10_000;
    if (!Number.isFinite(timeout) || timeout <= 0) {
      throw new ConsulOptionError(`requestTimeoutMs: must be a positive number, got ${timeout}`);
    }
    this.url = addr.url;
    this.#timeoutMs = timeout;
    this.raw = new Consul({
      host: addr.host,
      port: addr.port,
      secure: addr.secure,
      ...(addr.token ? { defaults: { token: addr.token } } : {}),
    });
    this.#api = this.raw as unknown as NpmConsul;
    this.kv = new ConsulKv(this);
  }

  /** Close idle keep-alive sockets. In-flight requests are not aborted (use their signals). */
  close(): void {
    this.#api.destroy();
  }

  /**
   * Run one call of the npm client with response access and abort support. Maps failures to
   * ConsulHttpError / ConsulUnreachableError / ConsulAbortedError. `allow404` returns a 404
   * as a result instead of throwing.
   */
  async call<T>(
    invoke: (opts: Record<string, unknown>) => Promise<unknown>,
    q: QueryOptions & { allow404?: boolean } = {},
  ): Promise<QueryResult<T>> {
    const { signal } = q;
    if (signal?.aborted) throw new ConsulAbortedError();
    const ctx = new RequestContext();
    const onAbort = (): void => {
      ctx.emit('cancel');
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    const opts: Record<string, unknown> = { ctx };
    if (q.index !== undefined && q.waitMs !== undefined) {
      opts['index'] = q.index.toString();
      opts['wait'] = `${Math.max(1, Math.round(q.waitMs))}ms`;
      // Consul may add up to wait/16 of jitter; allow that plus a margin, as node-consul does.
      opts['timeout'] = Math.ceil(q.waitMs + Math.max(q.waitMs * 0.1, 500) + 500);
    } else {
      opts['timeout'] = this.#timeoutMs;
    }
    try {
      const out = (await invoke(opts)) as [RawResponse, T?];
      const res = out[0];
      return { body: out[1] as T, index: headerIndex(res), status: res.statusCode };
    } catch (e) {
      if (signal?.aborted) throw new ConsulAbortedError();
      const err = e as PapiError;
      if (err.isResponse && err.response) {
        const res = err.response;
        if (res.statusCode === 404 && q.allow404) {
          return { body: undefined as T, index: headerIndex(res), status: 404 };
        }
        const body = Buffer.isBuffer(res.body) ? res.body.toString('utf8') : res.body;
        const text = typeof body === 'string' && body ? body.trim() : (err.message ?? '');
        throw new ConsulHttpError(res.statusCode, text.slice(0, 500), body, { cause: e });
      }
      if (err.isAbort) throw new ConsulAbortedError();
      if (err.isValidation) throw new ConsulOptionError(err.message ?? 'invalid request');
      const what = err.isTimeout ? 'timed out' : (err.code ?? err.message ?? 'failed');
      throw new ConsulUnreachableError(`Consul at ${this.url} unreachable: ${what}`, { cause: e });
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }

  /** GET /v1/health/service/:name (all instances, any health). */
  healthService(name: string, q?: QueryOptions): Promise<QueryResult<ConsulServiceEntry[]>> {
    return this.call((o) => this.#api.health.service({ ...o, service: name }), q);
  }

  /** GET /v1/health/state/:state. */
  healthState(
    state: 'any' | 'passing' | 'warning' | 'critical',
    q?: QueryOptions,
  ): Promise<QueryResult<ConsulHealthCheck[]>> {
    return this.call((o) => this.#api.health.state({ ...o, state }), q);
  }

  /** GET /v1/catalog/services: service name → tags. */
  catalogServices(q?: QueryOptions): Promise<QueryResult<Record<string, string[] | null>>> {
    return this.call((o) => this.#api.catalog.service.list(o), q);
  }

  /** GET /v1/catalog/nodes. */
  catalogNodes(q?: QueryOptions): Promise<QueryResult<ConsulNode[]>> {
    return this.call((o) => this.#api.catalog.node.list(o), q);
  }

  /** GET /v1/catalog/node/:node (body null or undefined for an unknown node). */
  catalogNode(node: string, q?: QueryOptions): Promise<QueryResult<ConsulNodeServices | null>> {
    return this.call((o) => this.#api.catalog.node.services({ ...o, node }), {
      ...q,
      allow404: true,
    });
  }

  /** GET /v1/kv/:key (single entry, or every entry under the prefix with `recurse`). */
  kvRead(
    key: string,
    recurse: boolean,
    q?: QueryOptions,
  ): Promise<QueryResult<ConsulKvEntry | ConsulKvEntry[] | undefined>> {
    return this.call((o) => this.#api.kv.get({ ...o, key, recurse }), { ...q, allow404: true });
  }

  /** GET /v1/kv/:prefix?keys[&separator=]. */
  kvKeys(prefix: string, separator?: string, q?: QueryOptions): Promise<QueryResult<string[]>> {
    return this.call(
      (o) => this.#api.kv.keys({ ...o, key: prefix, ...(separator ? { separator } : {}) }),
      { ...q, allow404: true },
    );
  }

  /** PUT /v1/kv/:key with optional cas / flags / acquire / release; Consul's true/false. */
  async kvPut(
    key: string,
    value: string | Buffer,
    params: { cas?: number; flags?: number; acquire?: string; release?: string } = {},
    signal?: AbortSignal,
  ): Promise<boolean> {
    const extra: Record<string, string> = {};
    if (params.cas !== undefined) extra['cas'] = String(params.cas);
    if (params.flags !== undefined) extra['flags'] = String(params.flags);
    if (params.acquire !== undefined) extra['acquire'] = params.acquire;
    if (params.release !== undefined) extra['release'] = params.release;
    const r = await this.call<unknown>((o) => this.#api.kv.set({ ...o, ...extra, key, value }), {
      signal,
    });
    return r.body === true;
  }

  /** DELETE /v1/kv/:key with optional recurse / cas; Consul's true/false. */
  async kvDelete(key: string, params: { recurse?: boolean; cas?: number } = {}): Promise<boolean> {
    const extra: Record<string, unknown> = {};
    if (params.recurse) extra['recurse'] = true;
    if (params.cas !== undefined) extra['cas'] = String(params.cas);
    const r = await this.call<unknown>((o) => this.#api.kv.del({ ...o, ...extra, key }));
    return r.body === true;
  }

  /** PUT /v1/session/create; returns the session ID. */
  async sessionCreate(
    body: { name?: string; ttl?: string; lockdelay?: string; behavior?: 'release' | 'delete' },
    signal?: AbortSignal,
  ): Promise<string> {
    const r = await this.call<{ ID: string }>((o) => this.#api.session.create({ ...o, ...body }), {
      signal,
    });
    return r.body.ID;
  }

  /** PUT /v1/session/renew/:id; undefined when the session no longer exists (404). */
  async sessionRenew(id: string, signal?: AbortSignal): Promise<ConsulSession | undefined> {
    const r = await this.call<ConsulSession[] | undefined>(
      (o) => this.#api.session.renew({ ...o, id }),
      { signal, allow404: true },
    );
    return r.status === 404 ? undefined : (r.body?.[0] ?? undefined);
  }

  /** PUT /v1/session/destroy/:id. */
  async sessionDestroy(id: string): Promise<void> {
    await this.call((o) => this.#api.session.destroy({ ...o, id }));
  }

  /** GET /v1/session/info/:id; undefined when unknown. */
  async sessionInfo(id: string): Promise<ConsulSession | undefined> {
    const r = await this.call<ConsulSession | undefined>((o) =>
      this.#api.session.info({ ...o, id }),
    );
    return r.body ?? undefined;
  }

  /** PUT /v1/txn with ready-made Consul operations; a 409 comes back as a result, not thrown. */
  async txnRaw(ops: readonly unknown[]): Promise<{ status: number; body: unknown }> {
    try {
      const r = await this.call<unknown>((o) => this.#api.transaction.create([...ops], o));
      return { status: r.status, body: r.body };
    } catch (e) {
      if (e instanceof ConsulHttpError && e.status === 409) return { status: 409, body: e.body };
      throw e;
    }
  }
}

/** Create a Consul client (see CreateConsulOptions for the address and token rules). */
export function createConsul(options: CreateConsulOptions = {}): ConsulClient {
  return new ConsulClient(options);
}
