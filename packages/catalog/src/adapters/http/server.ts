/**
 * The catalog's HTTP listener: `/health` and `/metrics` (the daemon's admin handler; metrics
 * only with `--metrics-token`, or from loopback while ACLs are on) beside the `/v1` API and
 * Consul's index page. It routes (exact paths before prefixes), enforces verbs (405 + Allow),
 * resolves the request's ACL token, checks `?dc` and consistency flags, maps errors to Consul's
 * status codes and writes replies with the blocking-read headers. With a data dir it never
 * sends a read before the state it describes is durable. No request may crash it.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Catalog } from '../../engine.js';
import { UNRESTRICTED } from '../../engine/acl.js';
import { ApiError, BadRequestError, MethodNotAllowedError, StateError } from '../../errors.js';
import { toJson } from '../../core/render.js';
import { Ctx, type HttpOptions, type Reply } from './context.js';
import { ROUTES } from './routes.js';
import type { Route } from './route.js';

const EXACT = new Map(ROUTES.filter((r) => !r.prefix).map((r) => [r.path, r]));
const PREFIXES = ROUTES.filter((r) => r.prefix).sort((a, b) => b.path.length - a.path.length);

/** Consul's index page with the UI disabled. */
export const INDEX_TEXT =
  'Consul Agent: UI disabled. To enable, set ui_config.enabled=true in the agent configuration and restart.';

/** Finds the route of a raw path and the (still encoded) remainder. */
export function matchRoute(path: string): { route: Route; rest: string } | undefined {
  const exact = EXACT.get(path);
  if (exact) return { route: exact, rest: '' };
  for (const r of PREFIXES)
    if (path.startsWith(r.path)) return { route: r, rest: path.slice(r.path.length) };
  return undefined;
}

/** Observes each answered request (for metrics). */
export type RequestObserver = (route: string, method: string, status: number) => void;

export interface CatalogServerOptions {
  readonly catalog: Catalog;
  readonly legacyClients?: boolean | undefined;
  readonly compileFilter: HttpOptions['compileFilter'];
  /** `/health` + `/metrics`; returns false for other paths. */
  readonly admin?: ((req: IncomingMessage, res: ServerResponse) => boolean) | undefined;
  /** When set, `/metrics` answers only requests that carry it. */
  readonly metricsToken?: string | undefined;
  readonly observe?: RequestObserver | undefined;
  /** Unexpected (non-API) errors, for the daemon to log. */
  readonly onError?: ((err: unknown) => void) | undefined;
}

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();

/** The token of a request: `?token=`, then X-Consul-Token, then `Authorization: Bearer`. */
export function requestToken(req: IncomingMessage, query: URLSearchParams): string | undefined {
  const q = query.get('token');
  if (q !== null && q !== '') return q;
  const h = req.headers['x-consul-token'];
  const header = Array.isArray(h) ? h[0] : h;
  if (header) return header;
  const auth = req.headers.authorization;
  if (auth) {
    const [scheme, token] = auth.trim().split(/\s+/);
    if (scheme?.toLowerCase() === 'bearer' && token) return token;
  }
  return undefined;
}

function isLoopback(addr: string | undefined): boolean {
  if (addr === undefined) return false;
  const v4 = addr.startsWith('::ffff:') ? addr.slice(7) : addr;
  return v4.startsWith('127.') || v4 === '::1';
}

function checkConsistency(q: URLSearchParams): string {
  const stale = q.has('stale');
  const consistent = q.has('consistent');
  if (stale && consistent) {
    throw new BadRequestError('Cannot specify ?stale with ?consistent, conflicting semantics.');
  }
  if (q.has('cached') && consistent) {
    throw new BadRequestError('Cannot specify ?cached with ?consistent, conflicting semantics.');
  }
  const maxStale = q.get('max_stale');
  if (maxStale !== null && !/^(\d+(\.\d*)?(ns|us|µs|ms|s|m|h))+$|^0$/.test(maxStale)) {
    throw new BadRequestError(`Invalid max_stale value ${JSON.stringify(maxStale)}`);
  }
  return stale ? 'stale' : consistent ? 'consistent' : 'leader';
}

/** Creates (but does not start) the catalog's HTTP server. */
export function createCatalogServer(opts: CatalogServerOptions): Server {
  const { catalog } = opts;
  const metricsDigest = opts.metricsToken ? digest(opts.metricsToken) : undefined;
  const httpOptions: HttpOptions = {
    legacyClients: opts.legacyClients === true,
    scriptChecks: catalog.scriptChecks,
    compileFilter: opts.compileFilter,
  };

  function send(
    req: IncomingMessage,
    res: ServerResponse,
    reply: Reply,
    extra: Record<string, string>,
    anonymous = false,
  ): void {
    if (res.writableEnded || res.destroyed) return;
    const headers: Record<string, string> = { ...extra, ...(reply.headers ?? {}) };
    if (reply.index !== undefined) {
      headers['X-Consul-Index'] = String(Math.max(1, reply.index));
      headers['X-Consul-KnownLeader'] = 'true';
      headers['X-Consul-LastContact'] = '0';
    }
    // Consul never tells the anonymous token that something was hidden from it.
    if (reply.filtered && !anonymous) headers['X-Consul-Results-Filtered-By-ACLs'] = 'true';
    let body: Buffer | string = '';
    if (reply.raw) body = reply.raw;
    else if (reply.text !== undefined) {
      headers['content-type'] ??= 'text/plain; charset=utf-8';
      body = reply.text;
    } else if (reply.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = toJson(reply.json, extra.pretty === '1');
    }
    delete headers.pretty;
    res.writeHead(reply.status ?? 200, headers);
    res.end(req.method === 'HEAD' ? undefined : body);
  }

  /** `/metrics` is the admin handler's; it is guarded here. */
  function metricsRefused(req: IncomingMessage, path: string, query: URLSearchParams): boolean {
    if (path !== '/metrics') return false;
    if (metricsDigest) {
      const t = requestToken(req, query);
      return t === undefined || !timingSafeEqual(digest(t), metricsDigest);
    }
    return catalog.acl.enabled && !isLoopback(req.socket.remoteAddress);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = req.url ?? '/';
    const qAt = url.indexOf('?');
    const path = qAt < 0 ? url : url.slice(0, qAt);
    const query = new URLSearchParams(qAt < 0 ? '' : url.slice(qAt + 1));
    const method = req.method ?? 'GET';
    const extra: Record<string, string> = {
      'X-Consul-Default-Acl-Policy': catalog.acl.defaultPolicy,
    };
    if (metricsRefused(req, path, query)) {
      opts.observe?.('/metrics', method, 403);
      send(req, res, { status: 403, text: 'Permission denied' }, {});
      return;
    }
    if (opts.admin?.(req, res)) return;
    if (query.has('pretty')) extra.pretty = '1';
    let label = 'unknown';
    let status = 200;
    try {
      const m = matchRoute(path);
      if (!m) {
        label = path === '/' ? '/' : 'unknown';
        status = path === '/' ? 200 : 404;
        const text =
          path === '/'
            ? INDEX_TEXT
            : path.includes('/v1/')
              ? 'Invalid URL path: not a recognized HTTP API endpoint\n'
              : "Invalid URL path: if attempting to use the HTTP API, ensure the path starts with '/v1/'\n";
        send(req, res, { status, text }, {});
        return;
      }
      const { route } = m;
      label = route.path;
      const methods = [
        ...route.methods,
        ...(httpOptions.legacyClients ? (route.legacy ?? []) : []),
      ];
      if (method === 'OPTIONS') {
        status = 200;
        send(req, res, { headers: { Allow: ['OPTIONS', ...methods].join(',') } }, extra);
        return;
      }
      const allowed = methods.includes(method) || (method === 'HEAD' && methods.includes('GET'));
      if (!allowed) throw new MethodNotAllowedError(method, ['OPTIONS', ...methods]);
      const identity =
        route.acl === false ? UNRESTRICTED : catalog.acl.resolve(requestToken(req, query));
      const dc = query.get('dc');
      if (dc !== null && dc !== '' && dc !== catalog.config.datacenter) {
        throw new StateError('No path to datacenter');
      }
      extra['X-Consul-Effective-Consistency'] = checkConsistency(query);
      let rest: string;
      try {
        rest = decodeURIComponent(m.rest);
      } catch {
        throw new BadRequestError(`Invalid URL path escape in ${JSON.stringify(m.rest)}`);
      }
      const ctx = new Ctx(
        req,
        res,
        method === 'HEAD' ? 'GET' : method,
        rest,
        query,
        catalog,
        httpOptions,
        identity,
      );
      const reply = await route.handle(ctx);
      status = reply.status ?? 200;
      if (status === 499) return;
      // A read (or a refusal) describes the current state: send it only once that state is
      // durable. Successful writes come from catalog.write, which already waited for theirs.
      if (ctx.method === 'GET' || status >= 400) await catalog.readBarrier();
      send(req, res, reply, extra, identity.anonymous);
    } catch (err) {
      if (err instanceof ApiError) {
        status = err.status;
        await catalog.readBarrier()?.catch(() => undefined);
        const headers: Record<string, string> = {};
        if (err instanceof MethodNotAllowedError) headers.Allow = err.allow.join(',');
        if (status === 413) headers.Connection = 'close';
        send(req, res, { status, text: err.message, headers }, extra);
      } else {
        status = 500;
        opts.onError?.(err);
        send(
          req,
          res,
          { status, text: `Internal error: ${(err as Error)?.message ?? String(err)}` },
          extra,
        );
      }
    } finally {
      opts.observe?.(label, method, status);
    }
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      opts.onError?.(err);
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
        res.end('Internal error');
      } else res.destroy();
    });
  });
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  // Blocking queries last up to 10 min + wait/16: never cut them.
  server.requestTimeout = 0;
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy();
  });
  return server;
}
