/**
 * An upgraded connection (WebSocket or any `Upgrade`) after the upstream's 101: bytes
 * spliced both ways with back-pressure, a half-close passed on, and one idle deadline
 * (`--tunnel-idle-timeout`). It must never parse the bytes and never outlive either side.
 */
import type net from 'node:net';
import type { ProxyContext } from './proxy-context.js';
import type { UpstreamConn, UpstreamOwner } from './upstream-pool.js';

/** The client connection side a tunnel needs. */
export interface TunnelClient {
  readonly socket: net.Socket;
  readonly ctx: ProxyContext;
  lastActive: number;
}

/** Both sockets of one upgraded connection. */
export class Tunnel implements UpstreamOwner {
  #closed = false;

  constructor(
    readonly client: TunnelClient,
    readonly up: UpstreamConn,
    head: string,
    upstreamBytes: Buffer,
    clientBytes: Buffer | undefined,
  ) {
    up.owner = this;
    const sock = client.socket;
    // the tunnel owns the client socket's data now (the connection keeps only 'close')
    sock.on('data', (chunk: Buffer) => this.fromClient(chunk));
    sock.on('drain', () => this.clientDrained());
    sock.on('end', () => this.clientEnded());
    sock.cork();
    sock.write(head, 'latin1');
    if (upstreamBytes.length > 0) sock.write(upstreamBytes);
    sock.uncork();
    if (clientBytes !== undefined) up.socket.write(clientBytes);
  }

  fromClient(chunk: Buffer): void {
    this.client.lastActive = this.client.ctx.clock.now;
    if (!this.#closed && !this.up.socket.write(chunk)) this.client.socket.pause();
  }

  clientDrained(): void {
    this.up.socket.resume();
  }

  /** The client half-closed: pass the FIN on, keep relaying the other way. */
  clientEnded(): void {
    this.up.socket.end();
  }

  onUpstreamConnect(): void {}

  onUpstreamData(_up: UpstreamConn, chunk: Buffer): void {
    this.client.lastActive = this.client.ctx.clock.now;
    if (!this.client.socket.write(chunk)) this.up.socket.pause();
  }

  onUpstreamDrain(): void {
    this.client.socket.resume();
  }

  onUpstreamClose(_up: UpstreamConn, err: Error | undefined): void {
    if (this.#closed) return;
    this.#closed = true;
    const sock = this.client.socket;
    if (err !== undefined) sock.resetAndDestroy();
    else sock.end();
  }

  /** Closes both sides when nothing moved for `--tunnel-idle-timeout`. */
  tick(now: number): void {
    if (now - this.client.lastActive <= this.client.ctx.timeouts.tunnelIdle) return;
    this.client.ctx.events.timeout('tunnel');
    this.client.socket.destroy();
    this.close();
  }

  /** The client side went away: so does the upstream side. */
  close(): void {
    this.#closed = true;
    this.up.destroy();
  }
}
