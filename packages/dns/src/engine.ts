/**
 * startDns: the responder's orchestrator. Follows a CatalogSource (rebuilding on every
 * snapshot only the parts of the wire table that changed, keeping the old table if a build
 * fails), answers each message from `const table = this.#table` without ever waiting on
 * Consul, forwards other names to the recursors, and binds the UDP and TCP listeners that
 * carry the bytes. Emits events; never logs.
 */
import { EventEmitter } from 'node:events';
import type { DnsAddress, DnsServer, DnsServerEvents, DnsStatus } from './engine-api.js';
import { performance } from 'node:perf_hooks';
import type { CatalogSnapshot } from '@berth/consul';
import { consulSource, type ConsulCatalogSource } from './adapters/consul-source.js';
import { Forwarder, parseRecursor } from './adapters/forwarder.js';
import { bindPair } from './adapters/listeners.js';
import type { TcpAnswer, TcpListener } from './adapters/tcp-listener.js';
import type { UdpListener } from './adapters/udp-listener.js';
import type { CatalogSource } from './core/catalog-source.js';
import { CHASE_ANSWER, type DnsTable } from './core/compile-table.js';
import { DROP, parseQuery, type Query } from './core/parse-query.js';
import { Chase, FORWARD, domainOf, resolve } from './core/resolve.js';
import { queryClient, type QueryExecutor } from './adapters/prepared-query-client.js';
import { QueryLookup, type QueryLookupStats } from './query-lookup.js';
import { writeEmpty, writeError } from './core/respond.js';
import {
  answerRecords,
  chaseTargets,
  firstAnswerTtl,
  spliceRecords,
  tableAddresses,
  type SpliceRecord,
} from './core/splice.js';
import { serverSettings, type DnsOptions, type ServerSettings } from './core/server-options.js';
import { DnsStats, SAMPLE_EVERY } from './core/stats.js';
import { TableBuilder, type TableBuild } from './core/table-builder.js';
import { MAX_TCP_MESSAGE, MAX_UDP_PAYLOAD, RCODE, TYPE } from './core/wire.js';
import { nameLines, zoneDiff, zoneLines, type ZoneName } from './core/zone.js';
import { DnsTableError } from './errors.js';

const FORWARD_FLAGS = { aa: false, ra: true };
/** Most host names one reply chases (SRV answers may name many). */
const MAX_CHASE = 8;

class Responder extends EventEmitter<DnsServerEvents> implements DnsServer {
  readonly stats = new DnsStats();
  readonly addresses: DnsAddress[] = [];
  readonly #settings: ServerSettings;
  readonly #builder: TableBuilder;
  readonly #forwarder: Forwarder | undefined;
  readonly #source: CatalogSource;
  readonly #ownSource: ConsulCatalogSource | undefined;
  readonly #queries: QueryLookup | undefined;
  readonly #udp: UdpListener[] = [];
  readonly #tcp: TcpListener[] = [];
  #table: DnsTable | undefined;
  #snapshot: CatalogSnapshot | undefined;
  #unsubscribe: (() => void) | undefined;
  #tick = 0;
  #closed = false;

  constructor(
    options: DnsOptions,
    source: CatalogSource | undefined,
    executor: QueryExecutor | undefined,
  ) {
    super();
    const s = serverSettings(options);
    this.#settings = s;
    this.#builder = new TableBuilder(s.zone);
    const recursors = s.recursors.map(parseRecursor);
    if (recursors.length) {
      this.#forwarder = new Forwarder({ recursors, timeoutMs: s.recursorTimeoutMs });
      this.#forwarder.on('failure', (e) => this.emit('recursor-error', e));
      this.#forwarder.on('skip', (e) => this.emit('recursor-skip', e));
      this.#forwarder.on('back', (e) => this.emit('recursor-back', e));
    }
    if (source) this.#source = source;
    else {
      this.#ownSource = consulSource({
        url: options.consul,
        token: options.consulToken,
        env: options.env,
      });
      this.#source = this.#ownSource;
    }
    // Prepared queries need Consul itself: given an address, or watching it ourselves.
    const queries =
      executor ??
      (options.consul !== undefined || !source
        ? queryClient({
            url: options.consul,
            token: options.consulToken,
            env: options.env,
            timeoutMs: s.query.timeoutMs,
          })
        : undefined);
    if (queries) {
      this.#queries = new QueryLookup(queries, s.zone, s.query, (e) => this.emit('query-error', e));
    }
  }

  get queries(): QueryLookupStats | undefined {
    return this.#queries?.stats;
  }

  get table(): DnsTable | undefined {
    return this.#table;
  }

  get tcpConnections(): number {
    return this.#tcp.reduce((n, l) => n + l.connections, 0);
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
      staleSince: since,
      fetchedAt: this.#snapshot?.fetchedAt,
      names: this.#table?.names.size ?? 0,
    };
  }

  subscribe(): void {
    const offStale = this.#source.onStale((c) => {
      if (c.stale) this.emit('catalog-unreachable', { since: c.since, error: c.error });
      else this.emit('catalog-back', { outageMs: c.staleForMs });
    });
    const offSnapshot = this.#source.onSnapshot((s) => this.#rebuild(s));
    this.#unsubscribe = () => {
      offStale();
      offSnapshot();
    };
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

  /** The reply to one message: bytes now, undefined to drop it, or a forwarded reply later. */
  #answer(msg: Buffer, tcp: boolean): TcpAnswer {
    const q = parseQuery(msg);
    if (typeof q === 'number') {
      if (q === DROP) {
        this.stats.dropped++;
        return undefined;
      }
      this.stats.count(tcp, 0, q);
      return writeError(msg, q);
    }
    const limit = tcp ? MAX_TCP_MESSAGE : q.udpSize < MAX_UDP_PAYLOAD ? q.udpSize : MAX_UDP_PAYLOAD;
    const table = this.#table;
    const qn = table && this.#queries?.match(q);
    if (qn) {
      const r = this.#queries?.reply(table, qn, q, msg, limit, !!this.#forwarder);
      if (r instanceof Promise) return r.then((out) => this.#finish(out, q, tcp, limit));
      if (r) return this.#finish(r, q, tcp, limit);
    }
    const out = resolve(table, this.#settings.domains, q, msg, limit, !!this.#forwarder);
    if (out === FORWARD) return this.#forward(Buffer.from(msg), q, tcp, limit);
    return this.#finish(out, q, tcp, limit);
  }

  /** Counts a reply, after chasing its host names when it has any. */
  #finish(out: Buffer | Chase, q: Query, tcp: boolean, limit: number): Buffer | Promise<Buffer> {
    if (out instanceof Chase) {
      const names = this.#chaseable(out);
      if (names.length > 0) return this.#chase(out, names, q, tcp, limit);
      out = out.reply;
    }
    const rc = q.ednsVersion > 0 ? RCODE.BADVERS : (out[3] as number) & 0x0f;
    this.stats.count(tcp, q.qtype, rc);
    return out;
  }

  async #forward(msg: Buffer, q: Query, tcp: boolean, limit: number): Promise<Buffer | undefined> {
    const f = this.#forwarder as Forwarder;
    if (f.full) {
      this.stats.forwardOverload++;
      this.stats.count(tcp, q.qtype, RCODE.SERVFAIL);
      return writeEmpty(msg, q, FORWARD_FLAGS, RCODE.SERVFAIL);
    }
    this.stats.forwarded++;
    const reply = await f.forward(msg, q.questionEnd, limit);
    if (this.#closed) return undefined;
    if (!reply) this.stats.forwardFailures++;
    const out = reply ?? writeEmpty(msg, q, FORWARD_FLAGS, RCODE.SERVFAIL);
    this.stats.count(tcp, q.qtype, (out[3] as number) & 0x0f);
    return out;
  }

  /** The host names of a reply that the table or the recursors may give addresses for. */
  #chaseable(c: Chase): string[] {
    const table = this.#table;
    const names = chaseTargets(c.reply).filter(
      (n) => this.#forwarder !== undefined || (table !== undefined && domainOf(table, n) >= 0),
    );
    return names.slice(0, MAX_CHASE);
  }

  /** The reply with the addresses of its host names added, as Consul adds them. */
  async #chase(
    c: Chase,
    names: readonly string[],
    q: Query,
    tcp: boolean,
    limit: number,
  ): Promise<Buffer> {
    const type = q.qtype === TYPE.AAAA ? TYPE.AAAA : TYPE.A;
    const found = await Promise.all(names.map((n) => this.#addressesOf(n, type)));
    const section = c.kind === CHASE_ANSWER ? 'answer' : 'additional';
    const out = spliceRecords(c.reply, found.flat(), section, limit, firstAnswerTtl(c.reply));
    this.stats.count(tcp, q.qtype, (out[3] as number) & 0x0f);
    return out;
  }

  /** Addresses of `name`: from the table when it is ours, else from the recursors. */
  async #addressesOf(name: string, type: number): Promise<SpliceRecord[]> {
    const table = this.#table;
    if (table !== undefined && domainOf(table, name) >= 0) return tableAddresses(table, name, type);
    const f = this.#forwarder;
    if (!f || f.full) return [];
    const reply = await f.lookup(name, type);
    return reply ? answerRecords(reply) : [];
  }

  #onUdp = (msg: Buffer, port: number, address: string, from: UdpListener): void => {
    const sampled = ++this.#tick % SAMPLE_EVERY === 0;
    const t0 = sampled ? performance.now() : 0;
    const out = this.#answer(msg, false);
    if (out === undefined) return;
    if (out instanceof Promise) {
      out.then(
        (reply) => {
          if (reply && !this.#closed) from.send(reply, port, address);
        },
        (e: unknown) => this.#socketError(e),
      );
      return;
    }
    from.send(out, port, address);
    if (sampled) this.stats.sample((performance.now() - t0) / 1000);
  };

  #onTcp = (msg: Buffer): TcpAnswer => {
    const sampled = ++this.#tick % SAMPLE_EVERY === 0;
    const t0 = sampled ? performance.now() : 0;
    const out = this.#answer(msg, true);
    if (sampled && Buffer.isBuffer(out)) this.stats.sample((performance.now() - t0) / 1000);
    return out;
  };

  #socketError = (e: unknown): void => {
    this.emit('socket-error', e instanceof Error ? e : new Error(String(e)));
  };

  async listen(): Promise<void> {
    const s = this.#settings;
    const tcpSettings = {
      idleTimeoutMs: s.tcpIdleTimeoutMs,
      readTimeoutMs: s.tcpReadTimeoutMs,
      maxConnections: s.maxTcpConnections,
      onGarbage: () => this.stats.dropped++,
      onError: this.#socketError,
    };
    for (const l of s.listen) {
      const { udp, tcp } = await bindPair(
        l.host,
        l.port,
        this.#onUdp,
        this.#onTcp,
        tcpSettings,
        !s.shared,
      );
      this.#udp.push(udp);
      this.#tcp.push(tcp);
      const { host, port } = udp;
      this.addresses.push({ protocol: 'udp', host, port }, { protocol: 'tcp', host, port });
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#unsubscribe?.();
    this.#ownSource?.close();
    this.#queries?.close();
    this.#forwarder?.close();
    for (const s of this.#udp) s.close();
    await Promise.all(this.#tcp.map((t) => t.close()));
  }
}

/**
 * Starts berth dns. Without `source` it watches Consul at `options.consul`; prepared queries
 * run through `queries`, else Consul at `options.consul` (when given, or without `source`).
 * Resolves once every listener is bound (our domains are SERVFAIL until the first snapshot).
 */
export async function startDns(
  options: DnsOptions,
  source?: CatalogSource,
  queries?: QueryExecutor,
): Promise<DnsServer> {
  const server = new Responder(options, source, queries);
  try {
    await server.listen();
  } catch (e) {
    await server.close();
    throw e;
  }
  server.subscribe();
  return server;
}
