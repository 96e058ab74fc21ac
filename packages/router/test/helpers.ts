/** Small helpers shared by the router's tests. */
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import type { RouteSnapshot } from '../src/snapshot-routes.js';

/** The value `fn` throws, or undefined when it returns. */
export function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  return undefined;
}

/** One instance in a hand-made snapshot. */
export interface FakeInstance {
  readonly port: number;
  readonly tags: readonly string[];
  readonly status?: 'passing' | 'warning' | 'critical';
  readonly address?: string;
  readonly maintenance?: boolean;
}

/** A RouteSnapshot from `{ service: [instances] }`. */
export function snapshotOf(services: Record<string, FakeInstance[]>): RouteSnapshot {
  const m = new Map<
    string,
    RouteSnapshot['services'] extends ReadonlyMap<string, infer V> ? V : never
  >();
  for (const [name, list] of Object.entries(services)) {
    m.set(
      name,
      list.map((i) => ({
        address: i.address ?? '127.0.0.1',
        nodeAddress: '127.0.0.1',
        port: i.port,
        tags: i.tags,
        status: i.status ?? 'passing',
        maintenance: i.maintenance ?? false,
      })),
    );
  }
  return { services: m };
}

/** A running test backend. */
export interface Backend {
  readonly port: number;
  readonly server: http.Server;
  hits: number;
  connections: number;
  close(): Promise<void>;
}

/** An HTTP server on 127.0.0.1:0 answering with `handler` (default: JSON echo of the request). */
export async function startBackend(
  name: string,
  handler?: (req: http.IncomingMessage, res: http.ServerResponse, b: Backend) => void,
): Promise<Backend> {
  const b: Backend = {
    port: 0,
    server: undefined as unknown as http.Server,
    hits: 0,
    connections: 0,
    close: async () => {
      b.server.closeAllConnections();
      await new Promise<void>((r) => b.server.close(() => r()));
    },
  };
  const server = http.createServer((req, res) => {
    b.hits++;
    if (handler !== undefined) return handler(req, res, b);
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      res.setHeader('content-type', 'application/json');
      res.end(
        JSON.stringify({
          name,
          method: req.method,
          url: req.url,
          headers: req.headers,
          rawHeaders: req.rawHeaders,
          body: Buffer.concat(chunks).toString(),
        }),
      );
    });
  });
  server.on('connection', () => b.connections++);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  (b as { port: number }).port = (server.address() as AddressInfo).port;
  (b as { server: http.Server }).server = server;
  return b;
}

/** A port on 127.0.0.1 with nothing listening. */
export async function deadPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** Sends raw bytes, returns everything the server sends until it closes or `ms` passes. */
export async function rawRequest(port: number, data: string | Buffer, ms = 2000): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => sock.destroy(), ms);
    sock.on('data', (c) => chunks.push(c));
    sock.on('error', reject);
    sock.on('close', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks).toString('latin1'));
    });
    sock.write(data);
  });
}

/** A simple GET/POST through the proxy with a fresh connection (no pooling surprises). */
export async function request(
  port: number,
  path: string,
  opts: { method?: string; headers?: Record<string, string>; body?: string | Buffer } = {},
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: opts.method ?? 'GET',
        headers: opts.headers,
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString(),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(opts.body);
  });
}

/** Waits until `fn` returns true, polling every 5 ms, for at most `ms`. */
export async function until(fn: () => boolean | Promise<boolean>, ms = 2000): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await fn()) return true;
    await new Promise((r) => setTimeout(r, 5));
  }
  return fn();
}
