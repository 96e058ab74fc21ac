/**
 * The scheduler's one HTTP listener: `GET /health` and `GET /metrics`, and `POST /` speaking
 * AWS JSON 1.1 (X-Amz-Target, SigV4, `{"__type", "message"}` errors). A follower forwards
 * verified requests to the leader. Must never answer a client's mistake with a 500 and never
 * echo secrets; unexpected faults become ServerException and are reported through `onError`.
 */
import { sleep } from '@berth/daemon';
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AdminHandler } from '@berth/daemon';
import type { Caller, Handler } from '../api/context.js';
import { lookupAction } from '../api/dispatch.js';
import { EcsError } from '../errors.js';
import { FORWARDED_HEADER, NO_LEADER_HEADER, forwardRequest } from '../ha/forward.js';
import type { Replica } from '../engine.js';
import type { Body } from '../core/input.js';
import { checkArnScope, checkRequestTypes } from '../core/check-request.js';
import { verifySigV4 } from '../core/sigv4.js';
import type { EventHub } from '../events/event-hub.js';
import { serveEvents } from './sse.js';
import type { DirectLookup } from '../ssm/direct-actions.js';
import { isQueryRequest, type QueryApi, serveQuery } from './query-protocol.js';

export interface EcsServerOptions {
  readonly replica: Replica;
  /** Access key ID -> secret; undefined disables signature checks (development only). */
  readonly keys: ReadonlyMap<string, string> | undefined;
  readonly region: string;
  readonly maxBodyBytes: number;
  readonly maxSkewMs: number;
  /** How long a request waits for a leader to be elected before 503. */
  readonly leaderWaitMs: number;
  readonly admin: AdminHandler;
  readonly onRequest?: (action: string, status: number, seconds: number) => void;
  readonly onError?: (error: unknown, action: string) => void;
  /** Served as `GET /v1/events` (Server-Sent Events) when given. */
  readonly events?: EventHub | undefined;
  /** Access key ID -> the IAM principal ARN it stands for (account settings); default: root. */
  readonly principals?: ReadonlyMap<string, string> | undefined;
  /** Actions any replica serves itself (SSM, secrets for agents): no leader, no forwarding. */
  readonly direct?: DirectLookup | undefined;
  /** A query-protocol API (form-encoded `Action=`, XML answers: CloudWatch alarms). */
  readonly query?: QueryApi | undefined;
}

const JSON_TYPE = 'application/x-amz-json-1.1';

function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  extra: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': JSON_TYPE,
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': randomUUID(),
    ...extra,
  });
  res.end(text);
}

function sendError(res: ServerResponse, e: EcsError): void {
  const extra: Record<string, string> = { 'x-amzn-errortype': `${e.type}:` };
  // A replica without leadership says so, so a forwarding replica waits instead of relaying.
  if (e.status === 503 && e.type === 'ServerException') extra[NO_LEADER_HEADER] = '1';
  send(res, e.status, { __type: e.type, message: e.message }, extra);
}

/** Converts anything thrown by a handler into the EcsError the client sees. */
export function toEcsError(e: unknown): { error: EcsError; fault: boolean } {
  if (e instanceof EcsError) return { error: e, fault: e.status === 500 };
  const ecsType = (e as { ecsType?: unknown } | null)?.ecsType;
  if (e instanceof Error && typeof ecsType === 'string') {
    return { error: new EcsError(ecsType, e.message), fault: false };
  }
  return {
    error: new EcsError('ServerException', 'An internal error occurred; it was logged.', 500),
    fault: true,
  };
}

/** How long the rest of a refused body may take to arrive before the connection is cut. */
const LINGER_MS = 5000;

/**
 * Reads and drops the rest of a refused request body (as nginx's lingering close does), so the
 * answer can go out with `connection: close` once the client has sent it all: closing with
 * the body still arriving would reset the connection and lose the answer under the client.
 * Resolves false, having cut the connection, when the body does not end within LINGER_MS.
 */
function dropBody(req: IncomingMessage): Promise<boolean> {
  if (req.complete) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      req.socket.destroy();
      resolve(false);
    }, LINGER_MS);
    req.once('end', () => {
      clearTimeout(timer);
      resolve(true);
    });
    req.once('close', () => {
      clearTimeout(timer);
      resolve(req.complete);
    });
    req.resume();
  });
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (c: Buffer) => {
      if (over) return;
      size += c.length;
      if (size > limit) {
        over = true;
        chunks.length = 0;
        resolve(undefined);
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      if (!over) resolve(Buffer.concat(chunks));
    });
    req.on('error', reject);
  });
}

async function dispatch(
  o: EcsServerOptions,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<string> {
  const declared = Number(req.headers['content-length'] ?? 0);
  const raw = declared > o.maxBodyBytes ? undefined : await readBody(req, o.maxBodyBytes);
  if (raw === undefined) {
    await dropBody(req);
    res.setHeader('connection', 'close');
    throw new EcsError('ClientException', `Request body is larger than ${o.maxBodyBytes} bytes.`);
  }
  const target = String(req.headers['x-amz-target'] ?? '');
  const direct = o.direct?.(target);
  let accessKeyId: string | undefined;
  if (o.keys) {
    accessKeyId = verifySigV4(
      { method: req.method ?? 'POST', url: req.url ?? '/', headers: req.headers, body: raw },
      { keys: o.keys, region: o.region, service: direct?.service ?? 'ecs', maxSkewMs: o.maxSkewMs },
    );
  }
  const caller: Caller = {
    principalArn: accessKeyId === undefined ? undefined : o.principals?.get(accessKeyId),
  };
  const found = direct ? undefined : lookupAction(target);
  if (!found && !direct) {
    throw new EcsError(
      'UnknownOperationException',
      target ? `Unknown operation ${target}.` : 'Missing X-Amz-Target header.',
    );
  }
  let body: Body;
  try {
    const parsed: unknown = raw.length === 0 ? {} : JSON.parse(raw.toString('utf8'));
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new Error('the request body must be a JSON object');
    }
    body = parsed as Body;
  } catch (e) {
    throw new EcsError(
      'SerializationException',
      `Cannot parse the request body: ${(e as Error).message}`,
    );
  }
  if (direct) {
    send(res, 200, await direct.handler(body, accessKeyId));
    return direct.action;
  }
  if (!found) throw new EcsError('UnknownOperationException', `Unknown operation ${target}.`);
  await runOrForward(o, found, body, caller, req, res, raw);
  return found.action;
}

async function runOrForward(
  o: EcsServerOptions,
  found: { action: string; handler: Handler },
  body: Body,
  caller: Caller,
  req: IncomingMessage,
  res: ServerResponse,
  raw: Buffer,
): Promise<void> {
  const deadline = Date.now() + o.leaderWaitMs;
  for (;;) {
    const ctx = o.replica.context;
    if (ctx) {
      checkRequestTypes(found.action, body);
      checkArnScope(found.action, body, ctx.state.scope);
      send(res, 200, await found.handler(ctx, body, caller));
      return;
    }
    const leader = o.replica.leaderUrl;
    if (leader && !req.headers[FORWARDED_HEADER]) {
      try {
        await forwardRequest(leader, req.url ?? '/', req.headers, raw, res);
        return;
      } catch {
        // The leader is gone; wait for the next one below.
      }
    }
    const left = deadline - Date.now();
    if (left <= 0 || req.headers[FORWARDED_HEADER]) {
      throw new EcsError('ServerException', 'No scheduler leader is available; retry.', 503);
    }
    await o.replica.settled(Math.min(left, 500));
    if (!o.replica.context && o.replica.leaderUrl === leader) {
      await sleep(Math.min(left, 100));
    }
  }
}

/** `GET /v1/events`: SigV4 checked as for the API; only the leader has events to stream. */
function openEvents(
  o: EcsServerOptions,
  hub: EventHub,
  req: IncomingMessage,
  res: ServerResponse,
): void {
  try {
    if (o.keys) {
      verifySigV4(
        { method: 'GET', url: req.url ?? '/', headers: req.headers, body: Buffer.alloc(0) },
        { keys: o.keys, region: o.region, service: 'ecs', maxSkewMs: o.maxSkewMs },
      );
    }
    if (!o.replica.context) {
      const leader = o.replica.leaderUrl;
      throw new EcsError(
        'ServerException',
        `This replica does not lead; stream events from the leader${leader ? ` at ${leader}` : ''}.`,
        503,
      );
    }
  } catch (e) {
    sendError(res, toEcsError(e).error);
    return;
  }
  serveEvents(hub, req, res);
}

/** The query-protocol server's options from the listener's own. */
function queryOptions(o: EcsServerOptions, api: QueryApi): Parameters<typeof serveQuery>[0] {
  return {
    api,
    keys: o.keys,
    region: o.region,
    maxSkewMs: o.maxSkewMs,
    leaderWaitMs: o.leaderWaitMs,
    isLeader: () => o.replica.context !== undefined,
    leaderUrl: () => o.replica.leaderUrl,
    readBody: async (req) => {
      const declared = Number(req.headers['content-length'] ?? 0);
      const raw = declared > o.maxBodyBytes ? undefined : await readBody(req, o.maxBodyBytes);
      if (raw === undefined) await dropBody(req);
      return raw;
    },
    ...(o.onRequest ? { onRequest: o.onRequest } : {}),
    ...(o.onError ? { onError: o.onError } : {}),
  };
}

/** Creates (does not start) the HTTP server. */
export function createEcsServer(o: EcsServerOptions): Server {
  const server = createServer((req, res) => {
    if (o.admin(req, res)) return;
    const path = (req.url ?? '/').split('?', 1)[0];
    if (path === '/v1/events' && o.events && req.method === 'GET') {
      openEvents(o, o.events, req, res);
      return;
    }
    if (path !== '/') {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('not found\n');
      return;
    }
    if (req.method !== 'POST') {
      res.writeHead(405, { allow: 'POST', 'content-type': 'text/plain; charset=utf-8' });
      res.end(`method ${req.method} not allowed\n`);
      return;
    }
    if (o.query && isQueryRequest(req)) {
      serveQuery(queryOptions(o, o.query), req, res);
      return;
    }
    const t0 = process.hrtime.bigint();
    let action = 'unknown';
    dispatch(o, req, res)
      .then((a) => {
        action = a;
      })
      .catch((e: unknown) => {
        const target = String(req.headers['x-amz-target'] ?? '');
        action = (o.direct?.(target) ?? lookupAction(target))?.action ?? 'unknown';
        const { error, fault } = toEcsError(e);
        if (fault) o.onError?.(e, action);
        if (!res.headersSent) sendError(res, error);
        else res.destroy();
      })
      .finally(() => {
        o.onRequest?.(action, res.statusCode, Number(process.hrtime.bigint() - t0) / 1e9);
      });
  });
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 70_000;
  server.requestTimeout = 0;
  return server;
}
