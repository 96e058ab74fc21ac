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
import {
  CONTAINER_ACTIONS,
  type ContainerRuntime,
  type RuntimeEvent,
  type RuntimeWatch,
} from './container-runtime.js';
import { type MappingOptions, containerToServices } from './container-to-services.js';
import { RegistratorClosedError, RegistratorOptionError, isRetryable } from './errors.js';
import { KeyedQueue } from './keyed-queue.js';
import {
  OWNER_META,
  type DesiredService,
  ownedBy,
  sameAsRegistered,
  withOwnership,
} from './ownership.js';
import { reconcileOrder } from './reconcile-order.js';
import {
  RetryAbortedError,
  RetryExhaustedError,
  backoffDelay,
  mapLimit,
  withRetry,
} from '@berth/daemon';
import type {
  ReconcileReport,
  RegistratorEvents,
  RegistratorOptions,
  Trigger,
} from './registrator-types.js';
import type { RegisteredService, ServiceRegistry } from './service-registry.js';
import type { CheckStatus } from '@berth/protocol';
import type { ContainerInfo } from './types.js';
import {
  DOCKER_HEALTH_TTL_MS,
  dockerHealthCheckId,
  dockerHealthStatus,
  withHealthStatus,
} from './docker-health.js';

interface Known {
  readonly containerId: string;
  readonly hash: string;
  readonly maintenance: boolean;
  /** Status of the Docker-health mirror check as we believe Consul holds it. */
  readonly health?: CheckStatus | undefined;
  /** When we last set it (0: not by this run); re-asserted after half its TTL. */
  readonly healthAt?: number;
}

type Desired = readonly DesiredService[] | 'keep';

interface Counts {
  registered: number;
  deregistered: number;
  maintenance: number;
  health: number;
  unchanged: number;
}

const PAUSED_REASON = 'container paused (berth registrator)';

/** Maintenance this registrator set (or of unknown origin), as opposed to someone else's. */
const ownMaintenance = (reason: string | undefined): boolean =>
  reason === undefined || reason === PAUSED_REASON;

/** The registrator engine. Create, `start()`, and `close()` when done. */
export class Registrator extends EventEmitter<RegistratorEvents> {
  readonly #opt: Required<Omit<RegistratorOptions, 'labelFilters'>> & MappingOptions;
  readonly #runtime: ContainerRuntime;
  readonly #registry: ServiceRegistry;
  readonly #queue = new KeyedQueue();
  readonly #abort = new AbortController();
  /** What this registrator believes Consul holds of its own services. */
  #known = new Map<string, Known>();
  readonly #warned = new Map<string, string>();
  /** The latest unprocessed event of each container. */
  readonly #latest = new Map<string, RuntimeEvent>();
  /** When the last full reconcile listed Docker (ms since the epoch). */
  #lastListAt = 0;
  #watch: RuntimeWatch | undefined;
  #timers: NodeJS.Timeout[] = [];
  #retryTimer: NodeJS.Timeout | undefined;
  #pendingReconcile: Promise<void> | undefined;
  #reconcileFailures = 0;
  #startupFailures = 0;
  #registryDown = false;
  #runtimeConnected = false;
  #writesStarted = 0;
  #writesInFlight = 0;
  #probing = false;
  #synced = false;
  #resolveSynced!: () => void;
  #rejectSynced!: (e: unknown) => void;
  /** Resolves after the first successful full reconcile; rejects when startup gave up. */
  readonly synced: Promise<void>;

  constructor(options: RegistratorOptions, runtime: ContainerRuntime, registry: ServiceRegistry) {
    super();
    const retryAttempts = options.retryAttempts ?? -1;
    if (!Number.isInteger(retryAttempts) || retryAttempts < -1) {
      throw new RegistratorOptionError(
        '--retry-attempts',
        `must be -1 or more, got ${retryAttempts}`,
      );
    }
    for (const [flag, v] of [
      ['--resync', options.resyncMs],
      ['--consul-probe', options.probeMs],
      ['--retry-interval', options.retryIntervalMs],
    ] as const) {
      if (v !== undefined && !(Number.isFinite(v) && v >= 0)) {
        throw new RegistratorOptionError(flag, `must be a duration of 0 or more, got ${v}`);
      }
    }
    if (!options.hostname || options.hostname.includes('/')) {
      throw new RegistratorOptionError(
        '--hostname',
        `bad host name ${JSON.stringify(options.hostname)}`,
      );
    }
    this.#opt = {
      ...options,
      internal: options.internal ?? false,
      tags: options.tags ?? [],
      requireLabel: options.requireLabel ?? false,
      dockerHealth: options.dockerHealth ?? true,
      deregister: options.deregister ?? 'always',
      cleanup: options.cleanup ?? false,
      resyncMs: options.resyncMs ?? 30_000,
      probeMs: options.probeMs ?? 5_000,
      retryAttempts,
      retryIntervalMs: options.retryIntervalMs || 1000,
      retryMaxMs: options.retryMaxMs ?? 5000,
    };
    this.#runtime = runtime;
    this.#registry = registry;
    this.synced = new Promise<void>((resolve, reject) => {
      this.#resolveSynced = resolve;
      this.#rejectSynced = reject;
    });
    // Callers that never await `synced` must not see an unhandled rejection.
    this.synced.catch(() => {});
  }

  /** Whether the Docker event stream is live. */
  get runtimeConnected(): boolean {
    return this.#runtimeConnected;
  }

  /** Whether the last Consul call succeeded. */
  get registryReachable(): boolean {
    return !this.#registryDown;
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
        const first = !this.#runtimeConnected && this.#startupFailures === 0 && !this.#synced;
        this.#runtimeConnected = true;
        this.emit('runtime', { connected: true });
        void this.requestReconcile(first ? 'start' : 'runtime-reconnected');
      },
      disconnected: (error) => {
        const was = this.#runtimeConnected;
        this.#runtimeConnected = false;
        if (was || !this.#synced) this.emit('runtime', { connected: false, error });
        if (!this.#synced) this.#startupFailed(error);
      },
    });
    if (this.#opt.resyncMs > 0) {
      this.#timers.push(
        setInterval(() => void this.requestReconcile('periodic'), this.#opt.resyncMs).unref(),
      );
    }
    if (this.#opt.probeMs > 0) {
      this.#timers.push(setInterval(() => void this.#probe(), this.#opt.probeMs).unref());
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
        if (!this.#synced) {
          this.#synced = true;
          this.#resolveSynced();
        }
      } catch (error) {
        if (error instanceof RegistratorClosedError) return;
        this.emit('failure', { op: 'reconcile', error });
        if (!this.#synced) this.#startupFailed(error);
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
    if (!this.#synced) this.#rejectSynced(new RegistratorClosedError());
    await this.#queue.drain();
  }

  #startupFailed(error: unknown): void {
    this.#startupFailures++;
    const max = this.#opt.retryAttempts;
    // A RetryExhaustedError has used up the attempts already (inside one Consul call).
    if (max >= 0 && (error instanceof RetryExhaustedError || this.#startupFailures > max)) {
      const e =
        error instanceof RetryExhaustedError
          ? error
          : new RetryExhaustedError('first sync', this.#startupFailures, error);
      this.#rejectSynced(e);
    }
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
    let desired: Desired;
    if (e.action === 'destroy') {
      this.#warned.delete(id);
      desired = [];
    } else if ((e.action === 'die' || e.action === 'stop') && this.#opt.deregister === 'always') {
      // No inspect: Docker holds the container lock while it cleans up after an exit, and
      // the answer cannot change the outcome.
      desired = [];
    } else if (e.action === 'die' && /^-?\d+$/.test(e.attributes['exitCode'] ?? '')) {
      desired = Number(e.attributes['exitCode']) === 0 ? [] : 'keep';
    } else {
      desired = this.#desiredFor(id, await this.#runtime.inspect(id));
    }
    await this.#converge(id, desired, `event:${e.action}`, e.time);
  }

  /** The services a container should have in Consul now, or 'keep' to leave them as they are. */
  #desiredFor(id: string, info: ContainerInfo | undefined): Desired {
    if (!info) {
      this.#warned.delete(id);
      return [];
    }
    if (info.state === 'running' || info.state === 'paused') {
      const { services, warnings } = containerToServices(info, this.#opt);
      const signature = JSON.stringify(warnings);
      if (warnings.length > 0 && this.#warned.get(id) !== signature) {
        for (const w of warnings) this.emit('warning', w);
      }
      this.#warned.set(id, signature);
      const health = dockerHealthStatus(info.health);
      return services.map((s) => {
        const checkId = dockerHealthCheckId(s.id);
        const mirrored = s.checks.some((c) => c.CheckID === checkId);
        return withOwnership(
          s,
          this.#opt.hostname,
          id,
          info.state === 'paused',
          mirrored ? { checkId, ...health } : undefined,
        );
      });
    }
    if (
      this.#opt.deregister === 'on-success' &&
      (info.state === 'exited' || info.state === 'dead') &&
      info.exitCode !== 0
    ) {
      return 'keep';
    }
    return [];
  }

  async #converge(
    containerId: string,
    desired: Desired,
    trigger: Trigger,
    eventTime?: number,
    counts: Counts = { registered: 0, deregistered: 0, maintenance: 0, health: 0, unchanged: 0 },
  ): Promise<Counts> {
    if (desired === 'keep') {
      for (const [, k] of this.#known) if (k.containerId === containerId) counts.unchanged++;
      return counts;
    }
    const base = { containerId, trigger, eventTime };
    const wanted = new Set(desired.map((d) => d.registration.id));
    // Removals first: a renamed container frees its old IDs before it takes new ones.
    const stale = [...this.#known].filter(
      ([id, k]) => k.containerId === containerId && !wanted.has(id),
    );
    for (const [id] of stale) {
      await this.#write(`deregister ${id}`, () => this.#registry.deregister(id));
      this.#known.delete(id);
      counts.deregistered++;
      this.emit('deregister', { ...base, id });
    }
    for (const d of desired) {
      const id = d.registration.id;
      let k = this.#known.get(id);
      if (!k || k.hash !== d.hash) {
        // The mirror check starts with the container's current health (not part of the digest).
        const sent = d.health
          ? withHealthStatus(d.registration, d.health.checkId, d.health.status)
          : d.registration;
        await this.#write(`register ${id}`, () => this.#registry.register(sent));
        // Whether a re-registration keeps maintenance mode differs between Consul versions:
        // when either side wants it, set it explicitly (idempotent) below.
        const unsure = d.maintenance || (k?.maintenance ?? false);
        k = {
          containerId,
          hash: d.hash,
          maintenance: unsure ? !d.maintenance : false,
          ...(d.health ? { health: d.health.status, healthAt: Date.now() } : {}),
        };
        this.#known.set(id, k);
        counts.registered++;
        this.emit('register', { ...base, id, service: d.registration });
      } else {
        counts.unchanged++;
      }
      // A health flip is a check update, never a re-registration. A full reconcile also
      // re-asserts it once half the TTL has passed (Docker reports changes only).
      const h = d.health;
      if (
        h &&
        (k.health !== h.status ||
          (eventTime === undefined && Date.now() - (k.healthAt ?? 0) > DOCKER_HEALTH_TTL_MS / 2))
      ) {
        await this.#write(`check ${h.checkId}`, () =>
          this.#registry.updateCheck(h.checkId, h.status, h.output),
        );
        k = { ...k, health: h.status, healthAt: Date.now() };
        this.#known.set(id, k);
        counts.health++;
        this.emit('health', { ...base, id, checkId: h.checkId, status: h.status });
      }
      if (k.maintenance !== d.maintenance) {
        await this.#write(`maintenance ${id}`, () =>
          this.#registry.setMaintenance(id, d.maintenance, PAUSED_REASON),
        );
        this.#known.set(id, { ...k, maintenance: d.maintenance });
        counts.maintenance++;
        this.emit('maintenance', { ...base, id, enable: d.maintenance });
      }
    }
    return counts;
  }

  async #reconcile(trigger: Trigger): Promise<ReconcileReport> {
    const started = performance.now();
    const listed = await this.#write('list services', () => this.#registry.list(), false);
    const listAt = Date.now();
    const running = await this.#runtime.listRunning();
    this.#lastListAt = listAt;
    const desired = new Map<string, Desired>();
    const infos = await mapLimit(running, 8, (id) => this.#runtime.inspect(id));
    running.forEach((id, i) => desired.set(id, this.#desiredFor(id, infos[i])));

    const hostname = this.#opt.hostname;
    const owned = listed.filter((s) => ownedBy(s, hostname));
    const desiredById = new Map<string, DesiredService>();
    for (const d of desired.values()) {
      if (d !== 'keep') for (const s of d) desiredById.set(s.registration.id, s);
    }
    // Rebuild what we believe from what Consul says; a service edited behind our back (or
    // registered by an older version) gets an empty hash and is re-registered.
    const known = new Map<string, Known>();
    for (const s of owned) {
      const want = desiredById.get(s.id);
      const hash = want && sameAsRegistered(want, s) ? want.hash : '';
      // The mirror check's status as Consul holds it; a resync never resets it, and only
      // writes when it differs from Docker's (e.g. it expired, or Consul restarted).
      const checkId = want?.health?.checkId;
      const health = checkId ? s.checks?.[checkId] : undefined;
      const prev = this.#known.get(s.id);
      known.set(s.id, {
        containerId: s.meta[OWNER_META.container] ?? '',
        hash,
        // Maintenance someone else turned on (the scheduler draining a task before it stops
        // it) is theirs to turn off: only our own (a paused container) counts as ours.
        maintenance: s.maintenance && ownMaintenance(s.maintenanceReason),
        ...(health ? { health, healthAt: prev?.health === health ? (prev.healthAt ?? 0) : 0 } : {}),
      });
    }
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

    const counts: Counts = {
      registered: 0,
      deregistered: 0,
      maintenance: 0,
      health: 0,
      unchanged: 0,
    };
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
      for (const s of listed) {
        if (ownedBy(s, hostname) || desiredById.has(s.id) || s.meta[OWNER_META.owner]) continue;
        if (!s.id.startsWith(`${hostname}:`)) continue;
        await this.#write(`deregister ${s.id}`, () => this.#registry.deregister(s.id));
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
    if (this.#probing || !this.#synced || this.#abort.signal.aborted) return;
    this.#probing = true;
    try {
      const before = this.#writesStarted;
      let listed: RegisteredService[];
      try {
        listed = await this.#registry.list();
      } catch (error) {
        if (isRetryable(error)) this.#registryFailed(error);
        else this.emit('failure', { op: 'probe', error });
        return;
      }
      if (this.#registryRecovered()) return;
      // Writes during the listing make it stale; the next probe looks again.
      if (this.#writesStarted !== before || this.#writesInFlight > 0 || this.#pendingReconcile)
        return;
      const owned = new Map(
        listed.filter((s) => ownedBy(s, this.#opt.hostname)).map((s) => [s.id, s]),
      );
      let differs = owned.size !== this.#known.size;
      for (const [id, k] of this.#known) {
        const s = owned.get(id);
        if (!s || (k.hash !== '' && s.meta[OWNER_META.hash] !== k.hash)) differs = true;
      }
      if (differs) void this.requestReconcile('registry-changed');
    } finally {
      this.#probing = false;
    }
  }

  /** Runs one registry call with retries, tracking reachability. */
  async #write<T>(op: string, fn: () => Promise<T>, counts = true): Promise<T> {
    if (counts) {
      this.#writesStarted++;
      this.#writesInFlight++;
    }
    try {
      const out = await withRetry(
        op,
        async () => {
          try {
            return await fn();
          } catch (error) {
            if (isRetryable(error)) this.#registryFailed(error);
            throw error;
          }
        },
        {
          retries: this.#opt.retryAttempts,
          baseMs: this.#opt.retryIntervalMs,
          maxMs: Math.max(this.#opt.retryMaxMs, this.#opt.retryIntervalMs),
          signal: this.#abort.signal,
          retryable: isRetryable,
          onRetry: (attempt, delayMs, error) => this.emit('retry', { op, attempt, delayMs, error }),
        },
      ).catch((error: unknown) => {
        throw error instanceof RetryAbortedError ? new RegistratorClosedError() : error;
      });
      // A recovery seen by a reconcile's own listing needs no second reconcile.
      this.#registryRecovered(counts);
      return out;
    } finally {
      if (counts) this.#writesInFlight--;
    }
  }

  #registryFailed(error: unknown): void {
    if (this.#registryDown) return;
    this.#registryDown = true;
    this.emit('registry', { reachable: false, error });
  }

  /** Marks the registry reachable; after an outage, queues a full reconcile. */
  #registryRecovered(reconcile = true): boolean {
    if (!this.#registryDown) return false;
    this.#registryDown = false;
    this.emit('registry', { reachable: true });
    if (reconcile) void this.requestReconcile('registry-reconnected');
    return true;
  }
}
