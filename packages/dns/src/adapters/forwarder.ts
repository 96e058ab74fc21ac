/**
 * Forwards queries for names outside our domains to the configured recursors, in order:
 * UDP first, the same recursor again over TCP when the UDP reply is truncated, the next
 * recursor on a timeout, an error, SERVFAIL or REFUSED. Raw bytes are forwarded (EDNS options
 * and DO bit intact) under a fresh random ID, and a reply is only accepted from the recursor's
 * address with that ID and the same question. Must never forward to anyone but the configured
 * recursors, and never hold more than `maxInFlight` forwards.
 */
import { createSocket } from 'node:dgram';
import { EventEmitter } from 'node:events';
import { connect, isIP, isIPv6 } from 'node:net';
import { randomInt } from 'node:crypto';
import { DnsOptionError, DnsRecursorError } from '../errors.js';
import { MAX_TCP_MESSAGE, RCODE } from '../core/wire.js';

/** One upstream resolver. */
export interface Recursor {
  readonly host: string;
  readonly port: number;
}

/** Parses `1.2.3.4`, `1.2.3.4:5353`, `::1`, `[::1]:53`. Hostnames are refused (no lookups). */
export function parseRecursor(text: string): Recursor {
  const t = text.trim();
  let host = t;
  let port = 53;
  const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(t);
  const v4 = /^([^:]+):(\d+)$/.exec(t);
  if (v6) {
    host = v6[1] ?? '';
    port = v6[2] === undefined ? 53 : Number(v6[2]);
  } else if (v4) {
    host = v4[1] ?? '';
    port = Number(v4[2]);
  }
  if (!isIP(host))
    throw new DnsOptionError('recursor', `${JSON.stringify(text)} is not an IP address[:port]`);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new DnsOptionError('recursor', `${JSON.stringify(text)} has a bad port`);
  }
  return { host, port };
}

/** Events: `failure` (DnsRecursorError) for each recursor attempt that failed. */
export interface ForwarderEvents {
  failure: [DnsRecursorError];
}

/** Options of a Forwarder. */
export interface ForwarderOptions {
  readonly recursors: readonly Recursor[];
  /** Per attempt (UDP, then TCP) per recursor, ms. */
  readonly timeoutMs: number;
  /** Forwards in flight beyond which queries get SERVFAIL at once. */
  readonly maxInFlight?: number;
}

/** The outcome of one forward: the reply bytes (client's ID) or undefined if all failed. */
export type ForwardResult = Buffer | undefined;

const label = (r: Recursor): string =>
  isIPv6(r.host) ? `[${r.host}]:${r.port}` : `${r.host}:${r.port}`;

function sameQuestion(a: Buffer, b: Buffer, qend: number): boolean {
  if (b.length < qend || b.readUInt16BE(4) !== 1) return false;
  for (let i = 12; i < qend; i++) {
    let x = a[i] as number;
    let y = b[i] as number;
    if (x >= 0x41 && x <= 0x5a) x |= 0x20;
    if (y >= 0x41 && y <= 0x5a) y |= 0x20;
    if (x !== y) return false;
  }
  return true;
}

/** Forwards to recursors; reusable and safe for concurrent use. */
export class Forwarder extends EventEmitter<ForwarderEvents> {
  readonly recursors: readonly Recursor[];
  readonly #timeoutMs: number;
  readonly #maxInFlight: number;
  #inFlight = 0;
  readonly #pending = new Set<() => void>();
  #closed = false;

  constructor(options: ForwarderOptions) {
    super();
    this.recursors = options.recursors;
    this.#timeoutMs = options.timeoutMs;
    this.#maxInFlight = options.maxInFlight ?? 1024;
  }

  /** Forwards currently waiting for a recursor. */
  get inFlight(): number {
    return this.#inFlight;
  }

  /** True when no more forwards fit; the caller answers SERVFAIL at once. */
  get full(): boolean {
    return this.#inFlight >= this.#maxInFlight;
  }

  /**
   * Forwards `msg` (its question ends at `questionEnd`). `limit` is what the client's
   * transport takes: a TCP reply bigger than that is not used, the truncated UDP reply is.
   */
  async forward(msg: Buffer, questionEnd: number, limit: number): Promise<ForwardResult> {
    if (this.#closed) return undefined;
    this.#inFlight++;
    try {
      for (const r of this.recursors) {
        if (this.#closed) return undefined;
        const reply = await this.#tryOne(r, msg, questionEnd, limit);
        if (reply) {
          msg.copy(reply, 0, 0, 2);
          return reply;
        }
      }
      return undefined;
    } finally {
      this.#inFlight--;
    }
  }

  /** Cancels every forward in flight (they resolve as failed). */
  close(): void {
    this.#closed = true;
    for (const cancel of [...this.#pending]) cancel();
  }

  async #tryOne(
    r: Recursor,
    msg: Buffer,
    qend: number,
    limit: number,
  ): Promise<Buffer | undefined> {
    const query = Buffer.from(msg);
    const id = randomInt(0, 65536);
    query.writeUInt16BE(id, 0);
    const fail = (why: string, cause?: unknown): undefined => {
      this.emit('failure', new DnsRecursorError(label(r), why, { cause }));
      return undefined;
    };
    let udp: Buffer;
    try {
      udp = await this.#udp(r, query, id);
    } catch (e) {
      return fail(`udp: ${e instanceof Error ? e.message : String(e)}`, e);
    }
    if (!sameQuestion(query, udp, qend)) return fail('reply to another question');
    const rcode = (udp[3] as number) & 0x0f;
    if (rcode === RCODE.SERVFAIL || rcode === RCODE.REFUSED) return fail(`answered rcode ${rcode}`);
    if (!((udp[2] as number) & 0x02)) return udp;
    let tcp: Buffer;
    try {
      tcp = await this.#tcp(r, query, id);
    } catch (e) {
      fail(`tcp after truncation: ${e instanceof Error ? e.message : String(e)}`, e);
      return udp;
    }
    if (!sameQuestion(query, tcp, qend)) return fail('tcp reply to another question') ?? udp;
    return tcp.length <= limit ? tcp : udp;
  }

  #guard<T>(run: (done: (err: Error | undefined, value?: T) => void) => () => void): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      let cleanup: () => void = () => undefined;
      const finish = (err: Error | undefined, value?: T): void => {
        clearTimeout(timer);
        this.#pending.delete(cancel);
        cleanup();
        if (err) reject(err);
        else resolve(value as T);
      };
      const cancel = (): void => finish(new Error('forwarder closed'));
      const timer = setTimeout(
        () => finish(new Error(`timeout after ${this.#timeoutMs} ms`)),
        this.#timeoutMs,
      );
      this.#pending.add(cancel);
      cleanup = run(finish);
    });
  }

  #udp(r: Recursor, query: Buffer, id: number): Promise<Buffer> {
    return this.#guard<Buffer>((done) => {
      const sock = createSocket(isIPv6(r.host) ? 'udp6' : 'udp4');
      let closed = false;
      sock.on('error', (e) => done(e));
      sock.on('message', (reply, rinfo) => {
        // Only the recursor itself, answering our ID, counts; anything else is ignored.
        if (rinfo.address !== r.host || rinfo.port !== r.port) return;
        if (reply.length < 12 || reply.readUInt16BE(0) !== id || !((reply[2] as number) & 0x80))
          return;
        done(undefined, reply);
      });
      sock.send(query, r.port, r.host, (e) => {
        if (e) done(e);
      });
      return () => {
        if (!closed) {
          closed = true;
          sock.close();
        }
      };
    });
  }

  #tcp(r: Recursor, query: Buffer, id: number): Promise<Buffer> {
    return this.#guard<Buffer>((done) => {
      const sock = connect({ host: r.host, port: r.port });
      let buf = Buffer.alloc(0);
      sock.on('error', (e) => done(e));
      sock.on('connect', () => {
        const prefix = Buffer.alloc(2);
        prefix.writeUInt16BE(query.length, 0);
        sock.end(Buffer.concat([prefix, query]));
      });
      sock.on('data', (chunk: Buffer) => {
        buf = Buffer.concat([buf, chunk]);
        if (buf.length > MAX_TCP_MESSAGE + 2) return done(new Error('reply too long'));
        if (buf.length < 2) return;
        const len = buf.readUInt16BE(0);
        if (buf.length < 2 + len) return;
        const reply = buf.subarray(2, 2 + len);
        if (reply.length < 12 || reply.readUInt16BE(0) !== id)
          return done(new Error('reply with a wrong ID'));
        done(undefined, Buffer.from(reply));
      });
      sock.on('end', () => done(new Error('connection closed before a reply')));
      return () => sock.destroy();
    });
  }
}
