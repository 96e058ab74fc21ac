/**
 * The admin listener's router pages: `/api/routes` (JSON, or the route commands with
 * `?format=text`), `/routes` (HTML for people), `/api/manual`, `/api/upstreams`; `/health`
 * and `/metrics` come from @berth/daemon's handler. Read-only: it must never change routes.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { adminHandler, type Health, type Registry } from '@berth/daemon';
import type { RouteTable } from '../core/route-table.js';
import type { UpstreamStates } from '../core/upstream-state.js';

/** Connections the admin listener accepts at once: it must stay reachable, not be a target. */
const ADMIN_MAX_CONNECTIONS = 64;

/** What the admin pages read. */
export interface AdminView {
  table(): RouteTable | undefined;
  manual(): { path: string; text: string; error: string | undefined };
  states(): UpstreamStates;
}

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function routesHtml(table: RouteTable | undefined): string {
  const rows = (table?.routes ?? [])
    .flatMap((r) =>
      r.targets.map(
        (t, i) =>
          `<tr><td>${i === 0 ? esc(r.src) : ''}</td><td>${esc(t.service)}</td>` +
          `<td>${esc(t.url)}</td><td>${(t.weight * 100).toFixed(1)}%</td>` +
          `<td>${esc(
            Object.entries(t.opts)
              .map(([k, v]) => `${k}=${v}`)
              .join(' '),
          )}</td>` +
          `<td>${t.state.ejectedUntil > Date.now() ? 'ejected' : ''}</td></tr>`,
      ),
    )
    .join('\n');
  return `<!doctype html><html><head><meta charset="utf-8"><title>berth router</title>
<style>body{font-family:sans-serif}td,th{padding:2px 8px;text-align:left}tr:nth-child(even){background:#f4f4f4}</style>
</head><body><h1>Routes</h1><p>${table?.routes.length ?? 0} routes</p>
<table><tr><th>source</th><th>service</th><th>target</th><th>weight</th><th>options</th><th>health</th></tr>
${rows}
</table></body></html>
`;
}

/** Answers the router's admin paths; false for others. */
export function routerAdminHandler(view: AdminView) {
  return (req: IncomingMessage, res: ServerResponse): boolean => {
    const url = new URL(req.url ?? '/', 'http://admin');
    const path = url.pathname;
    if (!['/api/routes', '/routes', '/api/manual', '/api/upstreams'].includes(path)) return false;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' });
      res.end(`method ${req.method} not allowed\n`);
      return true;
    }
    const table = view.table();
    let type = 'application/json';
    let body: string;
    if (path === '/api/routes') {
      if (url.searchParams.get('format') === 'text') {
        type = 'text/plain; charset=utf-8';
        body = (table?.lines ?? []).join('\n') + '\n';
      } else body = JSON.stringify(table?.toJSON() ?? [], null, 2);
    } else if (path === '/routes') {
      type = 'text/html; charset=utf-8';
      body = routesHtml(table);
    } else if (path === '/api/manual') {
      body = JSON.stringify(view.manual(), null, 2);
    } else {
      body = JSON.stringify(view.states().list(), null, 2);
    }
    res.writeHead(200, { 'content-type': type, 'cache-control': 'no-store' });
    res.end(req.method === 'HEAD' ? undefined : body);
    return true;
  };
}

/** Starts the admin listener: @berth/daemon's /health and /metrics plus the router's pages. */
export async function startAdminServer(
  listen: { host: string; port: number },
  deps: { health: Health; registry: Registry; view: AdminView },
): Promise<Server> {
  const base = adminHandler({ health: deps.health, registry: deps.registry });
  const own = routerAdminHandler(deps.view);
  const server = createServer((req, res) => {
    if (base(req, res) || own(req, res)) return;
    res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
    res.end('not found\n');
  });
  server.maxConnections = ADMIN_MAX_CONNECTIONS;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(listen.port, listen.host || undefined, () => resolve());
  });
  return server;
}
