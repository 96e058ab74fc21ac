/**
 * A small counting HTTP proxy on 127.0.0.1:0 in front of a Consul-compatible server: it
 * forwards every request unchanged and records its method and path, so tests can assert how
 * many requests a watch made and to which endpoints.
 */
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface CountingProxy {
  url: string;
  /** Every request seen, as `METHOD /path` (no query). */
  log: string[];
  /** Requests whose path starts with `prefix` since the last reset(). */
  count(prefix: string): number;
  reset(): void;
  /** Hold answers to paths starting with `prefix` for `ms` before passing them on (0: off). */
  delay(prefix: string, ms: number): void;
  close(): Promise<void>;
}

export async function countingProxy(target: string): Promise<CountingProxy> {
  const t = new URL(target);
  const log: string[] = [];
  const delays = new Map<string, number>();
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const u = new URL(req.url ?? '/', 'http://x');
    log.push(`${req.method} ${decodeURIComponent(u.pathname)}`);
    const up = request(
      {
        host: t.hostname,
        port: t.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
      },
      (r) => {
        const pass = (): void => {
          res.writeHead(r.statusCode ?? 502, r.headers);
          r.pipe(res);
        };
        const ms = [...delays].find(([p]) => u.pathname.startsWith(p))?.[1] ?? 0;
        if (ms > 0) setTimeout(pass, ms);
        else pass();
      },
    );
    up.on('error', () => {
      if (!res.headersSent) res.writeHead(502);
      res.destroy();
    });
    // A client that gives up (abort, close) ends the upstream long-poll too.
    res.on('close', () => up.destroy());
    req.pipe(up);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    log,
    count: (prefix) => log.filter((l) => l.split(' ')[1]?.startsWith(prefix)).length,
    reset: () => {
      log.length = 0;
    },
    delay: (prefix, ms) => {
      delays.set(prefix, ms);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
