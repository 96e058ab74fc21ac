/**
 * The TCP side of a listen address (RFC 7766): accepts connections, splits the stream into
 * length-prefixed messages, hands each to the engine and writes the replies back framed.
 * No client can make it hold unbounded memory or a slot forever: it stops reading a
 * connection while its replies are not drained (or too many of its replies are pending), a
 * message must arrive whole within the read timeout, a connection with nothing going on is
 * closed after the idle timeout, and at the connection cap the connection idle the longest
 * makes room. Replies still go out after the client's half-close. Must never decide
 * anything about DNS beyond framing.
 */
import { createServer, type Server, type Socket } from 'node:net';

/** What the engine answers one message with: a reply, nothing (drop), or a later reply. */
export type TcpAnswer = Buffer | undefined | Promise<Buffer | undefined>;

/** Called for every complete message. */
export type TcpHandler = (msg: Buffer) => TcpAnswer;

/** Settings of a TCP listener. */
export interface TcpSettings {
  /** Close a connection with nothing going on (no message arriving, nothing pending). */
  readonly idleTimeoutMs: number;
  /** A message must arrive whole within this, from its first byte. */
  readonly readTimeoutMs: number;
  readonly maxConnections: number;
  /** Stop reading a connection while more reply bytes than this wait to be sent. */
  readonly maxQueuedBytes?: number;
  /** Stop reading a connection while this many of its replies are pending (forwarded). */
  readonly maxPending?: number;
  /** Called when a message cannot even carry an ID (the stream is then closed). */
  readonly onGarbage: () => void;
  readonly onError: (e: Error) => void;
}

/** Per-connection state. Times are sweep ticks, not ms: the hot path never reads a clock. */
interface Conn {
  readonly socket: Socket;
  /** Bytes received and not yet taken as messages. */
  buf: Buffer;
  /** Replies the engine still owes. */
  pending: number;
  /** Reading stopped (back-pressure); data stays in the kernel until resumed. */
  paused: boolean;
  /** The client half-closed: answer what arrived, then end. */
  ended: boolean;
  /** Our side's end() was called. */
  finished: boolean;
  /** Tick of the first byte of a message not yet whole, or -1. */
  frameStart: number;
  /** Tick of the last thing that happened (message taken, reply written, drain). */
  active: number;
  /** The same moment as a sequence number: orders connections by last activity. */
  seq: number;
}

const DEFAULT_MAX_QUEUED = 64 * 1024;
const DEFAULT_MAX_PENDING = 32;

/** A listening TCP server and its connections. */
export class TcpListener {
  readonly #server: Server;
  readonly #conns = new Set<Conn>();
  readonly #settings: TcpSettings;
  readonly #handler: TcpHandler;
  readonly #maxQueued: number;
  readonly #maxPending: number;
  readonly #idleTicks: number;
  readonly #readTicks: number;
  readonly #sweeper: NodeJS.Timeout;
  #tick = 0;
  #seq = 0;

  private constructor(server: Server, settings: TcpSettings, handler: TcpHandler) {
    this.#server = server;
    this.#settings = settings;
    this.#handler = handler;
    this.#maxQueued = settings.maxQueuedBytes ?? DEFAULT_MAX_QUEUED;
    this.#maxPending = settings.maxPending ?? DEFAULT_MAX_PENDING;
    // One timer for every connection, ticking at a quarter of the shortest timeout.
    const everyMs = Math.min(
      1000,
      Math.max(10, Math.min(settings.idleTimeoutMs, settings.readTimeoutMs) / 4),
    );
    this.#idleTicks = Math.ceil(settings.idleTimeoutMs / everyMs);
    this.#readTicks = Math.ceil(settings.readTimeoutMs / everyMs);
    this.#sweeper = setInterval(() => this.#sweep(), everyMs);
    this.#sweeper.unref();
  }

  /** Listens on `host`:`port`; `exclusive: false` lets cluster workers share the socket. */
  static listen(
    host: string,
    port: number,
    settings: TcpSettings,
    handler: TcpHandler,
    exclusive = true,
  ): Promise<TcpListener> {
    return new Promise((resolve, reject) => {
      const server = createServer({ allowHalfOpen: true, noDelay: true });
      const listener = new TcpListener(server, settings, handler);
      server.on('connection', (socket) => listener.#accept(socket));
      server.once('error', (e) => {
        clearInterval(listener.#sweeper);
        reject(e);
      });
      server.listen({ port, host: host || undefined, exclusive }, () => {
        server.removeAllListeners('error');
        server.on('error', settings.onError);
        resolve(listener);
      });
    });
  }

  /** Open connections. */
  get connections(): number {
    return this.#conns.size;
  }

  #accept(socket: Socket): void {
    if (this.#conns.size >= this.#settings.maxConnections && !this.#evictIdle()) {
      socket.destroy();
      return;
    }
    const c: Conn = {
      socket,
      buf: Buffer.alloc(0),
      pending: 0,
      paused: false,
      ended: false,
      finished: false,
      frameStart: -1,
      active: this.#tick,
      seq: ++this.#seq,
    };
    this.#conns.add(c);
    socket.on('data', (chunk: Buffer) => {
      c.buf = c.buf.length === 0 ? chunk : Buffer.concat([c.buf, chunk]);
      this.#take(c);
    });
    socket.on('drain', () => {
      c.active = this.#tick;
      c.seq = ++this.#seq;
      this.#take(c);
    });
    socket.on('end', () => {
      c.ended = true;
      this.#take(c);
    });
    socket.on('error', () => socket.destroy());
    socket.on('close', () => this.#conns.delete(c));
  }

  /** Takes whole messages from `c.buf` while the connection may go on; then decides reading. */
  #take(c: Conn): void {
    const socket = c.socket;
    // Replies to the messages of one read go out in one write.
    socket.cork();
    while (c.buf.length >= 2 && !socket.destroyed) {
      if (socket.writableLength > this.#maxQueued || c.pending >= this.#maxPending) break;
      const len = c.buf.readUInt16BE(0);
      if (len < 12) {
        // Cannot even carry an ID: the stream is garbage from here on.
        this.#settings.onGarbage();
        socket.destroy();
        return;
      }
      if (c.buf.length < 2 + len) break;
      const msg = c.buf.subarray(2, 2 + len);
      c.buf = c.buf.subarray(2 + len);
      c.frameStart = -1;
      c.active = this.#tick;
      c.seq = ++this.#seq;
      const out = this.#handler(msg);
      if (out instanceof Promise) {
        c.pending++;
        out.then(
          (reply) => {
            c.pending--;
            c.active = this.#tick;
            c.seq = ++this.#seq;
            this.#send(c, reply);
            this.#take(c);
          },
          (e: unknown) => {
            c.pending--;
            this.#settings.onError(e instanceof Error ? e : new Error(String(e)));
            this.#take(c);
          },
        );
      } else this.#send(c, out);
    }
    socket.uncork();
    if (socket.destroyed) return;
    const blocked = socket.writableLength > this.#maxQueued || c.pending >= this.#maxPending;
    const whole = c.buf.length >= 2 && c.buf.length >= 2 + c.buf.readUInt16BE(0);
    // A message is arriving (not merely waiting for us to take it): its read deadline runs.
    if (c.buf.length > 0 && !whole) {
      if (c.frameStart < 0) c.frameStart = this.#tick;
    } else c.frameStart = -1;
    if (blocked && !c.paused) {
      c.paused = true;
      socket.pause();
    } else if (!blocked && c.paused) {
      c.paused = false;
      socket.resume();
    }
    // After the client's FIN: once every reply owed is written, end our side too. Bytes of
    // a message cut by the FIN can never complete and are ignored.
    if (c.ended && !c.finished && c.pending === 0 && !(whole && blocked)) {
      c.finished = true;
      socket.end();
    }
  }

  #send(c: Conn, reply: Buffer | undefined): void {
    const socket = c.socket;
    if (!reply || socket.destroyed || !socket.writable) return;
    const framed = Buffer.allocUnsafe(2 + reply.length);
    framed.writeUInt16BE(reply.length, 0);
    reply.copy(framed, 2);
    socket.write(framed);
  }

  /** Closes the connection idle the longest; false when none is idle. */
  #evictIdle(): boolean {
    let oldest: Conn | undefined;
    for (const c of this.#conns) {
      if (c.frameStart >= 0 || c.pending > 0) continue;
      if (!oldest || c.seq < oldest.seq) oldest = c;
    }
    if (!oldest) return false;
    this.#conns.delete(oldest);
    oldest.socket.destroy();
    return true;
  }

  #sweep(): void {
    const now = ++this.#tick;
    for (const c of this.#conns) {
      if (c.frameStart >= 0) {
        if (now - c.frameStart > this.#readTicks) c.socket.destroy();
      } else if (c.pending === 0 && now - c.active > this.#idleTicks) c.socket.destroy();
    }
  }

  /** Stops listening and drops every connection. */
  close(): Promise<void> {
    clearInterval(this.#sweeper);
    const closed = new Promise<void>((r) => this.#server.close(() => r()));
    for (const c of this.#conns) c.socket.destroy();
    return closed;
  }
}
