/**
 * The PROXY protocol handshake of a new connection (`--proxy-protocol`): only a trusted peer
 * (the load balancer) may send one, it must come first and within `--header-timeout`, and its
 * source address becomes the client's. It must never let an untrusted peer choose the client
 * address, and never hand on a connection whose header was malformed.
 */
import type net from 'node:net';
import { parseProxyHeader } from '../../core/proxy-protocol.js';
import { normalizeAddress, type ConnectionInfo } from '../../core/forwarded.js';
import type { ProxyContext } from './proxy-context.js';

/** What the connection knows about its peer before any header. */
export function peerInfo(socket: net.Socket, ctx: ProxyContext): ConnectionInfo {
  const peer = normalizeAddress(socket.remoteAddress);
  return {
    client: peer,
    trusted: ctx.forwarding.trusted.has(peer),
    localPort: socket.localPort ?? 0,
  };
}

/**
 * Reads the PROXY header, then calls `ready` with the connection facts and the bytes that
 * followed it; destroys the socket on an untrusted peer, a bad header or a timeout.
 */
export function readProxyHeader(
  socket: net.Socket,
  ctx: ProxyContext,
  ready: (info: ConnectionInfo, rest: Buffer | undefined) => void,
): void {
  const info = peerInfo(socket, ctx);
  const refuse = (why: string) => {
    ctx.events.clientError('BERTH_ROUTER_BAD_PROXY_PROTOCOL', why);
    socket.destroy();
  };
  if (!info.trusted) return refuse(`PROXY header from untrusted ${info.client}`);
  let buf: Buffer | undefined;
  const timer = setTimeout(() => {
    ctx.events.timeout('header');
    socket.destroy();
  }, ctx.timeouts.header);
  const onData = (chunk: Buffer) => {
    buf = buf === undefined ? chunk : Buffer.concat([buf, chunk]);
    let h;
    try {
      h = parseProxyHeader(buf);
    } catch (err) {
      clearTimeout(timer);
      return refuse((err as Error).message);
    }
    if (h === undefined) return;
    clearTimeout(timer);
    socket.off('data', onData);
    socket.off('close', onClose);
    const client = h.source === undefined ? info.client : normalizeAddress(h.source);
    const facts = { ...info, client, trusted: ctx.forwarding.trusted.has(client) };
    ready(facts, h.length === buf.length ? undefined : buf.subarray(h.length));
  };
  const onClose = () => clearTimeout(timer);
  socket.on('data', onData);
  socket.on('close', onClose);
  socket.on('error', () => {});
}
