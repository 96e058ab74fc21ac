/**
 * The console's JSON API under `/api/`: the session (sign in / out), one GET per page's view
 * model, container logs, the live feed, and `POST /api/actions`. Every request but sign-in
 * needs the session cookie; every state-changing one also needs the session's CSRF token in
 * `X-CSRF-Token` and to come from the console's own origin. Must never answer with a key pair.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { agentLogs, agentUrl } from '../adapters/hosts.js';
import { EcsCallError } from '../adapters/ecs-api.js';
import { ActionInputError, parseAction } from '../core/actions.js';
import { parseCookies, SESSION_COOKIE, sessionCookie } from '../core/cookies.js';
import type { Session } from '../core/sessions.js';
import { fieldOfError } from '../core/task-def-form.js';
import type { SessionInfo } from '../core/view-types.js';
import type { ConsoleEngine } from '../engine.js';
import { loadRegistry } from '../registry-loader.js';
import { loadScaling } from '../scaling-loader.js';
import { BodyError, readJson, sameOrigin, sendError, sendJson } from './http-util.js';
import { serveLive } from './live.js';

export interface ApiOptions {
  /** Mark the cookie Secure (the console is served over TLS by a proxy in front). */
  readonly secureCookies: boolean;
}

const KEY_ID = /^[A-Z0-9]{4,128}$/;

function info(engine: ConsoleEngine, s: Session): SessionInfo {
  return {
    accessKeyId: s.credentials.accessKeyId,
    csrfToken: s.csrfToken,
    idleTimeoutMs: engine.options.sessionIdleMs,
    region: engine.options.region,
  };
}

function failure(res: ServerResponse, e: unknown, field?: string): void {
  if (e instanceof EcsCallError) {
    const status = e.status >= 400 && e.status < 600 ? e.status : 502;
    sendError(res, status, e.type, e.message, field);
  } else if (e instanceof BodyError) {
    sendError(res, e.status, 'BadRequest', e.message);
  } else if (e instanceof ActionInputError) {
    sendError(res, 400, 'InvalidInput', e.message, e.field || undefined);
  } else {
    sendError(res, 500, 'ConsoleError', `The console failed: ${(e as Error).message ?? String(e)}`);
  }
}

async function signIn(
  engine: ConsoleEngine,
  o: ApiOptions,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const body = (await readJson(req, 4096)) as { accessKeyId?: unknown; secretAccessKey?: unknown };
  const accessKeyId = typeof body?.accessKeyId === 'string' ? body.accessKeyId.trim() : '';
  const secretAccessKey =
    typeof body?.secretAccessKey === 'string' ? body.secretAccessKey.trim() : '';
  if (!KEY_ID.test(accessKeyId)) {
    return sendError(
      res,
      400,
      'InvalidInput',
      'Enter the access key ID (capital letters and digits).',
      'accessKeyId',
    );
  }
  if (secretAccessKey.length < 8 || secretAccessKey.length > 256) {
    return sendError(res, 400, 'InvalidInput', 'Enter the secret access key.', 'secretAccessKey');
  }
  const s = await engine.signIn({ accessKeyId, secretAccessKey });
  sendJson(res, 200, info(engine, s), {
    'set-cookie': sessionCookie(s.id, { secure: o.secureCookies }),
  });
}

/** `GET /api/...` of a page's view model. */
async function view(
  engine: ConsoleEngine,
  s: Session,
  parts: string[],
  url: URL,
  res: ServerResponse,
): Promise<boolean> {
  const api = engine.api(s);
  const L = engine.loader;
  const [a, b, c, d, e] = parts;
  let body: unknown;
  if (a === 'clusters' && b === undefined) body = await api.clusterNames();
  else if (a === 'discovery' && b === undefined)
    body = await L.discovery(api, await api.clusterNames());
  else if (a === 'registry' && b === undefined)
    body = await loadRegistry(api, await api.clusterNames(), engine.options);
  else if (a === 'task-definitions' && b === undefined) body = await L.families(api);
  else if (a === 'task-definitions' && c === undefined && b) body = await L.taskDefinition(api, b);
  else if (a === 'c' && b) {
    if (c === 'overview' && d === undefined) body = await L.overview(api, b);
    else if (c === 'services' && d === undefined) body = await L.services(api, b);
    else if (c === 'services' && d && e === undefined) body = await L.service(api, b, d);
    else if (c === 'services' && d && e === 'scaling' && parts[5] === undefined)
      body = await loadScaling(api, engine.scaling(s), b, d);
    else if (c === 'tasks' && d === undefined) body = await L.tasks(api, b);
    else if (c === 'tasks' && d && e === undefined) body = await L.task(api, b, d);
    else if (c === 'tasks' && d && e === 'logs') return logs(engine, s, b, d, url, res);
    else if (c === 'instances' && d === undefined) body = await L.instances(api, b);
    else if (c === 'instances' && d && e === undefined) body = await L.instance(api, b, d);
    else return false;
  } else return false;
  sendJson(res, 200, body);
  return true;
}

async function logs(
  engine: ConsoleEngine,
  s: Session,
  cluster: string,
  id: string,
  url: URL,
  res: ServerResponse,
): Promise<boolean> {
  const detail = await engine.loader.task(engine.api(s), cluster, id);
  const inst = await engine.loader
    .instance(engine.api(s), cluster, detail.row.instanceId)
    .catch(() => undefined);
  const ip = inst?.row.ip;
  if (!ip) {
    sendError(
      res,
      502,
      'AgentUnknown',
      `The agent of instance ${detail.row.instanceId} has no advertised address.`,
    );
    return true;
  }
  const tailText = url.searchParams.get('tail') ?? '200';
  const tail = Math.min(2000, Math.max(1, Number(tailText) || 200));
  const container = url.searchParams.get('container') ?? detail.containers[0]?.name;
  try {
    const r = await agentLogs(
      agentUrl(ip, engine.options.agentPort),
      detail.row.id,
      container,
      tail,
    );
    if (r.status !== 200)
      sendError(res, 502, 'AgentRefused', `The agent answered ${r.status}: ${r.text.trim()}`);
    else sendJson(res, 200, { container, text: r.text });
  } catch (e) {
    sendError(res, 502, 'AgentUnreachable', (e as Error).message);
  }
  return true;
}

async function action(
  engine: ConsoleEngine,
  s: Session,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const body = (await readJson(req)) as { action?: unknown };
  const a = parseAction(body?.action);
  try {
    sendJson(res, 200, await engine.perform(s, a));
  } catch (e) {
    const field =
      a.kind === 'register-task-definition' && e instanceof EcsCallError
        ? fieldOfError(e.message, a.definition)
        : undefined;
    failure(res, e, field);
  }
}

/** Answers `/api/*`; false for other paths. */
export function apiHandler(engine: ConsoleEngine, o: ApiOptions) {
  return async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> => {
    if (!url.pathname.startsWith('/api/')) return false;
    const parts = url.pathname
      .slice('/api/'.length)
      .split('/')
      .map((p) => decodeURIComponent(p));
    const method = req.method ?? 'GET';
    const writes = method !== 'GET' && method !== 'HEAD';
    try {
      if (writes && !sameOrigin(req)) {
        sendError(res, 403, 'CrossSiteRefused', 'Requests from other sites are refused.');
        return true;
      }
      if (parts[0] === 'session' && parts.length === 1 && method === 'POST') {
        await signIn(engine, o, req, res);
        return true;
      }
      const id = parseCookies(req.headers.cookie).get(SESSION_COOKIE);
      const isLive = parts[0] === 'events' && parts.length === 1;
      // The live feed and the page's own refreshes are not the person's activity.
      const auto = isLive || header(req, 'x-berth-auto') === '1';
      const s = engine.sessions.get(id, Date.now(), !auto);
      if (!s) {
        sendError(res, 401, 'SignedOut', 'Sign in first (or again: the session ended).');
        return true;
      }
      if (writes && !engine.sessions.checkCsrf(s, header(req, 'x-csrf-token'))) {
        sendError(
          res,
          403,
          'CsrfRefused',
          "The request lacks the session's CSRF token; reload the page.",
        );
        return true;
      }
      if (parts[0] === 'session' && parts.length === 1) {
        if (method === 'GET') sendJson(res, 200, info(engine, s));
        else if (method === 'DELETE') {
          engine.signOut(s);
          res.writeHead(204, {
            'set-cookie': sessionCookie('', { secure: o.secureCookies, maxAgeMs: 0 }),
          });
          res.end();
        } else sendError(res, 405, 'MethodNotAllowed', `${method} is not allowed here`);
        return true;
      }
      if (isLive && method === 'GET') {
        serveLive(engine, s, req, res);
        return true;
      }
      if (parts[0] === 'actions' && parts.length === 1 && method === 'POST') {
        await action(engine, s, req, res);
        return true;
      }
      if (method === 'GET' && (await view(engine, s, parts, url, res))) return true;
      sendError(res, 404, 'NotFound', `No API at ${method} ${url.pathname}`);
    } catch (e) {
      failure(res, e);
    }
    return true;
  };
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}
