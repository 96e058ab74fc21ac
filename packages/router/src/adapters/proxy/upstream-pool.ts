/**
 * Keep-alive connection pools to upstreams, one per target key, LIFO so hot sockets stay
 * hot. A pooled connection belongs to at most one owner (an exchange, then maybe a tunnel)
 * at a time and reports its socket events to that owner. This module must never parse HTTP
 * or decide about retries.
 */
import net from 'node:net';
import tls from 'node:tls';
import type { Target } from '../../core/route-table.js';

/** Who receives a busy upstream connection's events. */
export interface UpstreamOwner {
  onUpstreamConnect(up: UpstreamConn): void;
  onUpstreamData(up: UpstreamConn, chunk: Buffer): void;
  onUpstreamDrain(up: UpstreamConn): void;
  onUpstreamClose(up: UpstreamConn, err: Error | undefined): void;
}

/** One socket to an upstream. */
export class UpstreamConn {
  owner: UpstreamOwner | undefined;
  connected = false;
  /** Requests already carried (0 = fresh socket). */
  uses = 0;
  /** Wall-clock ms when connecting started or the socket went idle. */
  since: number;
  /** ms after which an idle socket is closed. */
  idleLimit: number;
  closed = false;
  #error: Error | undefined;

  constructor(
    readonly socket: net.Socket,
    readonly pool: UpstreamPool,
    secure: boolean,
    now: number,
  ) {
    this.since = now;
    this.idleLimit = pool.idleTimeout;
    socket.setNoDelay(true);
    socket.on(secure ? 'secureConnect' : 'connect', () => {
      this.connected = true;
      this.owner?.onUpstreamConnect(this);
    });
    socket.on('data', (chunk: Buffer) => {
      if (this.owner !== undefined) this.owner.onUpstreamData(this, chunk);
      else this.destroy(); // an idle upstream must not talk
    });
    socket.on('drain', () => this.owner?.onUpstreamDrain(this));
    socket.on('error', (err) => {
      this.#error = err;
    });
    socket.on('close', () => {
      this.closed = true;
      this.pool.forget(this);
      const owner = this.owner;
      this.owner = undefined;
      owner?.onUpstreamClose(this, this.#error);
    });
  }

  /** The socket's error, if it closed (or is closing) on one; undefined after a clean FIN. */
  get error(): Error | undefined {
    return this.#error;
  }

  /** Closes the socket; the owner (if any) hears `onUpstreamClose`. */
  destroy(err?: Error): void {
    if (err !== undefined) this.#error ??= err;
    this.socket.destroy();
  }
}

/** Pool options shared by every upstream. */
export interface PoolOptions {
  /** Idle sockets kept per upstream. */
  readonly maxIdle: number;
  /** ms an idle socket is kept. */
  readonly idleTimeout: number;
}

/** The pool of one upstream. */
export class UpstreamPool {
  readonly idle: UpstreamConn[] = [];
  readonly idleTimeout: number;
  constructor(
    readonly target: Target,
    readonly opts: PoolOptions,
    readonly all: Set<UpstreamConn>,
  ) {
    this.idleTimeout = opts.idleTimeout;
  }

  /** An idle connection (unless `fresh`) or a new one (connecting). */
  acquire(owner: UpstreamOwner, now: number, fresh = false): UpstreamConn {
    let up = fresh ? undefined : this.idle.pop();
    while (up !== undefined && (up.closed || now - up.since > up.idleLimit)) {
      up.destroy();
      up = fresh ? undefined : this.idle.pop();
    }
    if (up !== undefined) {
      up.owner = owner;
      up.socket.resume();
      return up;
    }
    const t = this.target;
    const socket =
      t.protocol === 'https'
        ? tls.connect({
            host: t.hostname,
            port: t.port,
            servername: net.isIP(t.hostname) === 0 ? t.hostname : undefined,
            rejectUnauthorized: !t.tlsSkipVerify,
          })
        : net.connect({ host: t.hostname, port: t.port });
    const conn = new UpstreamConn(socket, this, t.protocol === 'https', now);
    conn.owner = owner;
    this.all.add(conn);
    return conn;
  }

  /** Returns a healthy connection after a complete exchange. */
  release(up: UpstreamConn, now: number, keepAliveMs: number): void {
    up.owner = undefined;
    up.uses++;
    up.since = now;
    // close a little before the upstream's own keep-alive timeout to avoid reuse races
    up.idleLimit =
      keepAliveMs > 0 ? Math.min(this.idleTimeout, keepAliveMs - 1000) : this.idleTimeout;
    if (up.closed || this.idle.length >= this.opts.maxIdle || up.idleLimit <= 0) {
      up.destroy();
      return;
    }
    // an idle socket keeps reading, so an upstream that closes it is noticed at once
    up.socket.resume();
    this.idle.push(up);
  }

  /** Closes every idle connection (after one turned out stale). */
  dropIdle(): void {
    for (const up of this.idle.splice(0)) up.destroy();
  }

  /** Drops a closed connection from the idle list. */
  forget(up: UpstreamConn): void {
    this.all.delete(up);
    const i = this.idle.indexOf(up);
    if (i >= 0) this.idle.splice(i, 1);
  }
}

/** Every upstream pool, keyed by target key. */
export class UpstreamPools {
  readonly #pools = new Map<string, UpstreamPool>();
  readonly all = new Set<UpstreamConn>();
  constructor(readonly opts: PoolOptions) {}

  /** The pool for `target`. */
  for(target: Target): UpstreamPool {
    let p = this.#pools.get(target.key);
    if (p === undefined) {
      p = new UpstreamPool(target, this.opts, this.all);
      this.#pools.set(target.key, p);
    }
    return p;
  }

  /** Closes idle sockets past their limit and pools of keys no longer routed. */
  sweep(now: number, live: ReadonlySet<string> | undefined): void {
    for (const [key, p] of this.#pools) {
      for (const up of [...p.idle]) if (now - up.since > up.idleLimit) up.destroy();
      if (live !== undefined && !live.has(key)) {
        for (const up of [...p.idle]) up.destroy();
        if (p.idle.length === 0) this.#pools.delete(key);
      }
    }
  }

  /** Destroys every upstream socket (idle and busy). */
  destroyAll(): void {
    for (const up of [...this.all]) up.destroy();
  }
}
