/**
 * startDns: the DNS responder. Binds UDP and TCP on each listen address, follows a
 * CatalogSource (rebuilding on every snapshot only the parts of the wire table that changed,
 * keeping the old table if a build fails), answers from `const table = this.#table` without
 * ever waiting on Consul, and forwards other names to recursors when configured. Emits
 * events; never logs.
 */
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { EventEmitter } from 'node:events';
import { createServer, isIPv6, type Server, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { CatalogSnapshot } from '@berth/consul';
import type { CatalogSource } from './catalog-source.js';
import type { DnsTable } from './compile-table.js';
import { consulSource, type ConsulCatalogSource } from './consul-source.js';
import { DnsListenError, DnsOptionError, DnsTableError, type DnsRecursorError } from './errors.js';
import { Forwarder, parseRecursor } from './forwarder.js';
import { DROP, parseQuery, type Query } from './parse-query.js';
import { FORWARD, resolve } from './resolve.js';
import { writeEmpty, writeHeaderOnly } from './respond.js';
import { DnsStats, SAMPLE_EVERY } from './stats.js';
import { TableBuilder, type TableBuild } from './table-builder.js';
import { MAX_TCP_MESSAGE, MAX_UDP_PAYLOAD, RCODE, isLabel } from './wire.js';
import { nameLines, zoneDiff, zoneLines, type ZoneName } from './zone.js';
import type { ServiceTtl, ZoneOptions } from './zone-options.js';

/** Where to listen: `host` '' means every interface (IPv4). */
export interface DnsListen {
  readonly host: string;
  readonly port: number;
}

/** Options of startDns; everything but `listen` has a default. */
export interface DnsOptions {
  /** UDP and TCP on each; port 0 picks a free port (the same for UDP and TCP). */
  readonly listen: readonly DnsListen[];
  /** Default `consul`. */
  readonly domain?: string;
  readonly altDomain?: string | undefined;
  /** `ip[:port]` of upstream resolvers, tried in order. None: REFUSED outside our domains. */
  readonly recursors?: readonly string[];
  /** Per attempt, ms (default 2000). */
  readonly recursorTimeoutMs?: number;
  readonly onlyPassing?: boolean;
  readonly serviceTtl?: readonly ServiceTtl[];
  /** Seconds (default 0). */
  readonly nodeTtl?: number;
  /** 0 = no limit (default). */
  readonly aRecordLimit?: number;
  /** Consul address for the built-in source (used when startDns gets no source). */
  readonly consul?: string | undefined;
  readonly consulToken?: string | undefined;
  /** Environment for CONSUL_HTTP_ADDR / CONSUL_HTTP_TOKEN of the built-in source. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** TCP connections idle longer than this are closed, ms (default 10000). */
  readonly tcpIdleTimeoutMs?: number;
  /** Most TCP connections at once (default 1000). */
  readonly maxTcpConnections?: number;
}

/** A bound socket. */
export interface DnsAddress {
  readonly protocol: 'udp' | 'tcp';
  readonly host: string;
  readonly port: number;
}

/** Payload of `table`: a new table is in use. */
export interface TableInfo {
  readonly index: bigint;
  readonly names: number;
  readonly buildMs: number;
  /** Names whose entries the build replaced (all of them on the first build). */
  readonly touched: number;
  /** Service fragments rebuilt or removed; the others were reused. */
  readonly servicesRebuilt: number;
}

/** Events of a DnsServer. */
export interface DnsServerEvents {
  table: [TableInfo];
  /**
   * Zone lines added and removed by the last rebuild (computed only when listened to, and
   * only over the names the rebuild touched: all of them for the first table).
   */
  diff: [{ readonly index: bigint; readonly added: string[]; readonly removed: string[] }];
  /** A snapshot could not be built; the previous table stays in use. */
  'table-error': [DnsTableError];
  /** One recursor attempt failed (the next one is tried). */
  'recursor-error': [DnsRecursorError];
  /** A socket error that did not stop the server. */
  'socket-error': [Error];
}

/** Facts for /health and /metrics. */
export interface DnsStatus {
  /** A table is in use (a first snapshot arrived). */
  readonly ready: boolean;
  readonly index: bigint | undefined;
  /** ms since the snapshot in use was fetched. */
  readonly snapshotAgeMs: number | undefined;
  /** ms since the source lost Consul, undefined while in sync. */
  readonly staleForMs: number | undefined;
  readonly names: number;
}

/** A running responder. */
export interface DnsServer extends EventEmitter<DnsServerEvents> {
  readonly addresses: readonly DnsAddress[];
  readonly stats: DnsStats;
  /** The table in use (undefined before the first snapshot). */
  readonly table: DnsTable | undefined;
  /** The canonical text form of the zone in use. */
  zoneLines(): string[];
  status(now?: number): DnsStatus;
  /** Number of open TCP connections. */
  readonly tcpConnections: number;
  close(): Promise<void>;
}

function normDomain(option: string, d: string): string {
  const v = d.trim().toLowerCase().replace(/\.+$/, '');
  if (v === '' || !v.split('.').every(isLabel))
    throw new DnsOptionError(option, `${JSON.stringify(d)} is not a domain`);
  return v;
}

function nonNegativeInt(option: string, v: number): number {
  if (!Number.isSafeInteger(v) || v < 0)
    throw new DnsOptionError(option, `must be a non-negative integer, got ${v}`);
  return v;
}

class Responder extends EventEmitter<DnsServerEvents> implements DnsServer {
  readonly stats = new DnsStats();
  readonly addresses: DnsAddress[] = [];
  readonly #domains: readonly string[];
  readonly #builder: TableBuilder;
  readonly #forwarder: Forwarder | undefined;
  readonly #source: CatalogSource;
  readonly #ownSource: ConsulCatalogSource | undefined;
  readonly #udp: UdpSocket[] = [];
  readonly #tcp: Server[] = [];
  readonly #conns = new Set<Socket>();
  readonly #idleMs: number;
  readonly #maxConns: number;
  #table: DnsTable | undefined;
  #snapshot: CatalogSnapshot | undefined;
  #unsubscribe: (() => void) | undefined;
  #tick = 0;
  #closed = false;

  constructor(options: DnsOptions, source: CatalogSource | undefined) {
    super();
    const domain = normDomain('domain', options.domain ?? 'consul');
    const alt = options.altDomain ? normDomain('altDomain', options.altDomain) : undefined;
    this.#domains = alt && alt !== domain ? [domain, alt] : [domain];
    const nodeTtl = nonNegativeInt('nodeTtl', options.nodeTtl ?? 0);
    const nsAddresses = options.listen
      .map((l) => l.host)
      .filter((h) => h !== '' && h !== '0.0.0.0' && h !== '::');
    const zoneOptions: ZoneOptions = {
      domains: this.#domains,
      onlyPassing: options.onlyPassing ?? false,
      serviceTtl: options.serviceTtl ?? [],
      nodeTtl,
      aRecordLimit: nonNegativeInt('aRecordLimit', options.aRecordLimit ?? 0),
      nsAddresses: [...new Set(nsAddresses)],
    };
    this.#builder = new TableBuilder(zoneOptions);
    for (const r of options.serviceTtl ?? []) nonNegativeInt('serviceTtl', r.ttl);
    const recursors = (options.recursors ?? []).map(parseRecursor);
    if (recursors.length) {
      this.#forwarder = new Forwarder({ recursors, timeoutMs: options.recursorTimeoutMs ?? 2000 });
      this.#forwarder.on('failure', (e) => this.emit('recursor-error', e));
    }
    this.#idleMs = options.tcpIdleTimeoutMs ?? 10_000;
    this.#maxConns = options.maxTcpConnections ?? 1000;
    if (options.listen.length === 0)
      throw new DnsOptionError('listen', 'at least one address is needed');
    if (source) this.#source = source;
    else {
      this.#ownSource = consulSource({
        url: options.consul,
        token: options.consulToken,
        env: options.env,
      });
      this.#source = this.#ownSource;
    }
  }

  get table(): DnsTable | undefined {
    return this.#table;
  }

  get tcpConnections(): number {
    return this.#conns.size;
  }

  zoneLines(): string[] {
    const names = new Map<string, ZoneName>();
    for (const [name, w] of this.#table?.names.entries() ?? []) names.set(name, w.zone);
    return zoneLines({ names });
  }

  status(now = Date.now()): DnsStatus {
    const since = this.#source.staleSince;
    return {
      ready: this.#table !== undefined,
      index: this.#table?.index,
      snapshotAgeMs: this.#snapshot ? Math.max(0, now - this.#snapshot.fetchedAt) : undefined,
      staleForMs: since === undefined ? undefined : Math.max(0, now - since),
      names: this.#table?.names.size ?? 0,
    };
  }

  subscribe(): void {
    this.#unsubscribe = this.#source.onSnapshot((s) => this.#rebuild(s));
  }

  #rebuild(snapshot: CatalogSnapshot): void {
    if (snapshot === this.#snapshot) return;
    const t0 = performance.now();
    let build: TableBuild;
    try {
      build = this.#builder.build(snapshot);
    } catch (e) {
      this.emit(
        'table-error',
        new DnsTableError(`snapshot at index ${snapshot.index}: ${String(e)}`, { cause: e }),
      );
      return;
    }
    const before = this.#table;
    const { table, touched } = build;
    // The swap: one assignment; queries in flight keep the table they read.
    this.#table = table;
    this.#snapshot = snapshot;
    this.emit('table', {
      index: table.index,
      names: table.names.size,
      buildMs: performance.now() - t0,
      touched: touched.length,
      servicesRebuilt: build.servicesRebuilt,
    });
    if (this.listenerCount('diff') > 0) {
      const lines = (t: DnsTable | undefined): string[] =>
        [...touched].sort().flatMap((name) => {
          const e = t?.names.get(name);
          return e ? nameLines(name, e.zone) : [];
        });
      const d = zoneDiff(lines(before), lines(table));
      if (d.added.length || d.removed.length) this.emit('diff', { index: table.index, ...d });
    }
  }

  /** The reply to one message, undefined to drop it, or the query to forward. */
  #answer(msg: Buffer, tcp: boolean): Buffer | Query | undefined {
    const q = parseQuery(msg);
    if (typeof q === 'number') {
      if (q === DROP) {
        this.stats.dropped++;
        return undefined;
      }
      this.stats.count(tcp, 0, q);
      return writeHeaderOnly(msg, q);
    }
    const limit = tcp ? MAX_TCP_MESSAGE : q.udpSize < MAX_UDP_PAYLOAD ? q.udpSize : MAX_UDP_PAYLOAD;
    const out = resolve(this.#table, this.#domains, q, msg, limit, this.#forwarder !== undefined);
    if (out === FORWARD) return q;
    const rc = q.ednsVersion > 0 ? RCODE.BADVERS : (out[3] as number) & 0x0f;
    this.stats.count(tcp, q.qtype, rc);
    return out;
  }

  #forward(msg: Buffer, q: Query, tcp: boolean, send: (b: Buffer) => void): void {
    const f = this.#forwarder as Forwarder;
    const limit = tcp ? MAX_TCP_MESSAGE : q.udpSize < MAX_UDP_PAYLOAD ? q.udpSize : MAX_UDP_PAYLOAD;
    const flags = { aa: false, ra: true };
    if (f.full) {
      this.stats.forwardOverload++;
      this.stats.count(tcp, q.qtype, RCODE.SERVFAIL);
      send(writeEmpty(msg, q, flags, RCODE.SERVFAIL));
      return;
    }
    this.stats.forwarded++;
    f.forward(msg, q.questionEnd, limit).then(
      (reply) => {
        if (this.#closed) return;
        if (!reply) this.stats.forwardFailures++;
        const out = reply ?? writeEmpty(msg, q, flags, RCODE.SERVFAIL);
        this.stats.count(tcp, q.qtype, (out[3] as number) & 0x0f);
        send(out);
      },
      (e: unknown) => this.emit('socket-error', e instanceof Error ? e : new Error(String(e))),
    );
  }

  async listen(listen: readonly DnsListen[]): Promise<void> {
    for (const l of listen) {
      let lastError: unknown;
      // With port 0 the TCP port must match the UDP one; retry if another process holds it.
      for (let attempt = 0; attempt < (l.port === 0 ? 8 : 1); attempt++) {
        const udp = await this.#bindUdp(l).catch((e: unknown) => {
          lastError = e;
          return undefined;
        });
        if (!udp) continue;
        const port = udp.address().port;
        const tcp = await this.#bindTcp(l.host, port).catch((e: unknown) => {
          lastError = e;
          return undefined;
        });
        if (!tcp) {
          udp.close();
          continue;
        }
        this.#udp.push(udp);
        this.#tcp.push(tcp);
        const host = udp.address().address;
        this.addresses.push({ protocol: 'udp', host, port }, { protocol: 'tcp', host, port });
        lastError = undefined;
        break;
      }
      if (lastError !== undefined) throw new DnsListenError(`${l.host}:${l.port}`, lastError);
    }
  }

  #bindUdp(l: DnsListen): Promise<UdpSocket> {
    return new Promise((resolveBind, reject) => {
      // A large receive buffer rides out GC pauses without dropping queries (capped by the
      // kernel's net.core.rmem_max).
      const sock = createSocket({
        type: isIPv6(l.host) ? 'udp6' : 'udp4',
        recvBufferSize: 4 << 20,
      });
      sock.once('error', reject);
      sock.bind({ port: l.port, address: l.host || undefined }, () => {
        sock.off('error', reject);
        sock.on('error', (e) => this.emit('socket-error', e));
        sock.on('message', (msg, rinfo) => this.#onUdp(sock, msg, rinfo.port, rinfo.address));
        resolveBind(sock);
      });
    });
  }

  #onUdp(sock: UdpSocket, msg: Buffer, port: number, address: string): void {
    const sampled = ++this.#tick % SAMPLE_EVERY === 0;
    const t0 = sampled ? performance.now() : 0;
    const out = this.#answer(msg, false);
    if (out === undefined) return;
    if (Buffer.isBuffer(out)) {
      sock.send(out, port, address);
      if (sampled) this.stats.sample((performance.now() - t0) / 1000);
      return;
    }
    this.#forward(msg, out, false, (reply) => {
      if (!this.#closed) sock.send(reply, port, address);
    });
  }

  #bindTcp(host: string, port: number): Promise<Server> {
    return new Promise((resolveBind, reject) => {
      const server = createServer((conn) => this.#onConnection(conn));
      server.maxConnections = this.#maxConns;
      server.once('error', reject);
      server.listen({ port, host: host || undefined, exclusive: true }, () => {
        server.off('error', reject);
        server.on('error', (e) => this.emit('socket-error', e));
        resolveBind(server);
      });
    });
  }

  #onConnection(conn: Socket): void {
    if (this.#closed) {
      conn.destroy();
      return;
    }
    this.#conns.add(conn);
    conn.setNoDelay(true);
    conn.setTimeout(this.#idleMs, () => conn.destroy());
    let buf: Buffer = Buffer.alloc(0);
    const send = (reply: Buffer): void => {
      if (conn.destroyed || !conn.writable) return;
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
          this.stats.dropped++;
          conn.destroy();
          return;
        }
        if (buf.length < 2 + len) break;
        const msg = buf.subarray(2, 2 + len);
        buf = buf.subarray(2 + len);
        const sampled = ++this.#tick % SAMPLE_EVERY === 0;
        const t0 = sampled ? performance.now() : 0;
        const out = this.#answer(msg, true);
        if (out === undefined) continue;
        if (Buffer.isBuffer(out)) {
          send(out);
          if (sampled) this.stats.sample((performance.now() - t0) / 1000);
        } else this.#forward(Buffer.from(msg), out, true, send);
      }
    });
    conn.on('error', () => conn.destroy());
    conn.on('close', () => this.#conns.delete(conn));
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#unsubscribe?.();
    this.#ownSource?.close();
    this.#forwarder?.close();
    for (const s of this.#udp) s.close();
    const closing = this.#tcp.map((s) => new Promise<void>((r) => s.close(() => r())));
    for (const c of this.#conns) c.destroy();
    await Promise.all(closing);
  }
}

/**
 * Starts berth dns. Without `source` it watches Consul at `options.consul`. Resolves once
 * every listener is bound (answers in our domains are SERVFAIL until the first snapshot).
 */
export async function startDns(options: DnsOptions, source?: CatalogSource): Promise<DnsServer> {
  const server = new Responder(options, source);
  try {
    await server.listen(options.listen);
  } catch (e) {
    await server.close();
    throw e;
  }
  server.subscribe();
  return server;
}
