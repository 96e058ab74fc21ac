/**
 * `/health` and `/metrics` for any daemon: a request handler that daemons mount on their own
 * HTTP listener, or a small admin server for daemons whose main port is not HTTP.
 * It must never block on the daemon's own work: it only reads the Health state and registry.
 */

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import type { Health } from '../health.js';
import type { ListenAddress } from '../core/listen.js';

export type AdminHandler = (req: IncomingMessage, res: ServerResponse) => boolean;

export interface AdminOptions {
  readonly health: Health;
  readonly registry: Registry;
}

/**
 * Answers `GET /health` (JSON; 200 only when ok, else 503) and `GET /metrics` (Prometheus text).
 * Returns false for every other path so the caller can route it.
 */
export function adminHandler(options: AdminOptions): AdminHandler {
  const { health, registry } = options;
  return (req, res) => {
    const path = (req.url ?? '/').split('?', 1)[0];
    if (path !== '/health' && path !== '/metrics') return false;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' });
      res.end(`method ${req.method} not allowed\n`);
      return true;
    }
    if (path === '/health') {
      const body = JSON.stringify(health.toJSON());
      res.writeHead(health.healthy ? 200 : 503, {
        'content-type': 'application/json',
        'cache-control': 'no-store',
      });
      res.end(req.method === 'HEAD' ? undefined : body);
      return true;
    }
    registry.metrics().then(
      (text) => {
        res.writeHead(200, { 'content-type': registry.contentType });
        res.end(req.method === 'HEAD' ? undefined : text);
      },
      (err: unknown) => {
        res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
        res.end(`metrics failed: ${String(err)}\n`);
      },
    );
    return true;
  };
}

export interface AdminServer {
  readonly server: Server;
  readonly address: AddressInfo;
  close(): Promise<void>;
}

/** Starts an HTTP server for `handler` (404 for other paths) on `listen`. */
export async function startAdminServer(
  listen: ListenAddress,
  handler: AdminHandler,
): Promise<AdminServer> {
  const server = createServer((req, res) => {
    if (!handler(req, res)) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('not found\n');
    }
  });
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(listen.port, listen.host || undefined, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    server,
    address: server.address() as AddressInfo,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
