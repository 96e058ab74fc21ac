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
import { backoffDelay, sleep } from '@berth/daemon';
import {
  type Overlay,
  diffServices,
  dirtyFromChecks,
  unknownNodes,
  withOverlays,
} from './core/catalog-diff.js';
import type { CatalogWatchEvents, CatalogWatchStats, ResyncInfo } from './catalog-watch-events.js';
import {
  type ResolvedWatchOptions,
  resolveWatchOptions,
  type WatchCatalogOptions,
} from './watch-catalog-options.js';
import type { ConsulClient } from './adapters/client.js';
import type { ConsulHealthCheck } from '@berth/protocol';
import { ConsulAbortedError } from './errors.js';
import { type FetchContext, fetchEveryNode, fetchNodes, fetchServices } from './catalog-fetch.js';
import { buildIncremental, type BuildState, type Registration } from './core/snapshot-build.js';
import type { CatalogSnapshot, NodeInfo } from './core/snapshot.js';
import { SnapshotFeed } from './snapshot-feed.js';
import { Staleness } from './staleness.js';
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

/** A running catalog watch. Create with watchCatalog(). */
export class CatalogWatch
  extends EventEmitter<CatalogWatchEvents>
  implements AsyncIterable<CatalogSnapshot>
{
  readonly #consul: ConsulClient;
  readonly #abort = new AbortController();
  readonly #opts: ResolvedWatchOptions;
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

  readonly #feed = new SnapshotFeed<CatalogSnapshot>();
  #build: BuildState | undefined;
  readonly #staleness = new Staleness();
  #fetchAttempts = 0;

  #processing = false;
  #again = false;
  #settleTimer: NodeJS.Timeout | undefined;
  #resyncTimer: NodeJS.Timeout | undefined;
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
    this.#opts = resolveWatchOptions(options);
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
    return this.#feed.current;
  }

  /** True while Consul is unreachable or failing; `current` is then the last good snapshot. */
  get stale(): boolean {
    return this.#staleness.since !== undefined;
  }

  /** Wall-clock ms since when the watch has been stale, else undefined. */
  get staleSince(): number | undefined {
    return this.#staleness.since;
  }

  /** The most recent error (kept after recovery, for /health and logs). */
  get lastError(): Error | undefined {
    return this.#staleness.lastError;
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
    return this.#feed.ready(
      () => new ConsulAbortedError('catalog watch closed before its first snapshot'),
    );
  }

  /** Call `cb` with every new snapshot (and at once with the current one). Returns an unsubscribe. */
  onSnapshot(cb: (snapshot: CatalogSnapshot) => void): () => void {
    const listener = (s: CatalogSnapshot): void => cb(s);
    this.on('snapshot', listener);
    const current = this.#feed.current;
    if (current) cb(current);
    return () => {
      this.off('snapshot', listener);
    };
  }

  /**
   * Iterate over snapshots: the current one first, then each new one. A slow consumer skips
   * intermediate snapshots and always gets the latest. Ends when the watch closes.
   */
  [Symbol.asyncIterator](): AsyncIterator<CatalogSnapshot> {
    return this.#feed.iterator();
  }

  /** Stop both long-polls and any fetch in flight; the last snapshot stays readable. */
  close(): void {
    if (this.#abort.signal.aborted) return;
    this.#abort.abort();
    this.#servicesWatch.close();
    this.#checksWatch.close();
    if (this.#settleTimer) clearTimeout(this.#settleTimer);
    if (this.#resyncTimer) clearInterval(this.#resyncTimer);
    this.#feed.close();
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
    const stale = this.#staleness.fail(name, f.error);
    this.emit('failure', f);
    if (stale) this.emit('stale', stale);
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
    const fetch: FetchContext = {
      consul: this.#consul,
      concurrency: this.#opts.concurrency,
      datacenter: this.#opts.datacenter,
      signal,
      stats: this.#stats,
    };
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
        const maps = { regs, nodes, overlays };
        const maxFetched = await fetchServices(fetch, [...dirty].sort(), checksIndex, maps);
        // /v1/catalog/services moved for a registration change: if no fetched service's own
        // index reaches the new catalog index, the latest write is one we cannot attribute
        // (a port/address/meta change, a checkless instance added with known tags, ...).
        if (ps && ps.index !== this.#servicesIndex && maxFetched < ps.index) {
          resync = 'unexplained-change';
        }
        if (!resync && unknownNodes(baseChecks, nodes).size > 0) await fetchNodes(fetch, nodes);
      }
      if (resync) {
        const reason = resync;
        await fetchEveryNode(fetch, { regs, nodes }, (count) =>
          this.emit('resync', { reason, nodes: count }),
        );
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
    if (this.#feed.current !== undefined && !built.changed) {
      this.#stats.unchanged++;
      return;
    }
    this.#feed.publish(built.snapshot);
    this.#stats.snapshots++;
    this.emit('snapshot', built.snapshot, built.diff);
  }

  #markFresh(): void {
    const answering = [FETCH];
    if (this.#servicesWatch.failedSince === undefined) answering.push(SERVICES);
    if (this.#checksWatch.failedSince === undefined) answering.push(CHECKS);
    const fresh = this.#staleness.recovered(...answering);
    if (fresh) this.emit('fresh', fresh);
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
