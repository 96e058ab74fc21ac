/**
 * The leader's scaler (issue 21): every `intervalMs`, for each registered scalable target,
 * the service's fresh utilisation → decideCapacity → when it changes the count, the same
 * UpdateService a person calls (so deployments, the circuit breaker, task protection on
 * scale-in and the discovery drain behave as for them), then an activity and the scaling
 * time on the target's KV record. Runs on every replica, acts only while it leads. Must never
 * act without the leader's context, and never let one target's failure stop the others.
 */
import { every, type Registry } from '@berth/daemon';
import { randomUUID } from 'node:crypto';
import type { ApiContext } from '../api/context.js';
import type { Replica } from '../engine.js';
import { decideCapacity, type CapacityDecision, type TrackingPolicy } from './decide-capacity.js';
import { boundsAfter, dueScheduledAction } from './due-scheduled-action.js';
import { registerLeaderMetrics } from './leader-metrics.js';
import { bindRequestGauge, RequestMetrics } from './request-metrics.js';
import { bindScalingMetrics } from './scaling-metrics.js';
import { withActivity, type TargetRecord } from './scaling-records.js';
import { serviceId, ServiceMetrics } from './service-metrics.js';
import { UNCHANGED } from './cas-update.js';
import { setDesiredCount } from './set-desired-count.js';
import type { TargetStore } from './target-store.js';
import type { AlarmPass } from './alarm-pass.js';

export interface ScalingLoopOptions {
  /** Between passes (ms, default 5000). */
  readonly intervalMs?: number;
  /** A task's sample counts this long (ms, default 30000); older ones are missing data. */
  readonly freshMs?: number;
  readonly onError?: (error: unknown) => void;
  /** Where the gauges go (`/metrics`). */
  readonly registry?: Registry;
  /** Alarms and the step policies they run (after the targets, each pass). */
  readonly alarms?: AlarmPass;
}

const SERVICE_GROUP = 'service:';

/** Running tasks of every service in the leader's view: serviceId → task ids. */
function runningByService(ctx: ApiContext): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const t of ctx.state.tasks.values()) {
    const g = t.rec.group;
    if (!g?.startsWith(SERVICE_GROUP) || t.rec.lastStatus !== 'RUNNING') continue;
    if (t.rec.desiredStatus !== 'RUNNING') continue;
    const id = serviceId(t.rec.cluster, g.slice(SERVICE_GROUP.length));
    let list = out.get(id);
    if (!list) out.set(id, (list = []));
    list.push(t.rec.id);
  }
  return out;
}

const tracking = (r: TargetRecord): TrackingPolicy[] =>
  r.policies.map((p) => ({
    name: p.name,
    metric: p.metric,
    target: p.target,
    scaleOutCooldownMs: p.scaleOutCooldown * 1000,
    scaleInCooldownMs: p.scaleInCooldown * 1000,
    disableScaleIn: p.disableScaleIn,
  }));

export class ScalingLoop {
  readonly metrics = new ServiceMetrics();
  /** Routers' request counts (ALBRequestCountPerTarget). */
  readonly requests = new RequestMetrics();
  /** The last requests per target per minute per service (the gauge reads it). */
  readonly requestsPerTarget = new Map<string, number>();
  readonly #replica: Replica;
  readonly #store: TargetStore;
  readonly #o: ScalingLoopOptions;
  readonly #stop = new AbortController();
  #done: Promise<void> | undefined;
  /** The last decision per target (tests and /metrics read it). */
  readonly lastDecisions = new Map<string, CapacityDecision>();

  constructor(replica: Replica, store: TargetStore, o: ScalingLoopOptions = {}) {
    this.#replica = replica;
    this.#store = store;
    this.#o = o;
    if (o.registry) bindScalingMetrics(o.registry, this.metrics, this.lastDecisions);
    if (o.registry) bindRequestGauge(o.registry, this.requestsPerTarget);
  }

  start(): void {
    this.#done ??= this.#run();
  }

  async stop(): Promise<void> {
    this.#stop.abort();
    await this.#done;
  }

  #run(): Promise<void> {
    return every(this.#o.intervalMs ?? 5000, () => this.#tick(), {
      signal: this.#stop.signal,
      onError: (e) => this.#o.onError?.(e),
      immediate: true,
    });
  }

  /** A pass while this replica leads, with this term's state receiving the reports. */
  async #tick(): Promise<void> {
    const ctx = this.#replica.context;
    if (!ctx) return;
    registerLeaderMetrics(ctx.state, { usage: this.metrics, requests: this.requests });
    await this.pass(ctx);
  }

  /** One pass over every target (exported for tests through the loop object). */
  async pass(ctx: ApiContext): Promise<void> {
    const now = ctx.now();
    this.metrics.prune(now);
    this.requests.prune(now);
    const running = runningByService(ctx);
    this.requestsPerTarget.clear();
    for (const id of this.requests.services()) {
      const v = this.requests.perTarget(id, running.get(id)?.length ?? 0, now);
      if (v !== undefined) this.requestsPerTarget.set(id, v);
    }
    for (const target of await this.#store.list()) {
      if (ctx.signal.aborted) return;
      try {
        await this.#one(ctx, target, running, now);
      } catch (e) {
        this.#o.onError?.(e);
      }
    }
    await this.#o.alarms?.pass(ctx, this.metrics.series);
  }

  /** Applies the scheduled action due now, if any: the target as it is afterwards. */
  async #scheduled(target: TargetRecord, now: number): Promise<TargetRecord> {
    if (target.suspended.scheduled || !target.scheduledActions?.length) return target;
    const due = dueScheduledAction(target.scheduledActions, target.scheduledThrough ?? 0, now);
    if (!due) return target;
    const written = await this.#store.update(target.cluster, target.service, (prev) => {
      if (!prev || (prev.scheduledThrough ?? 0) >= due.at) return UNCHANGED;
      const b = boundsAfter(prev.min, prev.max, due.action);
      return withActivity(
        { ...prev, min: b.min, max: b.max, scheduledThrough: now },
        {
          id: randomUUID(),
          description: `Setting min capacity to ${b.min} and max capacity to ${b.max}`,
          cause: `scheduled action name ${due.action.name} was triggered`,
          start: now,
          end: now,
          status: 'Successful',
          message: `Successfully set min capacity to ${b.min} and max capacity to ${b.max}`,
        },
      );
    });
    return written ?? target;
  }

  async #one(
    ctx: ApiContext,
    given: TargetRecord,
    running: Map<string, string[]>,
    now: number,
  ): Promise<void> {
    const target = await this.#scheduled(given, now);
    const svc = [...ctx.state.services.values()].find(
      (s) =>
        s.serviceName === target.service && s.clusterArn.endsWith(`:cluster/${target.cluster}`),
    );
    if (!svc || svc.status !== 'ACTIVE') return;
    const id = serviceId(target.cluster, target.service);
    const avg = this.metrics.average(running.get(id) ?? [], now, this.#o.freshMs ?? 30_000);
    const perTarget = this.requestsPerTarget.get(id);
    const decision = decideCapacity({
      now,
      current: svc.desiredCount,
      min: target.min,
      max: target.max,
      policies: tracking(target),
      metrics: {
        ...(avg && {
          ECSServiceAverageCPUUtilization: avg.cpu,
          ECSServiceAverageMemoryUtilization: avg.memory,
        }),
        ...(perTarget !== undefined && { ALBRequestCountPerTarget: perTarget }),
      },
      metricTasks: avg?.tasks,
      metricTasksOf: { ALBRequestCountPerTarget: running.get(id)?.length ?? 0 },
      lastScaleOutAt: target.lastScaleOutAt,
      lastScaleInAt: target.lastScaleInAt,
      dynamicScalingInSuspended: target.suspended.dynamicIn,
      dynamicScalingOutSuspended: target.suspended.dynamicOut,
    });
    this.lastDecisions.set(id, decision);
    if (decision.desired === svc.desiredCount) return;
    const failure = await setDesiredCount(ctx, target, decision.desired);
    const end = ctx.now();
    await this.#store.update(target.cluster, target.service, (prev) => {
      if (!prev) return UNCHANGED;
      const next = withActivity(prev, {
        id: randomUUID(),
        description: `Setting desired count to ${decision.desired}.`,
        cause: decision.reason,
        start: now,
        end,
        status: failure ? 'Failed' : 'Successful',
        message: failure
          ? `Failed to set desired count to ${decision.desired}: ${failure}`
          : `Successfully set desired count to ${decision.desired}. Change successfully fulfilled by ecs.`,
      });
      if (failure) return next;
      return decision.direction === 'out'
        ? { ...next, lastScaleOutAt: end }
        : { ...next, lastScaleInAt: end };
    });
  }
}
