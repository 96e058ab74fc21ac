/**
 * The catalog runtime around the pure store: it applies writes, logs them durably before
 * acknowledging, wakes blocked queries, runs health checks, expires sessions and reaps
 * services critical for too long. It emits events ('warn', 'write', 'fsync') and never logs
 * itself: the daemon entry point turns events into logs and metrics.
 */
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { CheckRunner, type CheckResult, type CheckSpec } from './adapters/checks/index.js';
import { DurableIndex } from './engine/durable-index.js';
import { StateError } from './errors.js';
import { createState, stateFromJson, stateToJson } from './core/state.js';
import { Store, type OpResult } from './core/store.js';
import type { CheckDefinition, CheckRec, CheckStatus, Op, SessionRec } from './core/types.js';
import { Wal } from './adapters/wal.js';
import { WatchHub } from './engine/watch-hub.js';
import { parseGoDuration } from './core/go-duration.js';

/** Runtime settings of a catalog (the daemon's flags, plus knobs tests use). */
export interface CatalogConfig {
  readonly node: string;
  readonly datacenter: string;
  readonly advertise: string;
  readonly dataDir?: string | undefined;
  /** Log records between snapshots (default 10,000). */
  readonly snapshotEvery?: number | undefined;
  /** How often critical services are reaped (default 30 s, as Consul). */
  readonly reapIntervalMs?: number | undefined;
  /** Floor of DeregisterCriticalServiceAfter (default 1 min, as Consul). */
  readonly deregisterMinMs?: number | undefined;
  /** Session TTL timers run for TTL × this (default 2, Consul's SessionTTLMultiplier). */
  readonly sessionTtlMultiplier?: number | undefined;
  /** Floor of HTTP/TCP check intervals (default 1 s, as Consul). */
  readonly checkMinIntervalMs?: number | undefined;
  /**
   * When the store starts empty, start its indexes here instead of at 0 (consul-api.md §3:
   * a restarted memory-only store must not drop to small indexes). `startCatalog` passes the
   * wall clock in µs when asked to seed.
   */
  readonly indexSeed?: number | undefined;
  /** Blocked queries re-evaluated per event-loop turn after a write (default 256). */
  readonly fanOutChunk?: number | undefined;
}

/** Output longer than this is truncated, as Consul's agent does. */
export const OUTPUT_MAX = 4096;

/** Truncates check output to 4 KiB with Consul's `... (captured N of M bytes)` note. */
export function truncateOutput(output: string): string {
  const bytes = Buffer.from(output, 'utf8');
  if (bytes.length <= OUTPUT_MAX) return output;
  const head = bytes.subarray(0, OUTPUT_MAX).toString('utf8');
  return `${head} ... (captured ${OUTPUT_MAX} of ${bytes.length} bytes)`;
}

function runnable(d: CheckDefinition | null): d is CheckDefinition & { kind: CheckSpec['kind'] } {
  return d !== null && (d.kind === 'http' || d.kind === 'tcp' || d.kind === 'ttl');
}

function toSpec(id: string, d: CheckDefinition & { kind: CheckSpec['kind'] }): CheckSpec {
  const spec: CheckSpec = {
    checkId: id,
    kind: d.kind,
    intervalMs: d.intervalNs / 1e6,
    timeoutMs: d.timeoutNs / 1e6,
    ttlMs: d.ttlNs / 1e6,
  };
  if (d.kind === 'http') {
    spec.http = d.http;
    spec.method = d.method || 'GET';
    if (d.header)
      spec.header = Object.fromEntries(Object.entries(d.header).map(([k, v]) => [k, [...v]]));
    spec.body = d.body;
    spec.tlsSkipVerify = d.tlsSkipVerify;
    spec.tlsServerName = d.tlsServerName;
  }
  if (d.kind === 'tcp') spec.tcp = d.tcp;
  return spec;
}

/** Starts an empty store's global and table indexes at `index` (no-op otherwise). */
function seed(store: Store, index: number | undefined): void {
  const s = store.state;
  if (index === undefined || s.index !== 0 || !Number.isSafeInteger(index) || index <= 0) return;
  s.index = index;
  for (const t of Object.keys(s.tableIndex) as (keyof typeof s.tableIndex)[]) {
    s.tableIndex[t] = index;
  }
}

/** A running catalog: store + log + watchers + timers. Create with `Catalog.open`. */
export class Catalog extends EventEmitter {
  readonly store: Store;
  readonly hub: WatchHub;
  readonly config: CatalogConfig;
  /**
   * True when a client may legitimately hold an index above ours: a memory-only store whose
   * indexes restart at 1. False with a data dir or a seeded index (indexes never go back).
   */
  readonly indexMayReset: boolean;
  readonly #wal: Wal | null;
  /** How far the log is on disk (with a data dir). */
  readonly #durable: DurableIndex;
  readonly #runner: CheckRunner;
  readonly #runnerSpecs = new Map<string, string>();
  readonly #sessionTimers = new Map<string, NodeJS.Timeout>();
  #reaper: NodeJS.Timeout | undefined;
  #closed = false;

  private constructor(config: CatalogConfig, store: Store, wal: Wal | null) {
    super();
    this.config = config;
    this.store = store;
    this.#wal = wal;
    this.#durable = new DurableIndex(store.state.index);
    this.hub = new WatchHub({ chunk: config.fanOutChunk });
    this.indexMayReset = wal === null && config.indexSeed === undefined;
    this.#runner = new CheckRunner((r) => this.#onCheckResult(r), {
      minIntervalMs: config.checkMinIntervalMs ?? 1000,
    });
  }

  /** Loads the data directory (if any), replays the log and starts timers and checks. */
  static async open(config: CatalogConfig, onWarn?: (msg: string) => void): Promise<Catalog> {
    const warn = onWarn ?? (() => {});
    let store = new Store(createState());
    let wal: Wal | null = null;
    if (config.dataDir !== undefined && config.dataDir !== '') {
      const ref: { catalog?: Catalog } = {};
      const opened = await Wal.open(config.dataDir, {
        snapshotEvery: config.snapshotEvery ?? 10_000,
        snapshotState: () => ({ index: store.state.index, json: stateToJson(store.state) }),
        onWarn: (m) => (ref.catalog ? ref.catalog.emit('warn', m) : warn(m)),
        onFsync: (s) => ref.catalog?.emit('fsync', s),
      });
      wal = opened.wal;
      const { snapshot, records } = opened.loaded;
      if (snapshot) store = new Store(stateFromJson(snapshot.json));
      for (const rec of records) {
        try {
          store.apply(rec.op, rec.at, { index: rec.i });
        } catch (err) {
          warn(`replaying record at index ${rec.i} failed: ${(err as Error).message}`);
        }
        store.state.index = Math.max(store.state.index, rec.i);
      }
      seed(store, config.indexSeed);
      const catalog = new Catalog(config, store, wal);
      ref.catalog = catalog;
      await catalog.#bootstrap();
      return catalog;
    }
    seed(store, config.indexSeed);
    const catalog = new Catalog(config, store, wal);
    await catalog.#bootstrap();
    return catalog;
  }

  async #bootstrap(): Promise<void> {
    const { node, advertise } = this.config;
    const prev = this.store.state.nodes.get(node);
    const addr = { lan: advertise, lan_ipv4: advertise, wan: advertise, wan_ipv4: advertise };
    await this.write({
      t: 'node-register',
      node: {
        id: prev?.id ?? randomUUID(),
        node,
        address: advertise,
        taggedAddresses: addr,
        meta: prev?.meta ?? { 'consul-network-segment': '' },
      },
    });
    await this.write({
      t: 'check-register',
      node,
      check: {
        checkId: 'serfHealth',
        name: 'Serf Health Status',
        status: 'passing',
        statusGiven: true,
        notes: '',
        output: 'Agent alive and reachable',
        serviceId: '',
        type: '',
        definition: null,
      },
    });
    await this.write({
      t: 'service-register',
      node,
      service: {
        id: 'consul',
        service: 'consul',
        tags: [],
        address: '',
        port: 8300,
        meta: {},
        taggedAddresses: null,
        weights: { passing: 1, warning: 1 },
        enableTagOverride: false,
        kind: '',
        proxy: null,
        connect: null,
      },
      checks: [],
      replaceChecks: false,
    });
    for (const [id, c] of this.store.state.checks.get(node) ?? []) this.#syncCheck(id, c);
    for (const s of this.store.state.sessions.values()) this.#armSession(s);
    const every = this.config.reapIntervalMs ?? 30_000;
    this.#reaper = setInterval(() => this.#reap(), every);
    this.#reaper.unref();
  }

  /** The highest index known to be durable (memory only: the store's index). */
  get durableIndex(): number {
    return this.#wal ? this.#durable.value : this.store.state.index;
  }

  /**
   * What a reader must await before answering from the current state: null when every write
   * applied so far is durable (always, memory only), else a promise that resolves once the
   * log's fsync covers the store's current index, or rejects when the log failed. Writes are
   * applied at once (so group commit keeps batching) but never observed before they are
   * durable, so after a crash no client has seen an index or value that is gone.
   */
  readBarrier(): Promise<void> | null {
    return this.#wal ? this.#durable.until(this.store.state.index) : null;
  }

  /**
   * Applies a write, waits for it to be durable, then wakes the queries it concerns (the
   * fan-out runs after the acknowledgement). A write that changes nothing (a failed cas, a
   * read-only transaction) or is refused still read the state: it answers only once what it
   * read is durable. Throws the store's ApiErrors for invalid writes (nothing applied, nothing
   * logged).
   */
  async write<O extends Op>(op: O): Promise<OpResult<O>> {
    if (this.#closed) throw new StateError('catalog is closed');
    const at = Date.now();
    let applied: ReturnType<Store['apply']>;
    try {
      applied = this.store.apply(op, at);
    } catch (err) {
      await this.readBarrier();
      throw err;
    }
    const { change } = applied;
    const result = applied.result as OpResult<O>;
    if (!change) {
      await this.readBarrier();
      return result;
    }
    this.emit('write', op.t);
    for (const key of change.checks) {
      const [node, id] = key.split('\0') as [string, string];
      if (node === this.config.node)
        this.#syncCheck(id, this.store.state.checks.get(node)?.get(id));
    }
    for (const id of change.sessionsCreated) {
      const s = this.store.state.sessions.get(id);
      if (s) this.#armSession(s);
    }
    for (const id of change.sessionsDestroyed) this.#disarmSession(id);
    try {
      if (this.#wal) {
        await this.#wal.append({ i: change.index, at, op });
        // The log is ordered: this fsync covers every record before this one too.
        this.#durable.advance(change.index);
      }
    } catch (err) {
      this.#durable.fail(err as Error);
      this.emit('walError', err);
      throw err;
    } finally {
      this.hub.notify(change);
    }
    return result;
  }

  #syncCheck(id: string, rec: CheckRec | undefined): void {
    const d = rec?.definition ?? null;
    if (!rec || !runnable(d)) {
      if (this.#runnerSpecs.delete(id)) this.#runner.remove(id);
      return;
    }
    const key = JSON.stringify(d);
    if (this.#runnerSpecs.get(id) === key) return;
    try {
      this.#runner.add(toSpec(id, d));
      this.#runnerSpecs.set(id, key);
    } catch (err) {
      this.emit('warn', `check ${id} cannot run: ${(err as Error).message}`);
    }
  }

  #onCheckResult(r: CheckResult): void {
    const rec = this.store.state.checks.get(this.config.node)?.get(r.checkId);
    if (!rec) return;
    let output = truncateOutput(r.output);
    if (output === 'TTL expired' && rec.output !== '' && !rec.output.startsWith('TTL expired')) {
      output = `TTL expired (last output before timeout follows): ${rec.output}`;
    }
    this.write({
      t: 'check-status',
      node: rec.node,
      id: rec.checkId,
      status: r.status,
      output,
    }).catch((err: Error) => this.emit('warn', `check ${r.checkId} result lost: ${err.message}`));
  }

  /** A TTL check's pass/warn/fail/update. */
  async ttlUpdate(checkId: string, status: CheckStatus, output: string): Promise<void> {
    const rec = this.store.state.checks.get(this.config.node)?.get(checkId);
    if (!rec || rec.definition?.kind !== 'ttl') {
      throw new StateError(`CheckID ${JSON.stringify(checkId)} does not have associated TTL`);
    }
    const out = truncateOutput(output);
    await this.write({ t: 'check-status', node: rec.node, id: checkId, status, output: out });
    this.#runner.ttlUpdate(checkId, out);
  }

  #armSession(s: SessionRec): void {
    this.#disarmSession(s.id);
    const ttlNs = s.ttl === '' ? 0 : (parseGoDuration(s.ttl) ?? 0);
    if (ttlNs <= 0) return;
    const timer = setTimeout(
      () => {
        this.#sessionTimers.delete(s.id);
        this.write({ t: 'session-destroy', id: s.id }).catch((err: Error) =>
          this.emit('warn', `session ${s.id} expiry failed: ${err.message}`),
        );
      },
      (ttlNs * (this.config.sessionTtlMultiplier ?? 2)) / 1e6,
    );
    timer.unref();
    this.#sessionTimers.set(s.id, timer);
  }

  #disarmSession(id: string): void {
    const t = this.#sessionTimers.get(id);
    if (t) clearTimeout(t);
    this.#sessionTimers.delete(id);
  }

  /** Restarts a session's TTL timer; undefined when the session does not exist. */
  renewSession(id: string): SessionRec | undefined {
    const s = this.store.state.sessions.get(id);
    if (s) this.#armSession(s);
    return s;
  }

  #reap(): void {
    const now = Date.now();
    const min = this.config.deregisterMinMs ?? 60_000;
    const node = this.config.node;
    for (const c of this.store.state.checks.get(node)?.values() ?? []) {
      const after = (c.definition?.deregisterCriticalServiceAfterNs ?? 0) / 1e6;
      if (after <= 0 || c.status !== 'critical' || c.serviceId === '' || c.criticalSince === 0) {
        continue;
      }
      if (now - c.criticalSince < Math.max(after, min)) continue;
      this.emit('reap', c.serviceId, c.checkId);
      this.write({ t: 'service-deregister', node, id: c.serviceId }).catch((err: Error) =>
        this.emit('warn', `reaping ${c.serviceId} failed: ${err.message}`),
      );
    }
  }

  /** Stops checks and timers and closes the log (after a final snapshot). */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#reaper);
    this.#runner.close();
    for (const id of [...this.#sessionTimers.keys()]) this.#disarmSession(id);
    await this.#wal?.close();
  }
}
