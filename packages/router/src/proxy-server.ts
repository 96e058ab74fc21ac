/**
 * The proxy listener: a plain `net` server whose connections are {@link ClientConn}s, plus
 * one periodic sweep that enforces every timeout (no timer per request). It must never read
 * routes from anywhere but `ctx.table`.
 */
import net from 'node:net';
import { ClientConn } from './client-conn.js';
import type { ProxyContext } from './proxy-context.js';

/** A running proxy listener. */
export interface ProxyServer {
  readonly address: { host: string; port: number };
  readonly connections: ReadonlySet<ClientConn>;
  /** Stops accepting, closes idle connections, waits up to `graceMs` for the rest. */
  close(graceMs: number): Promise<void>;
}

/** Starts listening on `host:port` (port 0 picks one). */
export async function startProxyServer(
  ctx: ProxyContext,
  listen: { host: string; port: number },
): Promise<ProxyServer> {
  const conns = new Set<ClientConn>();
  const server = net.createServer({ allowHalfOpen: true, noDelay: true }, (socket) => {
    const c = new ClientConn(socket, ctx, Date.now());
    conns.add(c);
    socket.on('close', () => conns.delete(c));
  });
  server.on('error', (err) => ctx.events.clientError('BERTH_ROUTER_LISTEN', err.message));
  const t = ctx.timeouts;
  const sweepMs = Math.max(
    25,
    Math.min(1000, Math.min(t.header, t.idle, t.connect, t.response) / 5),
  );
  const sweep = setInterval(() => {
    const now = Date.now();
    for (const c of conns) c.tick(now);
    ctx.pools.sweep(now, ctx.table?.keys());
  }, sweepMs);
  sweep.unref();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(listen.port, listen.host === '' ? undefined : listen.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address() as net.AddressInfo;
  return {
    address: { host: addr.address, port: addr.port },
    connections: conns,
    async close(graceMs: number): Promise<void> {
      ctx.draining = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      const deadline = Date.now() + graceMs;
      while (conns.size > 0 && Date.now() < deadline) {
        for (const c of conns) c.closeIdle();
        if (conns.size === 0) break;
        await new Promise((r) => setTimeout(r, 20));
      }
      for (const c of conns) c.socket.destroy();
      clearInterval(sweep);
      ctx.pools.destroyAll();
      await closed;
    },
  };
}
