/**
 * watchCatalog: ONE watch of the whole catalog yielding deeply frozen CatalogSnapshots.
 * Two long-polls (/v1/health/state/any for every check, /v1/catalog/services for names and
 * tags) say what changed; only changed services are fetched (/v1/health/service/:name); a
 * registration change those signals cannot attribute triggers a per-node resync
 * (/v1/catalog/nodes + /v1/catalog/node/:node). README.md "Watch design" has the reasoning.
 * Must never issue one request per service on a change, never drop the last good snapshot
 * on errors, and never log (it emits).
 */
import { EventEmitter } from 'node:events';
import { backoffDelay, mapLimit, sleep } from '@berth/daemon';
import {
  type Overlay,
  diffServices,
  dirtyFromChecks,
  unknownNodes,
  withOverlays,
} from './core/catalog-diff.js';
import type { CatalogWatchEvents, CatalogWatchStats, ResyncInfo } from './catalog-watch-events.js';
import type { WatchCatalogOptions } from './watch-catalog-options.js';
import type { ConsulClient } from './adapters/client.js';
import type { ConsulHealthCheck } from '@berth/protocol';
import { ConsulAbortedError, ConsulOptionError } from './errors.js';
import {
  buildIncremental,
  nodesFromCatalog,
  registrationsFromHealth,
  registrationsFromNode,
  type BuildState,
  type Registration,
} from './core/snapshot-build.js';
import type { CatalogSnapshot, NodeInfo } from './core/snapshot.js';
import { BlockingWatch, type WatchFailure } from './watch.js';

interface Pending<T> {
  readonly data: T;
  readonly index: bigint;
  readonly reset: boolean;
}

type Services = Record<string, string[] | null>;

const SERVICES = 'catalog/services';
const CHECKS = 'health/state/any';
const FETCH = 'fetch';

function positive(name: string, v: number, allowZero = false): number {
  if (!Number.isFinite(v) || v < 0 || (!allowZero && v === 0)) {
    throw new ConsulOptionError(
      `${name}: must be a ${allowZero ? 'non-negative' : 'positive'} number, got ${v}`,
    );
  }
  return v;
}

/** A running catalog watch. Create with watchCatalog(). */
export class CatalogWatch
  extends EventEmitter<CatalogWatchEvents>
  implements AsyncIterable<CatalogSnapshot>
{
  readonly #consul: ConsulClient;
  readonly #abort = new AbortController();
  readonly #opts: Required<Omit<WatchCatalogOptions, 'signal' | 'backoff' | 'random'>> &
    Pick<WatchCatalogOptions, 'backoff' | 'random'>;
  readonly #servicesWatch: BlockingWatch<Services>;
  readonly #checksWatch: BlockingWatch<ConsulHealthCheck[]>;

  #pendingServices: Pending<Services> | undefined;
  #pendingChecks: Pending<ConsulHealthCheck[]> | undefined;
  #services: Services | undefined;
  /** The check list as the long-poll (or a resync) returned it. */
  #baseChecks: ConsulHealthCheck[] | undefined;
  /** Checks from per-service answers newer than #baseChecks, by service. */
  #overlays = new Map<string, Overlay>();
  /** #baseChecks with #overlays applied: what the snapshot is built from. */
  #checks: ConsulHealthCheck[] | undefined;
  #servicesIndex = 0n;
  #checksIndex = 0n;
  #regs = new Map<string, readonly Registration[]>();
  #nodes = new Map<string, NodeInfo>();
  #resync: ResyncInfo['reason'] | undefined = 'start';

  #current: CatalogSnapshot | undefined;
  #build: BuildState | undefined;
  #failing = new Map<string, Error>();
  #staleSince: number | undefined;
  #lastError: Error | undefined;
  #fetchAttempts = 0;

  #processing = false;
  #again = false;
  #settleTimer: NodeJS.Timeout | undefined;
  #resyncTimer: NodeJS.Timeout | undefined;
  #tick: { promise: Promise<void>; resolve: () => void };
  readonly #stats: CatalogWatchStats = {
    serviceFetches: 0,
    resyncs: 0,
    nodeFetches: 0,
    nodeListFetches: 0,
    checkListFetches: 0,
    snapshots: 0,
    unchanged: 0,
  };

  constructor(consul: ConsulClient, options: WatchCatalogOptions = {}) {
    super();
    this.#consul = consul;
    this.#opts = {
      waitMs: positive('waitMs', options.waitMs ?? 60_000),
      settleMs: positive('settleMs', options.settleMs ?? 10, true),
      resyncIntervalMs: positive('resyncIntervalMs', options.resyncIntervalMs ?? 300_000, true),
      concurrency: positive('concurrency', options.concurrency ?? 8),
      datacenter: options.datacenter ?? '',
      backoff: options.backoff,
      random: options.random,
    };
    this.#tick = this.#newTick();
    const outer = options.signal;
    if (outer) {
      if (outer.aborted) this.#abort.abort();
      else outer.addEventListener('abort', () => this.close(), { once: true });
    }
    const signal = this.#abort.signal;
    const common = {
      waitMs: this.#opts.waitMs,
      backoff: options.backoff,
      random: options.random,
      signal,
    };
    this.#servicesWatch = new BlockingWatch<Services>({
      ...common,
      name: SERVICES,
      fetch: (q) => consul.catalogServices(q),
    });
    this.#checksWatch = new BlockingWatch<ConsulHealthCheck[]>({
      ...common,
      name: CHECKS,
      fetch: (q) => consul.healthState('any', q),
    });
    this.#servicesWatch.on('change', (c) => {
      this.#pendingServices = { data: c.data ?? {}, index: c.index, reset: c.reset };
      this.#schedule();
    });
    this.#checksWatch.on('change', (c) => {
      this.#pendingChecks = { data: c.data ?? [], index: c.index, reset: c.reset };
      this.#schedule();
    });
    for (const w of [this.#servicesWatch, this.#checksWatch]) {
      w.on('failure', (f) => this.#fail(f.name, f));
      w.on('recovered', () => {
        // Whatever happened while we were away, reconcile in full.
        this.#resync ??= 'recovered';
        this.#schedule();
      });
    }
    if (this.#opts.resyncIntervalMs > 0) {
      this.#resyncTimer = setInterval(() => {
        this.#resync ??= 'periodic';
        this.#schedule();
      }, this.#opts.resyncIntervalMs);
      this.#resyncTimer.unref();
    }
  }

  /** The latest snapshot, or undefined before the first one. */
  get current(): CatalogSnapshot | undefined {
    return this.#current;
  }

  /** True while Consul is unreachable or failing; `current` is then the last good snapshot. */
  get stale(): boolean {
    return this.#staleSince !== undefined;
  }

  /** Wall-clock ms since when the watch has been stale, else undefined. */
  get staleSince(): number | undefined {
    return this.#staleSince;
  }

  /** The most recent error (kept after recovery, for /health and logs). */
  get lastError(): Error | undefined {
    return this.#lastError;
  }

  /** A copy of the request counters. */
  get stats(): CatalogWatchStats {
    return { ...this.#stats };
  }

  /** True once close() was called or the signal aborted. */
  get closed(): boolean {
    return this.#abort.signal.aborted;
  }

  /** Resolve with the first snapshot (at once if there is one); reject if closed first. */
  async ready(): Promise<CatalogSnapshot> {
    while (!this.#current) {
      if (this.closed)
        throw new ConsulAbortedError('catalog watch closed before its first snapshot');
      await this.#tick.promise;
    }
    return this.#current;
  }

  /** Call `cb` with every new snapshot (and at once with the current one). Returns an unsubscribe. */
  onSnapshot(cb: (snapshot: CatalogSnapshot) => void): () => void {
    const listener = (s: CatalogSnapshot): void => cb(s);
    this.on('snapshot', listener);
    if (this.#current) cb(this.#current);
    return () => {
      this.off('snapshot', listener);
    };
  }

  /**
   * Iterate over snapshots: the current one first, then each new one. A slow consumer skips
   * intermediate snapshots and always gets the latest. Ends when the watch closes.
   */
  [Symbol.asyncIterator](): AsyncIterator<CatalogSnapshot> {
    let last: CatalogSnapshot | undefined;
    return {
      next: async (): Promise<IteratorResult<CatalogSnapshot>> => {
        for (;;) {
          if (this.closed) return { done: true, value: undefined };
          const cur = this.#current;
          if (cur && cur !== last) {
            last = cur;
            return { done: false, value: cur };
          }
          await this.#tick.promise;
        }
      },
      return: async (): Promise<IteratorResult<CatalogSnapshot>> => ({
        done: true,
        value: undefined,
      }),
    };
  }

  /** Stop both long-polls and any fetch in flight; the last snapshot stays readable. */
  close(): void {
    if (this.#abort.signal.aborted) return;
    this.#abort.abort();
    this.#servicesWatch.close();
    this.#checksWatch.close();
    if (this.#settleTimer) clearTimeout(this.#settleTimer);
    if (this.#resyncTimer) clearInterval(this.#resyncTimer);
    this.#tick.resolve();
  }

  #newTick(): { promise: Promise<void>; resolve: () => void } {
    let resolve!: () => void;
    const promise = new Promise<void>((r) => (resolve = r));
    return { promise, resolve };
  }

  #schedule(): void {
    if (this.closed || this.#settleTimer) return;
    // Both long-polls usually wake for the same write: give the other a moment to land, so
    // one round sees both signals.
    this.#settleTimer = setTimeout(() => {
      this.#settleTimer = undefined;
      void this.#process();
    }, this.#opts.settleMs);
  }

  #fail(name: string, f: WatchFailure): void {
    this.#lastError = f.error;
    this.#failing.set(name, f.error);
    this.emit('failure', f);
    if (this.#staleSince === undefined) {
      this.#staleSince = Date.now();
      this.emit('stale', { since: this.#staleSince, error: f.error });
    }
  }

  async #process(): Promise<void> {
    if (this.#processing) {
      this.#again = true;
      return;
    }
    this.#processing = true;
    try {
      do {
        this.#again = false;
        await this.#round();
      } while (this.#again && !this.closed);
    } finally {
      this.#processing = false;
    }
  }

  async #round(): Promise<void> {
    const ps = this.#pendingServices;
    const pcAtStart = this.#pendingChecks;
    let pc = pcAtStart;
    // A check list older than the one a resync read is stale news (it was in flight); drop
    // it unless Consul's index really went back (reset).
    if (pc && !pc.reset && pc.index < this.#checksIndex) pc = undefined;
    const nextServices = ps?.data ?? this.#services;
    let baseChecks = pc?.data ?? this.#baseChecks;
    let checksIndex = pc?.index ?? this.#checksIndex;
    // The first snapshot needs both long-polls' answers.
    if (!nextServices || !baseChecks) return;
    if (!ps && !pc && !this.#resync) {
      if (this.#pendingChecks === pcAtStart) this.#pendingChecks = undefined;
      return;
    }
    const signal = this.#abort.signal;
    try {
      const regs = new Map(this.#regs);
      const nodes = new Map(this.#nodes);
      const overlays = new Map(this.#overlays);
      let resync = this.#resync;
      if (!resync) {
        const sd = diffServices(this.#services, nextServices);
        for (const name of sd.removed) regs.delete(name);
        const dirty = new Set([...sd.added, ...sd.retagged]);
        const seen = withOverlays(baseChecks, overlays, checksIndex);
        for (const name of dirtyFromChecks(this.#checks, seen, this.#regs)) dirty.add(name);
        let maxFetched = 0n;
        const names = [...dirty].sort();
        const fetched = await mapLimit(names, this.#opts.concurrency, (name) => {
          this.#stats.serviceFetches++;
          return this.#consul.healthService(name, { signal });
        });
        names.forEach((name, i) => {
          const r = fetched[i]!;
          if (r.index !== undefined && r.index > maxFetched) maxFetched = r.index;
          // This answer is newer than the check list: use its checks for this service until
          // the check long-poll catches up, so a new instance never shows up without its
          // checks (and so as healthy).
          if (r.index !== undefined && r.index > checksIndex) {
            overlays.set(name, { index: r.index, entries: r.body ?? [] });
          }
          const got = registrationsFromHealth(r.body, this.#opts.datacenter);
          if (got.instances.length) regs.set(name, got.instances);
          else regs.delete(name);
          for (const n of got.nodes) nodes.set(n.name, n);
        });
        // /v1/catalog/services moved for a registration change: if no fetched service's own
        // index reaches the new catalog index, the latest write is one we cannot attribute
        // (a port/address/meta change, a checkless instance added with known tags, ...).
        if (ps && ps.index !== this.#servicesIndex && maxFetched < ps.index) {
          resync = 'unexplained-change';
        }
        if (!resync && unknownNodes(baseChecks, nodes).size > 0) {
          this.#stats.nodeListFetches++;
          const r = await this.#consul.catalogNodes({ signal });
          for (const n of nodesFromCatalog(r.body, this.#opts.datacenter)) nodes.set(n.name, n);
        }
      }
      if (resync) {
        await this.#fullResync(resync, regs, nodes, signal);
        // Read every check after the registrations, so each registration's checks are there
        // even when the check long-poll has not caught up yet.
        this.#stats.checkListFetches++;
        const fresh = await this.#consul.healthState('any', { signal });
        baseChecks = fresh.body ?? [];
        if (fresh.index !== undefined) checksIndex = fresh.index;
        overlays.clear();
      }
      // Commit. Pending data that arrived during the awaits stays pending for the next round.
      this.#services = nextServices;
      this.#baseChecks = baseChecks;
      this.#checksIndex = checksIndex;
      for (const [name, o] of overlays) if (o.index <= checksIndex) overlays.delete(name);
      this.#overlays = overlays;
      this.#checks = withOverlays(baseChecks, overlays, checksIndex);
      if (ps) this.#servicesIndex = ps.index;
      if (this.#pendingServices === ps) this.#pendingServices = undefined;
      else this.#again = true;
      if (this.#pendingChecks === pcAtStart) this.#pendingChecks = undefined;
      else this.#again = true;
      this.#regs = regs;
      this.#nodes = nodes;
      if (this.#resync === resync || this.#resync === undefined) this.#resync = undefined;
      else this.#again = true;
      this.#fetchAttempts = 0;
      this.#publish();
      this.#markFresh();
    } catch (e) {
      if (this.closed || e instanceof ConsulAbortedError) return;
      const error = e instanceof Error ? e : new Error(String(e));
      this.#fetchAttempts++;
      const delayMs = backoffDelay(this.#fetchAttempts, this.#opts.backoff, this.#opts.random);
      this.#fail(FETCH, { name: FETCH, error, attempt: this.#fetchAttempts, delayMs });
      // What we hold may now be partly out of date: reconcile in full once Consul answers.
      this.#resync ??= 'retry';
      void sleep(delayMs, signal).then(() => this.#schedule());
    }
  }

  async #fullResync(
    reason: ResyncInfo['reason'],
    regs: Map<string, readonly Registration[]>,
    nodes: Map<string, NodeInfo>,
    signal: AbortSignal,
  ): Promise<void> {
    this.#stats.resyncs++;
    this.#stats.nodeListFetches++;
    const list = await this.#consul.catalogNodes({ signal });
    const catalogNodes = nodesFromCatalog(list.body, this.#opts.datacenter);
    this.emit('resync', { reason, nodes: catalogNodes.length });
    const perNode = await mapLimit(catalogNodes, this.#opts.concurrency, (n) => {
      this.#stats.nodeFetches++;
      return this.#consul.catalogNode(n.name, { signal });
    });
    regs.clear();
    nodes.clear();
    for (const n of catalogNodes) nodes.set(n.name, n);
    for (const r of perNode) {
      const got = registrationsFromNode(r.body, this.#opts.datacenter);
      for (const n of got.nodes) nodes.set(n.name, n);
      for (const inst of got.instances) {
        const list = regs.get(inst.service);
        regs.set(inst.service, list ? [...list, inst] : [inst]);
      }
    }
  }

  #publish(): void {
    const index = this.#servicesIndex > this.#checksIndex ? this.#servicesIndex : this.#checksIndex;
    let datacenter = this.#opts.datacenter;
    if (!datacenter)
      for (const n of this.#nodes.values()) if (n.datacenter) datacenter = n.datacenter;
    const built = buildIncremental(
      {
        registrations: this.#regs.values(),
        checks: this.#checks ?? [],
        nodes: this.#nodes.values(),
        index,
        datacenter,
        fetchedAt: Date.now(),
      },
      this.#build,
    );
    this.#build = built.state;
    if (this.#current !== undefined && !built.changed) {
      this.#stats.unchanged++;
      return;
    }
    this.#current = built.snapshot;
    this.#stats.snapshots++;
    const tick = this.#tick;
    this.#tick = this.#newTick();
    this.emit('snapshot', built.snapshot, built.diff);
    tick.resolve();
  }

  #markFresh(): void {
    this.#failing.delete(FETCH);
    if (this.#servicesWatch.failedSince === undefined) this.#failing.delete(SERVICES);
    if (this.#checksWatch.failedSince === undefined) this.#failing.delete(CHECKS);
    if (this.#failing.size === 0 && this.#staleSince !== undefined) {
      const staleSince = this.#staleSince;
      this.#staleSince = undefined;
      this.emit('fresh', { staleSince, staleForMs: Date.now() - staleSince });
    }
  }
}

/**
 * Watch every service of the catalog with one watch. The returned CatalogWatch yields a new
 * deeply frozen snapshot whenever instances, tags, meta, addresses, ports or check states
 * change (not for check output alone), keeps the last good one while Consul is unreachable,
 * and says since when it is stale. Close it (or abort `signal`) when done.
 */
export function watchCatalog(
  consul: ConsulClient,
  options: WatchCatalogOptions = {},
): CatalogWatch {
  return new CatalogWatch(consul, options);
}
