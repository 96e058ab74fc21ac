/**
 * The AWS query protocol on the scheduler's listener (issue 21: CloudWatch alarms): a
 * form-encoded `POST /` with `Action=...&Version=...` (no X-Amz-Target), SigV4 with the
 * service's signing name, answered in XML (`<XResponse><XResult>…`, lists as `<member>`,
 * errors as `<ErrorResponse><Error><Type/><Code/><Message/>`). Any replica serves an action
 * itself unless it needs the leader (its in-memory metrics): then a follower forwards it.
 * Must never answer a client's mistake with a 500, never build XML by hand (fast-xml-parser
 * escapes), and never accept a key that could reach an object's prototype.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { XMLBuilder } from 'fast-xml-parser';
import { sleep } from '@berth/daemon';
import { EcsError } from '../errors.js';
import type { Body } from '../core/input.js';
import { verifySigV4 } from '../core/sigv4.js';
import { FORWARDED_HEADER, NO_LEADER_HEADER, forwardRequest } from '../ha/forward.js';

/** One query action: its params (nested, strings at the leaves) → its Result, if any. */
export type QueryHandler = (params: Body) => Promise<Record<string, unknown> | undefined>;

/** One query-protocol API served on the listener. */
export interface QueryApi {
  /** SigV4 signing name (`monitoring`). */
  readonly service: string;
  readonly version: string;
  readonly xmlns: string;
  readonly handlers: Readonly<Record<string, QueryHandler>>;
  /** Actions only the leader can answer (a follower forwards them). */
  readonly leaderOnly: ReadonlySet<string>;
}

export interface QueryServerOptions {
  readonly api: QueryApi;
  readonly keys: ReadonlyMap<string, string> | undefined;
  readonly region: string;
  readonly maxSkewMs: number;
  readonly leaderWaitMs: number;
  readonly isLeader: () => boolean;
  readonly leaderUrl: () => string | undefined;
  readonly readBody: (req: IncomingMessage) => Promise<Buffer | undefined>;
  readonly onRequest?: (action: string, status: number, seconds: number) => void;
  readonly onError?: (error: unknown, action: string) => void;
}

/** True for a form-encoded request without X-Amz-Target: the query protocol. */
export function isQueryRequest(req: IncomingMessage): boolean {
  if (req.headers['x-amz-target']) return false;
  return String(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded');
}

const BAD_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** List positions are 1 to this in a request (CloudWatch's own lists are far shorter). */
const MAX_LIST_INDEX = 10_000;

/**
 * Form fields → nested params: `A.member.2.B=x` → `{A: [undefined, {B: 'x'}]}` compacted to
 * `{A: [{B: 'x'}]}`; an empty value stays '' (the CLI's empty list).
 */
export function parseQuery(text: string): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(text)) {
    const raw = key.split('.');
    if (raw.some((p) => BAD_KEYS.has(p) || p === '')) {
      throw new EcsError('InvalidParameterValue', `Invalid parameter name ${key}.`);
    }
    const path: (string | number)[] = [];
    for (let i = 0; i < raw.length; i++) {
      const p = raw[i]!;
      const next = raw[i + 1];
      if ((p === 'member' || p === 'entry') && next !== undefined && /^\d+$/.test(next)) {
        // Every index is bounded, not only the last: one huge index would make a sparse
        // array billions long that compacting then walks element by element.
        const index = Number(next) - 1;
        if (index < 0 || index >= MAX_LIST_INDEX) {
          throw new EcsError('InvalidParameterValue', `Invalid list index in ${key}.`);
        }
        path.push(index);
        i++;
      } else path.push(p);
    }
    let cur: Record<string | number, unknown> = root;
    for (let i = 0; i < path.length - 1; i++) {
      const k = path[i]!;
      const want = typeof path[i + 1] === 'number' ? 'array' : 'object';
      let child = cur[k];
      const ok = want === 'array' ? Array.isArray(child) : isObject(child);
      if (!ok) cur[k] = child = want === 'array' ? [] : {};
      cur = child as Record<string | number, unknown>;
    }
    cur[path[path.length - 1]!] = value;
  }
  return compact(root) as Record<string, unknown>;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function compact(v: unknown): unknown {
  if (Array.isArray(v)) return v.filter((x) => x !== undefined).map(compact);
  if (isObject(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, compact(x)]));
  return v;
}

/** Plain data → what XMLBuilder writes as the query protocol's XML. */
function toXmlData(v: unknown): unknown {
  if (v instanceof Date) return v.toISOString();
  if (Array.isArray(v)) return v.length === 0 ? '' : { member: v.map(toXmlData) };
  if (isObject(v)) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (x !== undefined) out[k] = toXmlData(x);
    return out;
  }
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return v;
}

const builder = new XMLBuilder({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  suppressEmptyNode: false,
});

/** The XML answer to `action`. */
export function resultXml(
  api: QueryApi,
  action: string,
  result: Record<string, unknown> | undefined,
  requestId: string,
): string {
  return builder.build({
    [`${action}Response`]: {
      '@_xmlns': api.xmlns,
      ...(result ? { [`${action}Result`]: toXmlData(result) } : {}),
      ResponseMetadata: { RequestId: requestId },
    },
  }) as string;
}

/** The XML error answer. */
export function errorXml(api: QueryApi, e: EcsError, requestId: string): string {
  return builder.build({
    ErrorResponse: {
      '@_xmlns': api.xmlns,
      Error: { Type: e.status >= 500 ? 'Receiver' : 'Sender', Code: e.type, Message: e.message },
      RequestId: requestId,
    },
  }) as string;
}

function sendXml(res: ServerResponse, status: number, xml: string, id: string): void {
  res.writeHead(status, {
    'content-type': 'text/xml',
    'content-length': Buffer.byteLength(xml),
    'x-amzn-requestid': id,
  });
  res.end(xml);
}

async function serve(o: QueryServerOptions, req: IncomingMessage, res: ServerResponse, id: string) {
  const raw = await o.readBody(req);
  if (raw === undefined) {
    res.setHeader('connection', 'close');
    throw new EcsError('InvalidParameterValue', 'The request body is too large.', 413);
  }
  if (o.keys) {
    verifySigV4(
      { method: req.method ?? 'POST', url: req.url ?? '/', headers: req.headers, body: raw },
      { keys: o.keys, region: o.region, service: o.api.service, maxSkewMs: o.maxSkewMs },
    );
  }
  const params = parseQuery(raw.toString('utf8'));
  const action = typeof params['Action'] === 'string' ? params['Action'] : '';
  const handler = Object.hasOwn(o.api.handlers, action) ? o.api.handlers[action] : undefined;
  if (!handler) {
    throw new EcsError('InvalidAction', `The action ${action || '(none)'} is not valid.`);
  }
  if (o.api.leaderOnly.has(action) && !o.isLeader()) {
    await forward(o, req, res, raw);
    return action;
  }
  const result = await handler(params);
  sendXml(res, 200, resultXml(o.api, action, result, id), id);
  return action;
}

async function forward(
  o: QueryServerOptions,
  req: IncomingMessage,
  res: ServerResponse,
  raw: Buffer,
) {
  const deadline = Date.now() + o.leaderWaitMs;
  for (;;) {
    const leader = o.leaderUrl();
    if (leader && !req.headers[FORWARDED_HEADER]) {
      try {
        await forwardRequest(leader, req.url ?? '/', req.headers, raw, res);
        return;
      } catch {
        // The leader is gone; wait for the next one below.
      }
    }
    if (o.isLeader() || Date.now() >= deadline || req.headers[FORWARDED_HEADER]) {
      throw new EcsError('ServiceUnavailable', 'No scheduler leader is available; retry.', 503);
    }
    await sleep(200);
  }
}

/** Serves one query-protocol request (errors answered in XML, never thrown). */
export function serveQuery(o: QueryServerOptions, req: IncomingMessage, res: ServerResponse): void {
  const t0 = process.hrtime.bigint();
  const id = randomUUID();
  let action = 'unknown';
  serve(o, req, res, id)
    .then((a) => {
      action = a;
    })
    .catch((e: unknown) => {
      let error: EcsError;
      if (e instanceof EcsError) error = e;
      else {
        o.onError?.(e, action);
        error = new EcsError('InternalFailure', 'An internal error occurred; it was logged.', 500);
      }
      if (error.status === 503) res.setHeader(NO_LEADER_HEADER, '1');
      if (!res.headersSent) sendXml(res, error.status, errorXml(o.api, error, id), id);
      else res.destroy();
    })
    .finally(() => {
      o.onRequest?.(
        `${o.api.service}.${action}`,
        res.statusCode,
        Number(process.hrtime.bigint() - t0) / 1e9,
      );
    });
}
