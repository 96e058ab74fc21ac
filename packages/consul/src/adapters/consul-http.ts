/**
 * The one HTTP transport to Consul: an undici connection pool to one Consul address, one
 * request at a time with the token header, an abort signal and a time limit (a blocking read
 * gets its wait plus Consul's jitter allowance), answers parsed as JSON when Consul says JSON,
 * and every failure turned into an errors.ts class. It must never know what an endpoint means
 * nor put the token in an error.
 */

import { Pool, errors as undiciErrors } from 'undici';
import {
  ConsulAbortedError,
  ConsulHttpError,
  ConsulOptionError,
  ConsulUnreachableError,
} from '../errors.js';

/** One request to Consul. */
export interface ConsulRequest {
  readonly method: 'GET' | 'PUT' | 'DELETE';
  /** Below /v1, already encoded, e.g. `/kv/a/b` or `/agent/service/register`. */
  readonly path: string;
  /** Query parameters; undefined values are left out, `''` is sent as a bare flag. */
  readonly query?: Readonly<Record<string, string | number | bigint | boolean | undefined>>;
  /** A JSON body (objects, arrays) or raw bytes (KV values). */
  readonly body?: unknown;
  readonly signal?: AbortSignal | undefined;
  /** A blocking read: `index` (exclusive) and the longest wait in ms. */
  readonly blocking?: { readonly index: bigint; readonly waitMs: number } | undefined;
  /** Statuses answered as results rather than thrown (e.g. 404 of a KV read). */
  readonly accept?: readonly number[];
}

/** Consul's answer. */
export interface ConsulResponse<T> {
  readonly status: number;
  /** X-Consul-Index, undefined when absent or not a number. */
  readonly index: bigint | undefined;
  /** Parsed JSON, text, or undefined for an empty body. */
  readonly body: T;
}

/** Consul adds up to wait/16 of jitter to a blocking read: allow that plus a margin. */
export function blockingTimeoutMs(waitMs: number): number {
  return Math.ceil(waitMs + Math.max(waitMs * 0.1, 500) + 500);
}

function queryString(query: ConsulRequest['query']): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(query ?? {})) {
    if (v === undefined || v === false) continue;
    parts.push(v === '' || v === true ? k : `${k}=${encodeURIComponent(String(v))}`);
  }
  return parts.length ? `?${parts.join('&')}` : '';
}

function headerIndex(raw: string | string[] | undefined): bigint | undefined {
  const s = Array.isArray(raw) ? raw[0] : raw;
  return s !== undefined && /^\d+$/.test(s) ? BigInt(s) : undefined;
}

/** An HTTP connection pool to one Consul agent or server. */
export class ConsulHttp {
  readonly #pool: Pool;
  readonly #url: string;
  readonly #token: string | undefined;
  readonly #timeoutMs: number;

  constructor(url: string, token: string | undefined, requestTimeoutMs: number) {
    this.#url = url;
    this.#token = token;
    this.#timeoutMs = requestTimeoutMs;
    // Unbounded connections: every blocking watch holds one for its whole wait.
    this.#pool = new Pool(url, { connections: null, keepAliveTimeout: 30_000 });
  }

  /** Sends one request; see ConsulRequest. */
  async send<T>(req: ConsulRequest): Promise<ConsulResponse<T>> {
    const { signal } = req;
    if (signal?.aborted) throw new ConsulAbortedError();
    const query = req.blocking
      ? {
          ...req.query,
          index: req.blocking.index,
          wait: `${Math.max(1, Math.round(req.blocking.waitMs))}ms`,
        }
      : req.query;
    const timeout = req.blocking ? blockingTimeoutMs(req.blocking.waitMs) : this.#timeoutMs;
    const headers: Record<string, string> = {};
    if (this.#token) headers['x-consul-token'] = this.#token;
    let body: string | Buffer | undefined;
    if (typeof req.body === 'string' || Buffer.isBuffer(req.body)) body = req.body;
    else if (req.body !== undefined) {
      body = JSON.stringify(req.body);
      headers['content-type'] = 'application/json';
    }
    let res;
    try {
      res = await this.#pool.request({
        method: req.method,
        path: `/v1${req.path}${queryString(query)}`,
        headers,
        ...(body !== undefined ? { body } : {}),
        ...(signal ? { signal } : {}),
        headersTimeout: timeout,
        bodyTimeout: timeout,
      });
    } catch (e) {
      throw this.#failure(e, signal);
    }
    let text: string;
    try {
      text = await res.body.text();
    } catch (e) {
      throw this.#failure(e, signal);
    }
    const type = String(res.headers['content-type'] ?? '');
    const parsed: unknown =
      text !== '' && type.includes('json') ? parseJson(text) : text || undefined;
    const index = headerIndex(res.headers['x-consul-index']);
    const status = res.statusCode;
    if (status >= 200 && status < 300) return { status, index, body: parsed as T };
    // An accepted error status carries a body only when it is Consul's JSON (a txn's Errors).
    if (req.accept?.includes(status)) {
      return { status, index, body: (type.includes('json') ? parsed : undefined) as T };
    }
    const message = typeof parsed === 'string' ? parsed.trim() : text.trim();
    throw new ConsulHttpError(status, message.slice(0, 500) || `status ${status}`, parsed);
  }

  /** Ends the pool's connections, in-flight requests included (abort them first). */
  close(): void {
    this.#pool.destroy().catch(() => {});
  }

  #failure(e: unknown, signal: AbortSignal | undefined): Error {
    if (signal?.aborted || e instanceof undiciErrors.RequestAbortedError) {
      return new ConsulAbortedError();
    }
    if (e instanceof undiciErrors.InvalidArgumentError) {
      return new ConsulOptionError(e.message);
    }
    const timedOut =
      e instanceof undiciErrors.HeadersTimeoutError || e instanceof undiciErrors.BodyTimeoutError;
    const code = (e as { code?: string } | undefined)?.code;
    const what = timedOut ? 'timed out' : (code ?? (e as Error | undefined)?.message ?? 'failed');
    return new ConsulUnreachableError(`Consul at ${this.#url} unreachable: ${what}`, { cause: e });
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
