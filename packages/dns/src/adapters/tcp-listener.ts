/**
 * The TCP side of a listen address (RFC 7766): accepts connections, splits the stream into
 * length-prefixed messages, hands each to the engine and writes the replies back framed.
 * Must never decide anything about DNS beyond framing.
 */
import { createServer, type Server, type Socket } from 'node:net';

/** What the engine answers one message with: a reply, nothing (drop), or a later reply. */
export type TcpAnswer = Buffer | undefined | Promise<Buffer | undefined>;

/** Called for every complete message. */
export type TcpHandler = (msg: Buffer) => TcpAnswer;

/** Settings of a TCP listener. */
export interface TcpSettings {
  readonly idleTimeoutMs: number;
  readonly maxConnections: number;
  /** Called when a message cannot even carry an ID (the stream is then closed). */
  readonly onGarbage: () => void;
  readonly onError: (e: Error) => void;
}

/** A listening TCP server and its connections. */
export class TcpListener {
  readonly #server: Server;
  readonly #conns = new Set<Socket>();
  readonly #settings: TcpSettings;
  readonly #handler: TcpHandler;

  private constructor(server: Server, settings: TcpSettings, handler: TcpHandler) {
    this.#server = server;
    this.#settings = settings;
    this.#handler = handler;
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
      const server = createServer();
      const listener = new TcpListener(server, settings, handler);
      server.on('connection', (conn) => listener.#accept(conn));
      server.maxConnections = settings.maxConnections;
      server.once('error', reject);
      server.listen({ port, host: host || undefined, exclusive }, () => {
        server.off('error', reject);
        server.on('error', settings.onError);
        resolve(listener);
      });
    });
  }

  /** Open connections. */
  get connections(): number {
    return this.#conns.size;
  }

  #accept(conn: Socket): void {
    this.#conns.add(conn);
    conn.setNoDelay(true);
    conn.setTimeout(this.#settings.idleTimeoutMs, () => conn.destroy());
    let buf: Buffer = Buffer.alloc(0);
    const send = (reply: Buffer | undefined): void => {
      if (!reply || conn.destroyed || !conn.writable) return;
      const prefix = Buffer.allocUnsafe(2);
      prefix.writeUInt16BE(reply.length, 0);
      conn.cork();
      conn.write(prefix);
      conn.write(reply);
      conn.uncork();
    };
    conn.on('data', (chunk: Buffer) => {
      buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk]);
      while (buf.length >= 2) {
        const len = buf.readUInt16BE(0);
        if (len < 12) {
          // Cannot even carry an ID: the stream is garbage from here on.
          this.#settings.onGarbage();
          conn.destroy();
          return;
        }
        if (buf.length < 2 + len) break;
        const msg = buf.subarray(2, 2 + len);
        buf = buf.subarray(2 + len);
        const out = this.#handler(msg);
        if (out instanceof Promise) out.then(send, this.#settings.onError);
        else send(out);
      }
    });
    conn.on('error', () => conn.destroy());
    conn.on('close', () => this.#conns.delete(conn));
  }

  /** Stops listening and drops every connection. */
  close(): Promise<void> {
    const closed = new Promise<void>((r) => this.#server.close(() => r()));
    for (const c of this.#conns) c.destroy();
    return closed;
  }
}
