/**
 * The sockets to one recursor. UDP goes over a connected socket shared by many queries (each
 * under its own random ID), replaced after a number of queries so the source port keeps
 * changing, as dnsmasq does with its pool of random ports; a connected socket also learns
 * at once, from the ICMP port-unreachable, that nobody listens (ECONNREFUSED), instead of
 * waiting out the timeout. TCP (after a truncated reply) is one connection per query. Only
 * a reply from the recursor's address with a pending ID is taken. Must never send to anyone
 * but its recursor, nor keep a query past its timeout.
 */
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { connect, isIPv6 } from 'node:net';
import { randomFillSync } from 'node:crypto';
import { MAX_TCP_MESSAGE } from '../core/wire.js';

/** One upstream resolver. */
export interface Recursor {
  readonly host: string;
  readonly port: number;
}

/** Queries one UDP socket carries before it is replaced (its source port with it). */
const QUERIES_PER_SOCKET = 128;

// Query IDs from the CSPRNG, drawn in blocks (one call per 2,048 IDs, not one per query).
const ids = new Uint16Array(2048);
let nextId = ids.length;
function randomId(): number {
  if (nextId === ids.length) {
    randomFillSync(ids);
    nextId = 0;
  }
  return ids[nextId++] as number;
}

interface Waiter {
  readonly resolve: (reply: Buffer) => void;
  readonly reject: (e: Error) => void;
  /** Date.now() after which the query has timed out. */
  readonly deadline: number;
}

/** One connected UDP socket and the queries waiting on it. */
class Channel {
  readonly sock: UdpSocket;
  readonly waiting = new Map<number, Waiter>();
  used = 0;
  readonly ready: Promise<void>;
  readonly #onEmpty: (c: Channel) => void;
  #closed = false;

  constructor(
    r: Recursor,
    onEmpty: (c: Channel) => void,
    onError: (c: Channel, e: NodeJS.ErrnoException) => void,
  ) {
    this.#onEmpty = onEmpty;
    this.sock = createSocket(isIPv6(r.host) ? 'udp6' : 'udp4');
    this.ready = new Promise<void>((resolve, reject) => {
      this.sock.once('error', reject);
      this.sock.connect(r.port, r.host, () => {
        this.sock.off('error', reject);
        resolve();
      });
    });
    this.ready.catch(() => this.close());
    // Errors of a connected UDP socket (ECONNREFUSED above all) cannot be tied to one
    // query: the client fails every query waiting on it (on every socket, for a refusal).
    this.sock.on('error', (e) => onError(this, e));
    this.sock.on('message', (reply) => {
      if (reply.length < 12 || !((reply[2] as number) & 0x80)) return;
      const w = this.waiting.get(reply.readUInt16BE(0));
      if (!w) return;
      this.waiting.delete(reply.readUInt16BE(0));
      w.resolve(reply);
      if (this.waiting.size === 0) onEmpty(this);
    });
  }

  /** Fails the queries whose deadline passed. */
  expire(now: number, timeoutMs: number): void {
    for (const [id, w] of this.waiting) {
      if (w.deadline > now) continue;
      this.waiting.delete(id);
      w.reject(new Error(`timeout after ${timeoutMs} ms`));
    }
    if (this.waiting.size === 0) this.#onEmpty(this);
  }

  fail(e: Error): void {
    for (const w of this.waiting.values()) w.reject(e);
    this.waiting.clear();
    this.close();
    this.#onEmpty(this);
  }

  get closed(): boolean {
    return this.#closed;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    try {
      this.sock.close();
    } catch {
      // already closed by an error
    }
  }
}

/** The sockets to one recursor. */
export class RecursorClient {
  readonly recursor: Recursor;
  readonly label: string;
  readonly #timeoutMs: number;
  #channel: Channel | undefined;
  /** Retired channels that still have queries waiting. */
  readonly #draining = new Set<Channel>();
  readonly #cancels = new Set<() => void>();
  /** One timer for every UDP query's timeout (not one per query), while any waits. */
  #sweeper: NodeJS.Timeout | undefined;

  constructor(recursor: Recursor, timeoutMs: number) {
    this.recursor = recursor;
    this.label = isIPv6(recursor.host)
      ? `[${recursor.host}]:${recursor.port}`
      : `${recursor.host}:${recursor.port}`;
    this.#timeoutMs = timeoutMs;
  }

  #onEmpty = (c: Channel): void => {
    if (c !== this.#channel || c.closed) {
      c.close();
      this.#draining.delete(c);
    }
  };

  /**
   * A socket error. ECONNREFUSED (the recursor's port is closed) holds for every socket to
   * it: all their queries fail at once. The kernel reports the ICMP error once per socket,
   * and sends the global ICMP rate limit lets through, so the others would time out.
   */
  #onError = (c: Channel, e: NodeJS.ErrnoException): void => {
    if (e.code !== 'ECONNREFUSED') {
      c.fail(e);
      return;
    }
    for (const d of [...this.#draining]) d.fail(e);
    this.#channel?.fail(e);
    c.fail(e);
  };

  #sweep = (): void => {
    const now = Date.now();
    const c = this.#channel;
    c?.expire(now, this.#timeoutMs);
    for (const d of [...this.#draining]) d.expire(now, this.#timeoutMs);
    if ((c?.waiting.size ?? 0) === 0 && this.#draining.size === 0) {
      clearInterval(this.#sweeper);
      this.#sweeper = undefined;
    }
  };

  #take(): Channel {
    let c = this.#channel;
    if (!c || c.closed || c.used >= QUERIES_PER_SOCKET) {
      if (c && !c.closed) {
        if (c.waiting.size > 0) this.#draining.add(c);
        else c.close();
      }
      c = new Channel(this.recursor, this.#onEmpty, this.#onError);
      this.#channel = c;
    }
    c.used++;
    return c;
  }

  /** Sends `query` (its ID is overwritten) over UDP; resolves with the reply. */
  udp(query: Buffer): Promise<Buffer> {
    const c = this.#take();
    let id = randomId();
    while (c.waiting.has(id)) id = (id + 1) & 0xffff;
    query.writeUInt16BE(id, 0);
    if (this.#sweeper === undefined) {
      // Timeouts land up to a quarter late: one timer instead of one per query.
      const every = Math.min(500, Math.max(10, this.#timeoutMs / 4));
      this.#sweeper = setInterval(this.#sweep, every);
      this.#sweeper.unref();
    }
    // Registered at once, so a channel retired before it connected still counts this query
    // as waiting (and is drained, not closed under it).
    const reply = new Promise<Buffer>((resolve, reject) => {
      c.waiting.set(id, { resolve, reject, deadline: Date.now() + this.#timeoutMs });
    });
    c.ready.then(
      () => {
        // A send can return the refusal an earlier query's ICMP left on the socket; without
        // a callback dgram would drop that error.
        if (!c.closed && c.waiting.has(id))
          c.sock.send(query, (e) => {
            if (e) this.#onError(c, e);
          });
      },
      () => undefined, // the socket's 'error' already failed every query waiting on it
    );
    return reply;
  }

  /** Sends `query` (ID as it is) over a new TCP connection; resolves with the reply. */
  tcp(query: Buffer): Promise<Buffer> {
    const id = query.readUInt16BE(0);
    return new Promise<Buffer>((resolve, reject) => {
      const sock = connect({ host: this.recursor.host, port: this.recursor.port });
      let buf = Buffer.alloc(0);
      const finish = (err: Error | undefined, reply?: Buffer): void => {
        clearTimeout(timer);
        this.#cancels.delete(cancel);
        sock.destroy();
        if (err) reject(err);
        else resolve(reply as Buffer);
      };
      const cancel = (): void => finish(new Error('forwarder closed'));
      const timer = setTimeout(
        () => finish(new Error(`timeout after ${this.#timeoutMs} ms`)),
        this.#timeoutMs,
      );
      this.#cancels.add(cancel);
      sock.on('error', (e) => finish(e));
      sock.on('connect', () => {
        const prefix = Buffer.alloc(2);
        prefix.writeUInt16BE(query.length, 0);
        sock.end(Buffer.concat([prefix, query]));
      });
      sock.on('data', (chunk: Buffer) => {
        buf = Buffer.concat([buf, chunk]);
        if (buf.length > MAX_TCP_MESSAGE + 2) return finish(new Error('reply too long'));
        if (buf.length < 2) return;
        const len = buf.readUInt16BE(0);
        if (buf.length < 2 + len) return;
        const reply = buf.subarray(2, 2 + len);
        if (reply.length < 12 || reply.readUInt16BE(0) !== id)
          return finish(new Error('reply with a wrong ID'));
        finish(undefined, Buffer.from(reply));
      });
      sock.on('end', () => finish(new Error('connection closed before a reply')));
    });
  }

  /** Fails everything waiting and closes the sockets. */
  close(): void {
    clearInterval(this.#sweeper);
    this.#sweeper = undefined;
    const closed = new Error('forwarder closed');
    this.#channel?.fail(closed);
    for (const c of this.#draining) c.fail(closed);
    this.#draining.clear();
    for (const cancel of [...this.#cancels]) cancel();
  }
}
