/**
 * One scheduler replica's role: contend for the leader lock; as leader, rebuild the view from
 * KV, serve through a fenced Persister and run the agent monitor; as follower, know the
 * leader's URL (the lock key's value) and probe it, destroying a dead leader's session so a
 * `kill -9` fails over in seconds rather than after Consul's 2×TTL. Emits events; never logs.
 * Must never serve a write without holding the lock (the Persister's check-session fences it).
 */
import { sleep } from '@berth/daemon';
import { EventEmitter, setMaxListeners } from 'node:events';
import { ConsulAbortedError, LeaderLock } from '@berth/consul';
import { PersistError } from './errors.js';
import { catalogGone, fenceFailed } from './ha/catalog-faults.js';
import { probeLeader } from './ha/leader-probe.js';
import type { ReplicaEvents, ReplicaOptions } from './replica-options.js';
import type { ApiContext } from './api/context.js';
import { taskEvent } from './events/task-event.js';
import { AgentMonitor } from './leader/agent-monitor.js';
import { ServiceLoop } from './leader/service-loop.js';
import { Persister, type PersisterStats } from './state/persister.js';
import { loadState } from './state/load-state.js';

export type { ReplicaEvents, ReplicaOptions } from './replica-options.js';

/** A replica's role and, when leading, its ApiContext. */
export class Replica extends EventEmitter<ReplicaEvents> {
  readonly #o: ReplicaOptions;
  readonly #closed = new AbortController();
  #ctx: ApiContext | undefined;
  #persister: Persister | undefined;
  #leaderUrl: string | undefined;
  #leaderSession: string | undefined;
  #waiters = new Set<() => void>();
  #loops: Promise<void>[] = [];
  #lock: LeaderLock | undefined;
  #serviceLoop: ServiceLoop | undefined;
  /** Ends the current leadership term (set while leading). */
  #endTerm: ((reason: Error) => void) | undefined;
  /** Sessions this replica created: one still on the leader key after its term is stale. */
  readonly #ownSessions = new Set<string>();
  readonly persisterStats: PersisterStats = { txns: 0, ops: 0, units: 0, failures: 0 };

  constructor(options: ReplicaOptions) {
    super();
    this.#o = options;
  }

  /** The leader's context when this replica leads and has loaded its view. */
  get context(): ApiContext | undefined {
    return this.#ctx;
  }

  /** The current leader's URL as the lock key says (may be this replica's). */
  get leaderUrl(): string | undefined {
    return this.#leaderUrl;
  }

  /** The leader's service loop (tests wait on it). */
  get serviceLoop(): ServiceLoop | undefined {
    return this.#serviceLoop;
  }

  get isLeader(): boolean {
    return this.#ctx !== undefined;
  }

  start(): void {
    this.#loops.push(this.#contend(), this.#followKey(), this.#probe());
  }

  /** Resolves when this replica leads or knows another leader, or after `ms`. */
  async settled(ms: number): Promise<void> {
    if (this.#ctx || (this.#leaderUrl && this.#leaderUrl !== this.#o.advertiseUrl)) return;
    await new Promise<void>((resolve) => {
      const t = setTimeout(done, ms);
      function done(): void {
        clearTimeout(t);
        resolve();
      }
      this.#waiters.add(done);
    });
  }

  #notify(): void {
    const ws = [...this.#waiters];
    this.#waiters.clear();
    for (const w of ws) w();
  }

  async close(): Promise<void> {
    this.#closed.abort();
    this.#stepDown('closing');
    this.#notify();
    await this.#lock?.close().catch(() => {});
    await Promise.allSettled(this.#loops);
  }

  async #contend(): Promise<void> {
    const signal = this.#closed.signal;
    while (!signal.aborted) {
      const lock = new LeaderLock(this.#o.consul, {
        key: this.#o.layout.leader,
        value: this.#o.advertiseUrl,
        name: `berth-scheduler ${this.#o.advertiseUrl}`,
        ttlMs: this.#o.lockTtlMs,
        // Writes are fenced by check-session, so Consul's lock-delay only slows failover.
        lockDelayMs: 0,
      });
      lock.on('failure', ({ error, during }) => {
        this.emit('warn', { message: `leader lock ${during} failed`, error });
        // Nothing listens at the catalog: it is down or restarting. End the term now; the next
        // one reloads from KV instead of answering from a view the catalog may not hold.
        if (catalogGone(error)) this.#endTerm?.(new Error('the catalog went away'));
      });
      lock.on('acquired', ({ session }) => this.#ownSessions.add(session));
      this.#lock = lock;
      let hold: AbortSignal;
      try {
        hold = await lock.acquire(signal);
      } catch (e) {
        if (!(e instanceof ConsulAbortedError))
          this.emit('warn', { message: 'acquire failed', error: e });
        await lock.close().catch(() => {});
        continue;
      }
      // Terms under one lock: a write lost to a dropped connection ends the term (the view
      // may differ from KV, so the next term reloads it), not the leadership.
      for (;;) {
        const leading = new AbortController();
        // Every held PollAssignments listens on this signal.
        setMaxListeners(0, leading.signal);
        const stop = (): void => leading.abort();
        hold.addEventListener('abort', stop);
        signal.addEventListener('abort', stop);
        this.#endTerm = (reason) => leading.abort(reason);
        try {
          await this.#lead(lock, leading);
        } catch (e) {
          this.emit('warn', { message: 'leading failed', error: e });
        } finally {
          hold.removeEventListener('abort', stop);
          signal.removeEventListener('abort', stop);
          this.#endTerm = undefined;
        }
        const reason: unknown = leading.signal.reason;
        const why = reason instanceof Error ? reason.message : 'lock lost';
        const blip =
          reason instanceof PersistError &&
          !fenceFailed(reason) &&
          !catalogGone(reason) &&
          lock.held &&
          !signal.aborted;
        if (!blip) {
          this.#stepDown(why);
          break;
        }
        this.#stepDown(why, true);
      }
      await lock.close().catch(() => {});
      if (!signal.aborted) await sleep(250, signal);
    }
  }

  async #lead(lock: LeaderLock, leading: AbortController): Promise<void> {
    const session = lock.session;
    if (!session) return;
    const t0 = Date.now();
    const state = await loadState(this.#o.consul.kv, this.#o.layout, this.#o.scope, Date.now());
    if (leading.signal.aborted) return;
    const persister = new Persister(
      this.#o.consul.kv,
      { key: this.#o.layout.leader, session },
      {
        maxInFlight: this.#o.txnInFlight,
        onFailure: (error) => leading.abort(error),
      },
    );
    this.#persister = persister;
    const ctx: ApiContext = {
      state,
      persist: persister,
      layout: this.#o.layout,
      agentGraceMs: this.#o.agentGraceMs,
      maxPollMs: this.#o.maxPollMs,
      now: Date.now,
      random: this.#o.random ?? Math.random,
      signal: leading.signal,
    };
    this.#ctx = ctx;
    this.#leaderUrl = this.#o.advertiseUrl;
    this.emit('leading', {
      loadMs: Date.now() - t0,
      tasks: state.tasks.size,
      instances: state.instances.size,
    });
    this.#notify();
    const monitor = new AgentMonitor(ctx, {
      lostAfterMs: this.#o.lostAfterMs,
      stoppedTaskTtlMs: this.#o.stoppedTaskTtlMs,
      onError: (error) => this.emit('warn', { message: 'agent monitor failed', error }),
    });
    monitor.start();
    const hub = this.#o.events;
    if (hub) {
      state.onTaskUpdate = (rt, prev) => {
        const e = taskEvent(state, rt, prev);
        if (e) hub.publish('TaskStateChange', e);
      };
    }
    const loop = new ServiceLoop(ctx, {
      elb: this.#o.elb,
      events: hub,
      ...(this.#o.serviceIntervalMs !== undefined ? { intervalMs: this.#o.serviceIntervalMs } : {}),
      deregistrationDelayMs: this.#o.deregistrationDelayMs,
      discovery: { consul: this.#o.consul, drainMs: this.#o.discoveryDrainMs ?? 2000 },
      onError: (error) => this.emit('warn', { message: 'service loop failed', error }),
    });
    this.#serviceLoop = loop;
    loop.start();
    try {
      await new Promise<void>((resolve) => {
        if (leading.signal.aborted) resolve();
        leading.signal.addEventListener('abort', () => resolve());
      });
    } finally {
      monitor.stop();
      loop.stop();
      state.onTaskUpdate = undefined;
      if (this.#serviceLoop === loop) this.#serviceLoop = undefined;
    }
  }

  /** Ends the term; `resync`: the lock is still held and a new term follows at once. */
  #stepDown(reason: string, resync = false): void {
    const ctx = this.#ctx;
    if (!ctx) return;
    this.#ctx = undefined;
    const p = this.#persister;
    this.#persister = undefined;
    if (p) {
      for (const k of Object.keys(this.persisterStats) as (keyof PersisterStats)[]) {
        this.persisterStats[k] += p.stats[k];
      }
      p.close();
    }
    if (resync) {
      this.emit('warn', { message: `leader term ended (${reason}); reloading from KV` });
      return;
    }
    if (this.#leaderUrl === this.#o.advertiseUrl) this.#leaderUrl = undefined;
    this.emit('steppedDown', { reason });
  }

  /** Persister stats including the current leadership term. */
  stats(): PersisterStats {
    const s = { ...this.persisterStats };
    const p = this.#persister;
    if (p) for (const k of Object.keys(s) as (keyof PersisterStats)[]) s[k] += p.stats[k];
    return s;
  }

  async #followKey(): Promise<void> {
    const signal = this.#closed.signal;
    let index = 0n;
    while (!signal.aborted) {
      try {
        const r = await this.#o.consul.kvRead(this.#o.layout.leader, false, {
          index,
          waitMs: 30_000,
          signal,
        });
        const raw = r.body as
          | { Value?: string | null; Session?: string }
          | { Value?: string | null; Session?: string }[]
          | undefined;
        const entry = Array.isArray(raw) ? raw[0] : raw;
        let url = entry?.Session ? (entry.Value ?? undefined) : undefined;
        this.#leaderSession = entry?.Session || undefined;
        if (await this.#endStaleOwnSession(entry?.Session, url)) url = undefined;
        if (url !== this.#leaderUrl && !this.#ctx) {
          this.#leaderUrl = url || undefined;
          this.emit('following', { leaderUrl: this.#leaderUrl });
          this.#notify();
        }
        const next = r.index ?? 0n;
        index = next < index ? 0n : next;
      } catch (e) {
        if (signal.aborted) return;
        this.emit('warn', { message: 'leader key watch failed', error: e });
        index = 0n;
        await sleep(1000, signal);
      }
    }
  }

  /**
   * The leader key still names a session of this replica that it no longer leads with: one it
   * created whose term ended while the catalog was away (a restarted catalog restored it), or
   * one of an earlier process at this same advertised URL (killed, restarted). Nobody leads
   * through it, so end it at once instead of following it until its TTL runs out.
   */
  async #endStaleOwnSession(
    session: string | undefined,
    url: string | undefined,
  ): Promise<boolean> {
    if (!session) return false;
    if (!this.#ownSessions.has(session) && url !== this.#o.advertiseUrl) return false;
    if (this.#ctx || this.#lock?.session === session) return false;
    this.#ownSessions.delete(session);
    this.emit('warn', { message: `ending this replica's stale leader session ${session}` });
    await this.#o.consul
      .sessionDestroy(session)
      .catch((error: unknown) =>
        this.emit('warn', { message: 'destroying the stale leader session failed', error }),
      );
    return true;
  }

  #probe(): Promise<void> {
    return probeLeader({
      consul: this.#o.consul,
      leaderKey: this.#o.layout.leader,
      advertiseUrl: this.#o.advertiseUrl,
      intervalMs: this.#o.probeIntervalMs,
      failures: this.#o.probeFailures,
      signal: this.#closed.signal,
      leader: () =>
        this.#ctx ? undefined : { url: this.#leaderUrl, session: this.#leaderSession },
      onFailover: (d) => this.emit('failover', d),
      onWarn: (d) => this.emit('warn', d),
    });
  }
}
