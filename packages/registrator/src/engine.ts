/**
 * The registrator's engine: Docker events plus reconciliation. Each container event syncs that
 * container (inspect → desired services → Consul writes) on the container's own serial queue;
 * a full reconcile (at start, after every Docker or Consul reconnect, every resync, and when a
 * probe finds Consul lost our services) compares everything this host owns in Consul with the
 * running containers, exclusively. It never deregisters and re-registers an unchanged service,
 * never touches services it does not own, and never logs: it emits events the daemon turns
 * into logs and metrics.
 */

import { EventEmitter } from 'node:events';
import { backoffDelay, every, mapLimit } from '@berth/daemon';
import {
  CONTAINER_ACTIONS,
  type ContainerRuntime,
  type RuntimeEvent,
  type RuntimeWatch,
} from './adapters/container-runtime.js';
import type { ServiceRegistry } from './adapters/service-registry.js';
import {
  byServiceId,
  desiredServices,
  eventDesire,
  knownFromListing,
  listingDiffers,
  unownedLeftovers,
} from './core/desired-services.js';
import { sameAsRegistered } from './core/ownership.js';
import {
  COUNTED_AS,
  type Desired,
  type KnownService,
  type WriteCounts,
  applyWrite,
  noWrites,
  planWrites,
} from './core/plan-writes.js';
import { reconcileOrder } from './core/reconcile-order.js';
import { type RegistratorSettings, resolveSettings } from './core/settings.js';
import { RegistratorClosedError, isRetryable } from './errors.js';
import { FirstSync } from './first-sync.js';
import { KeyedQueue } from './keyed-queue.js';
import { RegistryWriter } from './registry-writer.js';
import type {
  ContainerInfo,
  ReconcileReport,
  RegisteredService,
  RegistratorEvents,
  RegistratorOptions,
  Trigger,
} from './types.js';

/** The registrator engine. Create, `start()`, and `close()` when done. */
export class Registrator extends EventEmitter<RegistratorEvents> {
  readonly #opt: RegistratorSettings;
  readonly #runtime: ContainerRuntime;
  readonly #registry: ServiceRegistry;
  readonly #writer: RegistryWriter;
  readonly #queue = new KeyedQueue();
  readonly #abort = new AbortController();
  /** What this registrator believes Consul holds of its own services. */
  #known = new Map<string, KnownService>();
  readonly #warned = new Map<string, string>();
  /** The latest unprocessed event of each container. */
  readonly #latest = new Map<string, RuntimeEvent>();
  /** When the last full reconcile listed Docker (ms since the epoch). */
  #lastListAt = 0;
  #watch: RuntimeWatch | undefined;
  #timers: NodeJS.Timeout[] = [];
  #probeLoop: Promise<void> | undefined;
  #retryTimer: NodeJS.Timeout | undefined;
  #pendingReconcile: Promise<void> | undefined;
  #reconcileFailures = 0;
  #runtimeConnected = false;
  readonly #first: FirstSync;
  /** Resolves after the first successful full reconcile; rejects when startup gave up. */
  readonly synced: Promise<void>;

  constructor(options: RegistratorOptions, runtime: ContainerRuntime, registry: ServiceRegistry) {
    super();
    this.#opt = resolveSettings(options);
    this.#runtime = runtime;
    this.#registry = registry;
    this.#writer = new RegistryWriter(registry, {
      ...this.#opt,
      signal: this.#abort.signal,
      onRetry: (op, attempt, delayMs, error) => this.emit('retry', { op, attempt, delayMs, error }),
      onReachable: (reachable, error) =>
        this.emit('registry', reachable ? { reachable } : { reachable, error }),
      onRecovered: () => void this.requestReconcile('registry-reconnected'),
    });
    this.#first = new FirstSync(this.#opt.retryAttempts);
    this.synced = this.#first.promise;
  }

  /** Whether the Docker event stream is live. */
  get runtimeConnected(): boolean {
    return this.#runtimeConnected;
  }

  /** Whether the last Consul call succeeded. */
  get registryReachable(): boolean {
    return this.#writer.reachable;
  }

  /** Number of services this registrator believes it has in Consul. */
  get registeredCount(): number {
    return this.#known.size;
  }

  /** Subscribes to Docker events; the first full reconcile runs once the stream is live. */
  start(): void {
    if (this.#watch) return;
    this.#watch = this.#runtime.watch({
      event: (e) => this.#onEvent(e),
      connected: () => {
        const first = !this.#runtimeConnected && this.#first.failures === 0 && !this.#first.done;
        this.#runtimeConnected = true;
        this.emit('runtime', { connected: true });
        void this.requestReconcile(first ? 'start' : 'runtime-reconnected');
      },
      disconnected: (error) => {
        const was = this.#runtimeConnected;
        this.#runtimeConnected = false;
        if (was || !this.#first.done) this.emit('runtime', { connected: false, error });
        this.#first.failed(error);
      },
    });
    if (this.#opt.resyncMs > 0) {
      this.#timers.push(
        setInterval(() => void this.requestReconcile('periodic'), this.#opt.resyncMs).unref(),
      );
    }
    if (this.#opt.probeMs > 0) {
      this.#probeLoop = every(this.#opt.probeMs, () => this.#probe(), {
        signal: this.#abort.signal,
        onError: (error) => this.emit('failure', { op: 'probe', error }),
        ref: false,
      });
    }
  }

  /**
   * Queues a full reconcile (merged with one already queued). Resolves when it ran; never
   * rejects: failures are emitted and retried with backoff.
   */
  requestReconcile(trigger: Trigger): Promise<void> {
    if (this.#abort.signal.aborted) return Promise.resolve();
    if (this.#pendingReconcile) return this.#pendingReconcile;
    const p = this.#queue.exclusive(async () => {
      this.#pendingReconcile = undefined;
      if (this.#abort.signal.aborted) return;
      try {
        const report = await this.#reconcile(trigger);
        this.#reconcileFailures = 0;
        this.emit('reconcile', report);
        this.#first.succeeded();
      } catch (error) {
        if (error instanceof RegistratorClosedError) return;
        this.emit('failure', { op: 'reconcile', error });
        this.#first.failed(error);
        this.#scheduleRetry();
      }
    });
    this.#pendingReconcile = p;
    return p;
  }

  /** Stops following events and every timer; waits for running work (which aborts retries). */
  async close(): Promise<void> {
    if (this.#abort.signal.aborted) return;
    this.#abort.abort();
    this.#watch?.close();
    for (const t of this.#timers) clearInterval(t);
    if (this.#retryTimer) clearTimeout(this.#retryTimer);
    this.#first.closed();
    await this.#probeLoop;
    await this.#queue.drain();
  }

  #scheduleRetry(): void {
    if (this.#abort.signal.aborted || this.#retryTimer) return;
    this.#reconcileFailures++;
    const delay = backoffDelay(this.#reconcileFailures, {
      baseMs: this.#opt.retryIntervalMs,
      maxMs: Math.max(this.#opt.retryMaxMs, this.#opt.retryIntervalMs),
    });
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = undefined;
      void this.requestReconcile('retry');
    }, delay);
    this.#retryTimer.unref();
  }

  #onEvent(e: RuntimeEvent): void {
    this.emit('event', e);
    if (!CONTAINER_ACTIONS.includes(e.action) || this.#abort.signal.aborted) return;
    // `kill` only says a signal was sent; `die` follows if the container exits.
    if (e.action === 'kill') return;
    // Events of one container are ordered, so its latest event tells its final state; a task
    // still waiting in the queue picks up the latest one (coalescing keeps it correct).
    this.#latest.set(e.id, e);
    this.#queue
      .run(e.id, () => this.#syncLatest(e.id))
      .catch((error: unknown) => {
        if (!(error instanceof RegistratorClosedError)) {
          this.emit('failure', { op: `sync ${e.id.slice(0, 12)}`, error });
        }
      });
  }

  async #syncLatest(id: string): Promise<void> {
    const e = this.#latest.get(id);
    if (!e || this.#abort.signal.aborted) return;
    this.#latest.delete(id);
    // A full listing taken after the event already reflects it (e.g. events replayed after
    // a reconnect); acting on it again could only undo newer state.
    if (e.time < this.#lastListAt) return;
    const told = eventDesire(e, this.#opt.deregister);
    if (e.action === 'destroy') this.#warned.delete(id);
    const desired =
      told === 'inspect' ? this.#desiredFor(id, await this.#runtime.inspect(id)) : told;
    await this.#converge(id, desired, `event:${e.action}`, e.time);
  }

  /** The services a container should have in Consul now, or 'keep' to leave them as they are. */
  #desiredFor(id: string, info: ContainerInfo | undefined): Desired {
    const { desired, warnings } = desiredServices(
      id,
      info,
      this.#opt.mapping,
      this.#opt.deregister,
    );
    if (!info) this.#warned.delete(id);
    if (warnings) {
      const signature = JSON.stringify(warnings);
      if (warnings.length > 0 && this.#warned.get(id) !== signature) {
        for (const w of warnings) this.emit('warning', w);
      }
      this.#warned.set(id, signature);
    }
    return desired;
  }

  async #converge(
    containerId: string,
    desired: Desired,
    trigger: Trigger,
    eventTime?: number,
    counts = noWrites(),
  ): Promise<WriteCounts> {
    const plan = planWrites(
      this.#known,
      { containerId, services: desired },
      { now: Date.now(), resync: eventTime === undefined },
    );
    counts.unchanged += plan.unchanged;
    const base = { containerId, trigger, eventTime };
    for (const w of plan.writes) {
      await this.#writer.send(w);
      const next = applyWrite(this.#known.get(w.id), w, Date.now());
      if (next) this.#known.set(w.id, next);
      else this.#known.delete(w.id);
      counts[COUNTED_AS[w.op]]++;
      if (w.op === 'register')
        this.emit('register', { ...base, id: w.id, service: w.service.registration });
      else if (w.op === 'deregister') this.emit('deregister', { ...base, id: w.id });
      else if (w.op === 'check') {
        this.emit('health', { ...base, id: w.id, checkId: w.checkId, status: w.status });
      } else this.emit('maintenance', { ...base, id: w.id, enable: w.enable });
    }
    return counts;
  }

  async #reconcile(trigger: Trigger): Promise<ReconcileReport> {
    const started = performance.now();
    const listed = await this.#writer.call('list services', () => this.#registry.list(), false);
    const listAt = Date.now();
    const running = await this.#runtime.listRunning();
    this.#lastListAt = listAt;
    const desired = new Map<string, Desired>();
    const infos = await mapLimit(running, 8, (id) => this.#runtime.inspect(id));
    running.forEach((id, i) => desired.set(id, this.#desiredFor(id, infos[i])));

    const hostname = this.#opt.hostname;
    const desiredById = byServiceId(desired.values());
    const known = knownFromListing(listed, hostname, desiredById, this.#known, sameAsRegistered);
    this.#known = known;
    // Owners of services whose containers no longer run: with --deregister on-success a
    // non-zero exit keeps them; otherwise (or when the container is gone) they go.
    for (const k of known.values()) {
      if (desired.has(k.containerId)) continue;
      if (this.#opt.deregister === 'on-success' && k.containerId) {
        desired.set(
          k.containerId,
          this.#desiredFor(k.containerId, await this.#runtime.inspect(k.containerId)),
        );
      } else {
        desired.set(k.containerId, []);
      }
    }
    for (const id of this.#warned.keys()) if (!desired.has(id)) this.#warned.delete(id);

    const counts = noWrites();
    // What started while nobody registered it first, removals last.
    const registeredIds = new Set([...known.values()].map((k) => k.containerId));
    const runningIds = new Set(running);
    const order = reconcileOrder(
      [...desired].map(([containerId, d]) => ({
        containerId,
        desired: d,
        running: runningIds.has(containerId),
        registered: registeredIds.has(containerId),
      })),
    );
    for (const { containerId, desired: d } of order) {
      await this.#converge(containerId, d, trigger, undefined, counts);
    }
    if (this.#opt.cleanup) {
      for (const s of unownedLeftovers(listed, hostname, desiredById)) {
        await this.#writer.send({ op: 'deregister', id: s.id });
        counts.deregistered++;
        this.emit('deregister', { id: s.id, containerId: '', trigger });
      }
    }
    return {
      trigger,
      ms: performance.now() - started,
      containers: running.length,
      ...counts,
    };
  }

  /** Cheap check that Consul still holds what we believe it holds (e.g. after it restarted). */
  async #probe(): Promise<void> {
    // Never two at once: every() starts the next probe only after this one settled.
    if (!this.#first.done || this.#abort.signal.aborted) return;
    const before = this.#writer.started;
    let listed: RegisteredService[];
    try {
      listed = await this.#registry.list();
    } catch (error) {
      if (isRetryable(error)) this.#writer.failed(error);
      else this.emit('failure', { op: 'probe', error });
      return;
    }
    if (this.#writer.recovered()) return;
    // Writes during the listing make it stale; the next probe looks again.
    if (this.#writer.started !== before || this.#writer.inFlight > 0 || this.#pendingReconcile)
      return;
    const differs = listingDiffers(listed, this.#opt.hostname, this.#known);
    if (differs) void this.requestReconcile('registry-changed');
  }
}
