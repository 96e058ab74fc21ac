/**
 * The leader's service loop: on every committed change of a cluster (task report, placement,
 * instance join / drain / loss, service write), at the reconciler's `scheduleRetry` times and
 * every `intervalMs`, it runs the pure `reconcileService` (`reconcileTaskSets` for EXTERNAL
 * services) for each service of the cluster and
 * executes its actions through the existing placement and task paths (tasks `startedBy` the
 * deployment, group `service:<name>`, stops with ServiceSchedulerInitiated), ELB target
 * calls, then persists the folded service record. Runs only with a leader's ApiContext and
 * stops when leadership ends; a new leader resumes from the records in KV. Never logs.
 */
import type { ConsulClient, TxnOp } from '@berth/consul';
import { randomUUID } from 'node:crypto';
import type { ApiContext } from '../api/context.js';
import type { ElbTargets } from '@berth/elb';
import type { EventHub } from '../events/event-hub.js';
import { requestStop } from '../core/task-transitions.js';
import {
  DEFAULT_DEREGISTRATION_DELAY_MS,
  type Action,
  type Service,
  type ServiceTask,
  type TargetHealth,
} from '../core/service-model/index.js';
import {
  applyAnyActions,
  reconcileAny,
  serviceLoadBalancers,
} from '../core/service-model/task-set-record.js';
import { encodeTask } from '../state/records.js';
import { idOf } from '../core/arn.js';
import type { TaskRt } from '../state/scheduler-state.js';
import { instanceViews, tasksByGroup, toServiceTask } from './service-view.js';
import { DiscoveryDrain } from './discovery-drain.js';
import { publishServiceEvents } from './service-events.js';
import { startServiceTasks } from './start-service-tasks.js';

export interface ServiceLoopOptions {
  readonly elb?: ElbTargets | undefined;
  readonly events?: EventHub | undefined;
  /** Periodic full pass (default 2 s). */
  readonly intervalMs?: number;
  /** DescribeTargetHealth at most this often per target group while targets settle (1 s). */
  readonly elbPollMs?: number;
  /** Overrides the target groups' deregistration delay (ms). */
  readonly deregistrationDelayMs?: number | undefined;
  /** Drain a RUNNING task from Consul (and so the routers) before stopping it. */
  readonly discovery?: { readonly consul: ConsulClient; readonly drainMs: number } | undefined;
  readonly onError: (error: unknown) => void;
}

type HealthMap = Map<string, Record<string, TargetHealth>>;

/** Per-leadership service reconciliation. */
export class ServiceLoop {
  readonly #ctx: ApiContext;
  readonly #o: ServiceLoopOptions;
  readonly #dirty = new Set<string>();
  readonly #retries = new Map<string, { at: number; timer: NodeJS.Timeout }>();
  /** Per service key: per task ARN, per target group: ELB health. */
  readonly #targets = new Map<string, HealthMap>();
  readonly #lastElbPoll = new Map<string, number>();
  #running: Promise<void> | undefined;
  #timer: NodeJS.Timeout | undefined;
  #unsubscribe: (() => void) | undefined;
  #stopped = false;
  readonly #discovery: DiscoveryDrain | undefined;
  /** Passes run (for tests and metrics). */
  passes = 0;

  constructor(ctx: ApiContext, options: ServiceLoopOptions) {
    this.#ctx = ctx;
    this.#o = options;
    const d = options.discovery;
    this.#discovery =
      d && d.drainMs > 0
        ? new DiscoveryDrain({
            consul: d.consul,
            delayMs: d.drainMs,
            signal: ctx.signal,
            onDrained: (cluster) => this.kick(cluster),
            onError: options.onError,
          })
        : undefined;
  }

  start(): void {
    this.#unsubscribe = this.#ctx.state.onChange((cluster) => this.kick(cluster));
    this.#timer = setInterval(() => {
      for (const c of this.#ctx.state.clusters.keys()) this.kick(c);
    }, this.#o.intervalMs ?? 2000);
    this.#timer.unref();
    for (const c of this.#ctx.state.clusters.keys()) this.kick(c);
  }

  stop(): void {
    this.#stopped = true;
    this.#unsubscribe?.();
    if (this.#timer) clearInterval(this.#timer);
    for (const r of this.#retries.values()) clearTimeout(r.timer);
    this.#retries.clear();
  }

  /** Marks a cluster for a pass soon. */
  kick(cluster: string): void {
    if (this.#stopped) return;
    this.#dirty.add(cluster);
    if (!this.#running) this.#running = this.#drain();
  }

  /** Resolves once no pass is running or pending (tests). */
  async idle(): Promise<void> {
    while (this.#running) await this.#running;
  }

  async #drain(): Promise<void> {
    await new Promise((r) => setImmediate(r));
    try {
      while (this.#dirty.size > 0 && !this.#stopped && !this.#ctx.signal.aborted) {
        const clusters = [...this.#dirty];
        this.#dirty.clear();
        for (const c of clusters) await this.#passCluster(c);
      }
    } catch (e) {
      if (!this.#ctx.signal.aborted) this.#o.onError(e);
    } finally {
      this.#running = undefined;
    }
  }

  async #passCluster(cluster: string): Promise<void> {
    this.passes++;
    const services = [...this.#ctx.state.services].filter(
      ([key, svc]) => key.startsWith(`${cluster}\0`) && svc.status !== 'INACTIVE',
    );
    // Clusters without services cost nothing (RunTask-only clusters, the C1M benchmark).
    if (services.length === 0) return;
    const groups = tasksByGroup(this.#ctx.state, cluster);
    for (const [key, svc] of services) {
      try {
        await this.#reconcile(cluster, key, svc, groups.get(`service:${svc.serviceName}`) ?? []);
      } catch (e) {
        if (this.#ctx.signal.aborted) return;
        this.#o.onError(e);
      }
    }
  }

  async #reconcile(
    cluster: string,
    key: string,
    service: Service,
    rts: readonly TaskRt[],
  ): Promise<void> {
    const ctx = this.#ctx;
    const now = ctx.now();
    const tasks = rts.map((t) => toServiceTask(ctx.state, t));
    const instances = instanceViews(ctx.state, cluster, service, now, ctx.agentGraceMs);
    let health = this.#targets.get(key);
    if (!health) this.#targets.set(key, (health = new Map()));
    let delay = this.#o.deregistrationDelayMs ?? DEFAULT_DEREGISTRATION_DELAY_MS;
    if (serviceLoadBalancers(service).length > 0 && this.#o.elb) {
      await this.#pollHealth(service, tasks, health, now);
      if (this.#o.deregistrationDelayMs === undefined) {
        const tg = serviceLoadBalancers(service)[0]?.targetGroupArn;
        if (tg) delay = await this.#o.elb.deregistrationDelayMs(tg).catch(() => delay);
      }
    }
    const actions = reconcileAny(
      {
        service,
        tasks,
        instances,
        targetHealth: Object.fromEntries(health),
        deregistrationDelayMs: delay,
      },
      now,
    );
    const extra: Action[] = [];
    const stops: TxnOp[] = [];
    for (const a of actions) {
      switch (a.type) {
        case 'start':
          extra.push(...(await startServiceTasks(ctx, cluster, service, a)));
          break;
        case 'stop': {
          const id = idOf(a.taskArn, 'task');
          const t = id === undefined ? undefined : ctx.state.tasks.get(id);
          if (!t) break;
          // Out of discovery (and so the routers) first; the stop waits for a later pass.
          if (t.rec.lastStatus === 'RUNNING' && this.#discovery) {
            const containers = (t.rec.containers ?? []).flatMap((c) =>
              c.runtimeId ? [c.runtimeId] : [],
            );
            if (!this.#discovery.ready(a.taskArn, containers, cluster)) break;
          }
          const next = requestStop(t.rec, now, 'ServiceSchedulerInitiated', a.reason);
          if (!next) break;
          ctx.state.updateTask(t, next);
          stops.push({ verb: 'set', key: ctx.layout.task(next), value: encodeTask(next) });
          break;
        }
        case 'registerTarget':
        case 'deregisterTarget': {
          if (!this.#o.elb) break;
          if (a.type === 'registerTarget')
            await this.#o.elb.register(a.targetGroupArn, a.targetId, a.port);
          else await this.#o.elb.deregister(a.targetGroupArn, a.targetId, a.port);
          const per = health.get(a.taskArn) ?? {};
          per[a.targetGroupArn] = {
            state: a.type === 'registerTarget' ? 'initial' : 'draining',
            since: now,
          };
          health.set(a.taskArn, per);
          break;
        }
        case 'scheduleRetry':
          this.#scheduleRetry(key, cluster, a.at, now);
          break;
        default:
          break;
      }
    }
    if (stops.length > 0) {
      const index = await ctx.persist.writeMany(stops);
      const touched = new Set(stops.map((s) => s.key));
      for (const inst of ctx.state.instancesOf(cluster)) {
        for (const t of inst.tasks.values()) {
          if (touched.has(ctx.layout.task(t.rec))) {
            ctx.state.bump(inst, index);
            break;
          }
        }
      }
    }
    const known = new Set(rts.map((t) => toServiceTask(ctx.state, t).taskArn));
    const next = applyAnyActions(service, [...actions, ...extra], {
      now,
      newEventId: randomUUID,
      knownTaskArns: known,
    });
    // Forget target health of tasks the service no longer has.
    for (const arn of health.keys()) if (!known.has(arn)) health.delete(arn);
    if (this.#discovery) {
      const wanted = new Set(
        rts
          .filter((t) => t.rec.desiredStatus === 'RUNNING')
          .map((t) => toServiceTask(ctx.state, t).taskArn),
      );
      this.#discovery.forget(known, wanted);
    }
    if (JSON.stringify(next) === JSON.stringify(service)) return;
    await ctx.persist.write([
      {
        verb: 'set',
        key: ctx.layout.service(cluster, next.serviceName),
        value: JSON.stringify(next),
      },
    ]);
    // Only store when nobody (UpdateService, a task set action) replaced the record meanwhile;
    // if someone did, their record is written again after ours, so KV keeps theirs.
    const current = ctx.state.services.get(key);
    if (current === service) ctx.state.services.set(key, next);
    else {
      if (current) {
        const value = JSON.stringify(current);
        await ctx.persist.write([
          { verb: 'set', key: ctx.layout.service(cluster, current.serviceName), value },
        ]);
      }
      this.kick(cluster);
    }
    if (this.#o.events) publishServiceEvents(this.#o.events, cluster, service, next);
  }

  #scheduleRetry(key: string, cluster: string, at: number, now: number): void {
    const prev = this.#retries.get(key);
    if (prev && prev.at <= at && prev.at > now) return;
    if (prev) clearTimeout(prev.timer);
    const timer = setTimeout(
      () => {
        this.#retries.delete(key);
        this.kick(cluster);
      },
      Math.max(0, at - now) + 5,
    );
    timer.unref();
    this.#retries.set(key, { at, timer });
  }

  async #pollHealth(
    service: Service,
    tasks: readonly ServiceTask[],
    health: HealthMap,
    now: number,
  ): Promise<void> {
    const elb = this.#o.elb;
    if (!elb) return;
    let settling = false;
    for (const per of health.values())
      for (const h of Object.values(per)) if (h.state !== 'healthy') settling = true;
    if (!settling) return;
    const ec2 = new Map<string, string>();
    for (const i of this.#ctx.state.instances.values()) ec2.set(i.rec.id, i.rec.ec2InstanceId);
    for (const lb of serviceLoadBalancers(service)) {
      const tg = lb.targetGroupArn;
      const last = this.#lastElbPoll.get(tg) ?? 0;
      const every = this.#o.elbPollMs ?? 1000;
      if (now - last < every) {
        this.#scheduleRetry(`elb\0${tg}`, clusterOf(service), last + every, now);
        continue;
      }
      this.#lastElbPoll.set(tg, now);
      const states = await elb.health(tg).catch(() => undefined);
      if (!states) continue;
      for (const t of tasks) {
        const per = health.get(t.taskArn);
        const cur = per?.[tg];
        if (!per || !cur || cur.state === 'draining') continue;
        const b = t.bindings?.find(
          (x) => x.containerName === lb.containerName && x.containerPort === lb.containerPort,
        );
        const inst = ec2.get(t.instanceArn.slice(t.instanceArn.lastIndexOf('/') + 1));
        if (!b || !inst) continue;
        const s = states.get(`${inst}:${b.hostPort}`);
        if (s && s !== cur.state) per[tg] = { state: s, since: now };
      }
      this.#scheduleRetry(`elb\0${tg}`, clusterOf(service), now + every, now);
    }
  }
}

function clusterOf(service: Service): string {
  return service.clusterArn.slice(service.clusterArn.lastIndexOf('/') + 1);
}
