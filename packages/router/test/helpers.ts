/** Network helpers shared by the router's tests: backends, raw and plain requests. */
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';

/** The value `fn` throws, or undefined when it returns. */
export function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  return undefined;
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

/** What a raw client saw: the bytes, and whether the connection was reset rather than ended. */
export interface RawOutcome {
  readonly text: string;
  readonly reset: boolean;
  /** The server closed before `ms` passed. */
  readonly closed: boolean;
}

/** Like {@link rawRequest}, but tells a reset from a clean end; optional source address. */
export async function rawOutcome(
  port: number,
  data: string | Buffer,
  opts: { ms?: number; localAddress?: string } = {},
): Promise<RawOutcome> {
  return new Promise((resolve) => {
    const sock = net.connect({ port, host: '127.0.0.1', localAddress: opts.localAddress });
    const chunks: Buffer[] = [];
    let reset = false;
    let closed = true;
    const timer = setTimeout(() => {
      closed = false;
      sock.destroy();
    }, opts.ms ?? 2000);
    sock.on('data', (c) => chunks.push(c));
    sock.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ECONNRESET') reset = true;
    });
    sock.on('close', () => {
      clearTimeout(timer);
      resolve({ text: Buffer.concat(chunks).toString('latin1'), reset, closed });
    });
    sock.write(data);
  });
}

/** A raw TCP "upstream" that answers every connection with `onData`. */
export async function rawBackend(
  onData: (sock: net.Socket, data: Buffer) => void,
): Promise<{ port: number; connections: number; close(): Promise<void> }> {
  const socks = new Set<net.Socket>();
  const b = { port: 0, connections: 0, close: async () => {} };
  const server = net.createServer((sock) => {
    b.connections++;
    socks.add(sock);
    sock.on('close', () => socks.delete(sock));
    sock.on('error', () => {});
    sock.on('data', (d) => onData(sock, d));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  b.port = (server.address() as AddressInfo).port;
  b.close = async () => {
    for (const s of socks) s.destroy();
    await new Promise<void>((r) => server.close(() => r()));
  };
  return b;
}
