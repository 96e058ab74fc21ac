/**
 * The catalog runtime around the pure store: it applies writes, logs them durably before
 * acknowledging, wakes blocked queries, runs health checks, expires sessions, reaps services
 * critical for too long and holds the ACL system. It emits events ('warn', 'write', 'fsync')
 * and never logs itself: the daemon entry point turns events into logs and metrics.
 */
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { Wal } from './adapters/wal.js';
import { createState, stateFromJson, stateToJson } from './core/state.js';
import { Store, type OpResult } from './core/store.js';
import type { CheckStatus, Op, SessionRec } from './core/types.js';
import { CatalogAcl, type AclSettings } from './engine/acl.js';
import { CheckSync } from './engine/check-sync.js';
import { DurableIndex } from './engine/durable-index.js';
import { SessionTimers } from './engine/session-timers.js';
import { WatchHub } from './engine/watch-hub.js';
import { StateError } from './errors.js';

export { OUTPUT_MAX, truncateOutput } from './engine/check-sync.js';
export type { AclSettings } from './engine/acl.js';

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
  /** Consul's `acl` stanza; ACLs are off when absent or not enabled. */
  readonly acl?: AclSettings | undefined;
  /** `enable_script_checks`: script checks may be registered over HTTP, and run. */
  readonly enableScriptChecks?: boolean | undefined;
  /**
   * `enable_local_script_checks`: script checks run when defined locally. The catalog has no
   * local definitions, so over HTTP they are still refused ("from remote calls").
   */
  readonly enableLocalScriptChecks?: boolean | undefined;
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
  readonly #checks: CheckSync;
  readonly #sessions: SessionTimers;
  /** The ACL system (inert with ACLs off: every request may do everything). */
  readonly acl: CatalogAcl;
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
    const write = (op: Op): Promise<unknown> => this.write(op);
    const warn = (m: string): void => void this.emit('warn', m);
    this.#checks = new CheckSync({
      node: config.node,
      state: () => this.store.state,
      write,
      warn,
      scripts: config.enableScriptChecks === true || config.enableLocalScriptChecks === true,
      minIntervalMs: config.checkMinIntervalMs ?? 1000,
    });
    this.#sessions = new SessionTimers(config.sessionTtlMultiplier ?? 2, write, warn);
    this.acl = new CatalogAcl({
      settings: config.acl,
      node: config.node,
      datacenter: config.datacenter,
      dataDir: config.dataDir || undefined,
      state: () => this.store.state,
      write,
      now: () => Date.now(),
    });
  }

  /** Script checks may be registered over HTTP (`enable_script_checks`). */
  get scriptChecks(): boolean {
    return this.config.enableScriptChecks === true;
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
    await this.acl.init();
    for (const [id, c] of this.store.state.checks.get(node) ?? []) this.#checks.sync(id, c);
    for (const s of this.store.state.sessions.values()) this.#sessions.arm(s);
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
        this.#checks.sync(id, this.store.state.checks.get(node)?.get(id));
    }
    for (const id of change.sessionsCreated) {
      const s = this.store.state.sessions.get(id);
      if (s) this.#sessions.arm(s);
    }
    for (const id of change.sessionsDestroyed) this.#sessions.disarm(id);
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

  /** A TTL check's pass/warn/fail/update. */
  ttlUpdate(checkId: string, status: CheckStatus, output: string): Promise<void> {
    return this.#checks.ttlUpdate(checkId, status, output);
  }

  /** Restarts a session's TTL timer; undefined when the session does not exist. */
  renewSession(id: string): SessionRec | undefined {
    const s = this.store.state.sessions.get(id);
    if (s) this.#sessions.arm(s);
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
    this.#checks.close();
    this.#sessions.close();
    await this.#wal?.close();
  }
}
