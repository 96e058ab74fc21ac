/**
 * The proxy listener: a plain `net` server whose connections are {@link ClientConn}s, a cap
 * on their number (`--max-connections`: idle keep-alive connections are closed first, then
 * new ones refused), and one periodic sweep that advances the coarse clock and enforces every
 * deadline (no timer per request). It must never read routes from anywhere but `ctx.table`.
 */
import net from 'node:net';
import { sleep } from '@berth/daemon';
import { ClientConn } from './client-conn.js';
import { peerInfo, readProxyHeader } from './proxy-header.js';
import type { ProxyContext } from './proxy-context.js';

/** Idle connections closed at once when the cap is reached (nginx drains up to 32). */
const SHED_BATCH = 32;

/** A running proxy listener. */
export interface ProxyServer {
  readonly address: { host: string; port: number };
  readonly connections: ReadonlySet<ClientConn>;
  /** Stops accepting, closes idle connections, waits up to `graceMs` for the rest. */
  close(graceMs: number): Promise<void>;
}

/** Closes up to `n` idle keep-alive connections (they stop counting at once); returns how many. */
function shedIdle(conns: Set<ClientConn>, n: number): number {
  let shed = 0;
  for (const c of conns) {
    if (shed >= n) break;
    if (c.closeIdle()) {
      conns.delete(c);
      shed++;
    }
  }
  return shed;
}

/** Starts listening on `host:port` (port 0 picks one). */
export async function startProxyServer(
  ctx: ProxyContext,
  listen: { host: string; port: number },
): Promise<ProxyServer> {
  const conns = new Set<ClientConn>();
  // connections still reading their PROXY header count towards the cap too
  let handshaking = 0;
  const server = net.createServer({ allowHalfOpen: true, noDelay: true }, (socket) => {
    if (conns.size + handshaking >= ctx.maxConnections) {
      const shed = shedIdle(conns, SHED_BATCH);
      for (let i = 0; i < shed; i++) ctx.events.shed('idle');
      if (shed === 0) {
        ctx.events.shed('refused');
        socket.destroy();
        return;
      }
    }
    const serve = (info: ReturnType<typeof peerInfo>, initial?: Buffer) => {
      const c = new ClientConn(socket, ctx, info, initial);
      conns.add(c);
      socket.on('close', () => conns.delete(c));
    };
    if (!ctx.proxyProtocol) return serve(peerInfo(socket, ctx));
    handshaking++;
    let counted = true;
    const uncount = () => {
      if (counted) handshaking--;
      counted = false;
    };
    socket.once('close', uncount);
    readProxyHeader(socket, ctx, (info, rest) => {
      uncount();
      serve(info, rest);
    });
  });
  server.on('error', (err) => ctx.events.clientError('BERTH_ROUTER_LISTEN', err.message));
  const t = ctx.timeouts;
  const sweepMs = Math.max(
    25,
    Math.min(1000, Math.min(t.header, t.idle, t.connect, t.response, t.send, t.body, t.linger) / 5),
  );
  const sweep = setInterval(() => {
    const now = Date.now();
    ctx.clock.now = now;
    for (const c of conns) c.tick(now);
    ctx.pools.sweep(now, ctx.table?.keys());
  }, sweepMs);
  sweep.unref();
  // the hot path reads ctx.clock.now; between sweeps it may lag by one sweep interval
  const clock = setInterval(() => (ctx.clock.now = Date.now()), Math.min(sweepMs, 100));
  clock.unref();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(
      { port: listen.port, host: listen.host === '' ? undefined : listen.host, backlog: 4096 },
      () => {
        server.off('error', reject);
        resolve();
      },
    );
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
        await sleep(20);
      }
      for (const c of conns) c.socket.destroy();
      clearInterval(sweep);
      clearInterval(clock);
      ctx.pools.destroyAll();
      await closed;
    },
  };
}
