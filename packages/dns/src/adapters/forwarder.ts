/**
 * The recursors: forwards queries for names outside our domains to the configured
 * recursors, in order: UDP first, the same recursor again over TCP when the UDP reply is
 * truncated, the next recursor on a timeout, an error, SERVFAIL or REFUSED. A recursor that
 * refuses the connection (ICMP port unreachable) fails at once; one that keeps failing is
 * skipped for a growing time and let back by one probe query (core/recursor-health.ts).
 * Raw bytes are forwarded (EDNS options and DO bit intact) under a fresh random ID, and a
 * reply is only taken from the recursor, with that ID and the same question. Must never
 * forward to anyone but the configured recursors, nor hold more than `maxInFlight` forwards.
 */
import { EventEmitter } from 'node:events';
import { isIP } from 'node:net';
import { RecursorHealth, type RecursorHealthOptions } from '../core/recursor-health.js';
import { CLASS_IN, MAX_TCP_MESSAGE, RCODE, nameToWire } from '../core/wire.js';
import { DnsOptionError, DnsRecursorError } from '../errors.js';
import { RecursorClient, type Recursor } from './recursor-client.js';

export type { Recursor } from './recursor-client.js';

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

/** Payload of `skip`: a recursor is left out for a while after failing again and again. */
export interface RecursorSkip {
  readonly recursor: string;
  readonly failures: number;
  readonly skipMs: number;
}

/** Events of a Forwarder. */
export interface ForwarderEvents {
  /** One attempt at one recursor failed. */
  failure: [DnsRecursorError];
  /** A recursor is skipped for `skipMs` (it failed `failures` times in a row). */
  skip: [RecursorSkip];
  /** A skipped recursor answered its probe: it is used again. */
  back: [{ readonly recursor: string }];
}

/** Options of a Forwarder. */
export interface ForwarderOptions {
  readonly recursors: readonly Recursor[];
  /** Per attempt (UDP, then TCP) per recursor, ms. */
  readonly timeoutMs: number;
  /** Forwards in flight beyond which queries get SERVFAIL at once. */
  readonly maxInFlight?: number;
  readonly health?: RecursorHealthOptions;
  /** Clock for the health bookkeeping (tests). */
  readonly now?: () => number;
}

/** The outcome of one forward: the reply bytes (client's ID) or undefined if all failed. */
export type ForwardResult = Buffer | undefined;

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

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** Forwards to recursors; reusable and safe for concurrent use. */
export class Forwarder extends EventEmitter<ForwarderEvents> {
  readonly recursors: readonly Recursor[];
  readonly #clients: readonly RecursorClient[];
  readonly #health: RecursorHealth;
  readonly #maxInFlight: number;
  readonly #now: () => number;
  #inFlight = 0;
  #closed = false;

  constructor(options: ForwarderOptions) {
    super();
    this.recursors = options.recursors;
    this.#clients = options.recursors.map((r) => new RecursorClient(r, options.timeoutMs));
    this.#health = new RecursorHealth(options.recursors.length, options.health);
    this.#maxInFlight = options.maxInFlight ?? 1024;
    this.#now = options.now ?? Date.now;
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
      for (let i = 0; i < this.#clients.length; i++) {
        if (this.#closed) return undefined;
        if (!this.#health.claim(i, this.#now())) continue;
        const reply = await this.#tryOne(i, msg, questionEnd, limit);
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

  /**
   * Asks the recursors for `name` (type `type`, recursion desired), as a CNAME chase does;
   * resolves with their reply or undefined.
   */
  lookup(name: string, type: number): Promise<ForwardResult> {
    const qname = nameToWire(name);
    const msg = Buffer.alloc(12 + qname.length + 4);
    msg[2] = 0x01;
    msg.writeUInt16BE(1, 4);
    qname.copy(msg, 12);
    msg.writeUInt16BE(type, 12 + qname.length);
    msg.writeUInt16BE(CLASS_IN, 14 + qname.length);
    return this.forward(msg, msg.length, MAX_TCP_MESSAGE);
  }

  /** Cancels every forward in flight (they resolve as failed). */
  close(): void {
    this.#closed = true;
    for (const c of this.#clients) c.close();
  }

  #failed(i: number, client: RecursorClient, why: string, cause?: unknown): undefined {
    this.emit('failure', new DnsRecursorError(client.label, why, { cause }));
    const skipMs = this.#health.failed(i, this.#now());
    if (skipMs > 0) {
      const failures = this.#health.state(i)?.failures ?? 0;
      this.emit('skip', { recursor: client.label, failures, skipMs });
    }
    return undefined;
  }

  #succeeded(i: number, client: RecursorClient): void {
    if ((this.#health.state(i)?.skips ?? 0) > 0) this.emit('back', { recursor: client.label });
    this.#health.succeeded(i);
  }

  async #tryOne(i: number, msg: Buffer, qend: number, limit: number): Promise<Buffer | undefined> {
    const client = this.#clients[i] as RecursorClient;
    const query = Buffer.from(msg);
    let udp: Buffer;
    try {
      udp = await client.udp(query);
    } catch (e) {
      return this.#failed(i, client, `udp: ${message(e)}`, e);
    }
    if (!sameQuestion(query, udp, qend))
      return this.#failed(i, client, 'reply to another question');
    // The recursor is alive; SERVFAIL or REFUSED for this name sends the query on anyway.
    this.#succeeded(i, client);
    const rcode = (udp[3] as number) & 0x0f;
    if (rcode === RCODE.SERVFAIL || rcode === RCODE.REFUSED) {
      this.emit('failure', new DnsRecursorError(client.label, `answered rcode ${rcode}`));
      return undefined;
    }
    if (!((udp[2] as number) & 0x02)) return udp;
    let tcp: Buffer;
    try {
      tcp = await client.tcp(query);
    } catch (e) {
      this.emit(
        'failure',
        new DnsRecursorError(client.label, `tcp after truncation: ${message(e)}`, { cause: e }),
      );
      return udp;
    }
    if (!sameQuestion(query, tcp, qend)) return udp;
    return tcp.length <= limit ? tcp : udp;
  }
}
