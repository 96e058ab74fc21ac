/**
 * The console's one HTTP listener: `/health` and `/metrics`, the JSON API under `/api/`, the
 * bundled assets under `/assets/`, and the page for every other GET (each view has its own URL).
 * Must never serve anything that is not the console's own.
 */
import { createServer, type Server } from 'node:http';
import type { AdminHandler } from '@berth/daemon';
import type { ConsoleEngine } from '../engine.js';
import { type ApiOptions, apiHandler } from './api.js';
import { sendError } from './http-util.js';
import type { StaticFiles } from './static-files.js';

export function createConsoleServer(
  engine: ConsoleEngine,
  files: StaticFiles,
  admin: AdminHandler,
  options: ApiOptions,
): Server {
  const api = apiHandler(engine, options);
  const server = createServer((req, res) => {
    if (admin(req, res)) return;
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://console');
    } catch {
      return sendError(res, 400, 'BadRequest', 'bad URL');
    }
    api(req, res, url)
      .then((handled) => {
        if (handled) return;
        if (req.method !== 'GET' && req.method !== 'HEAD') {
          return sendError(res, 405, 'MethodNotAllowed', `${req.method} is not allowed here`);
        }
        if (url.pathname.startsWith('/assets/')) {
          if (!files.serveAsset(req, res, url.pathname))
            sendError(res, 404, 'NotFound', 'no such asset');
          return;
        }
        files.serveIndex(req, res);
      })
      .catch(() => {
        if (!res.headersSent) sendError(res, 500, 'ConsoleError', 'The console failed.');
        else res.destroy();
      });
  });
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 20_000;
  server.requestTimeout = 0;
  return server;
}
