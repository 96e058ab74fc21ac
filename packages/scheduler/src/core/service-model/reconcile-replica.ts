/**
 * The REPLICA strategy: keep `desiredCount` healthy tasks of the PRIMARY deployment, replace
 * what stops, roll old deployments and DRAINING instances out, and (berth) rebalance — never
 * above maxTasks tasks not STOPPED, never retiring a healthy task below minHealthy. Pure; must
 * never choose instances itself except for rebalancing (placement does that).
 */
import { serviceMessages, stopReasons } from './messages.js';
import { type Planner, targetUnhealthyMessage } from './planner.js';
import { isProtected } from './task-protection.js';
import { type Bounds, isLive, isOccupying } from './task-view.js';
import type { Deployment, PlacementStrategy, ServiceTask } from './types.js';

type UnhealthyReason = NonNullable<ReturnType<Planner['health']['unhealthyReason']>>;

/** ECS's default for services: spread over availability zones, then over instances. */
export const DEFAULT_SERVICE_STRATEGY: readonly PlacementStrategy[] = [
  { type: 'spread', field: 'attribute:ecs.availability-zone' },
  { type: 'spread', field: 'instanceId' },
];

/** What the shared prelude decided for this run. */
export interface ReplicaInput {
  primary: Deployment;
  bounds: Bounds;
  /** Starts are held back (start back-off, or a FAILED primary). */
  startBlocked: boolean;
}

/** What the replica pass leaves for the shared completion check. */
export interface ReplicaOutcome {
  /** The primary's kept tasks are `desired`, all healthy, and nothing else holds resources. */
  converged: boolean;
}

/** Plans one REPLICA run into `p`. */
export function planReplica(p: Planner, input: ReplicaInput): ReplicaOutcome {
  const { primary, bounds, startBlocked } = input;
  const { service, tasks } = p.state;
  const health = p.health;
  const occupying = tasks.filter(isOccupying).length;
  const live = tasks.filter(isLive);
  const scaling = stopReasons.scaling(primary.id);

  // 1. Tasks already deregistering finish their way out. Unhealthy ones are replaced like an
  //    old deployment's (issue 15): the replacement starts first, within maxTasks, and an
  //    unhealthy task goes only while the tasks still serving stay at minHealthy, so a host
  //    that starves every health check at once does not take the whole service down.
  for (const t of live) {
    if (health.draining(t)) p.retire(t, scaling);
  }
  const unhealthy = new Map<ServiceTask, UnhealthyReason>();
  for (const t of live) {
    if (p.isRetiring(t)) continue;
    const why = health.unhealthyReason(t);
    if (why) unhealthy.set(t, why);
  }

  // 2. Sort the rest: kept (primary, healthy or not checked yet, on an ACTIVE instance) or to
  //    be replaced.
  const kept: ServiceTask[] = [];
  const replace: ServiceTask[] = [];
  for (const t of live) {
    if (p.isRetiring(t)) continue;
    const inst = p.instance(t.instanceArn);
    if (t.deploymentId === primary.id && inst?.status === 'ACTIVE' && !unhealthy.has(t))
      kept.push(t);
    else replace.push(t);
  }
  let healthy = live.filter((t) => !p.isRetiring(t) && health.healthy(t)).length;
  // Tasks that answer clients, checks passing or not: what minHealthy protects from stops.
  let serving = live.filter(
    (t) => !p.isRetiring(t) && (health.healthy(t) || unhealthy.has(t)),
  ).length;
  // No room to start a replacement and nothing on its way out: one unhealthy task may go per
  // run, or a service at maxTasks could never replace any.
  let unblock = occupying >= bounds.maxTasks && occupying === live.length ? 1 : 0;
  const canRetireHealthy = (): boolean => healthy - 1 >= bounds.minHealthy;
  const retireCounted = (t: ServiceTask, reason: string): boolean => {
    if (health.healthy(t)) {
      if (!canRetireHealthy()) return false;
      healthy--;
    }
    const why = unhealthy.get(t);
    if (why) {
      if (serving - 1 < bounds.minHealthy) {
        if (unblock === 0) return false;
        unblock--;
      }
      if (why.kind === 'container') {
        p.event(serviceMessages.containerUnhealthy(service.serviceName, t.taskArn));
        reason = stopReasons.containerHealth;
      } else {
        p.event(targetUnhealthyMessage(p, t, why.targetGroupArn));
        reason = stopReasons.elbHealth(why.targetGroupArn);
      }
    }
    if (health.healthy(t) || why) serving--;
    p.retire(t, reason);
    return true;
  };

  // 3. Scale in: too many kept tasks go from the busiest zone and instance first.
  const excess = kept.length - bounds.desired;
  const keptNow = excess > 0 ? scaleIn(p, kept, excess, retireCounted, scaling) : kept;

  // 4. Start what is missing, within maxTasks.
  const missing = bounds.desired - keptNow.length;
  const room = bounds.maxTasks - occupying;
  let started = 0;
  if (missing > 0 && room > 0 && !startBlocked) {
    started = Math.min(missing, room);
    const eligible = p.state.instances.some(
      (i) => i.status === 'ACTIVE' && i.agentConnected && i.matchesConstraints,
    );
    if (!eligible) {
      started = 0;
      if (service.events[0]?.message !== serviceMessages.unableToPlace(service.serviceName, [])) {
        p.event(serviceMessages.unableToPlace(service.serviceName, []));
      }
    } else {
      p.start({
        type: 'start',
        deploymentId: primary.id,
        taskDefinition: primary.taskDefinition,
        count: started,
        placementStrategy:
          service.placementStrategy.length > 0
            ? [...service.placementStrategy]
            : [...DEFAULT_SERVICE_STRATEGY],
        placementConstraints: [...service.placementConstraints],
        group: `service:${service.serviceName}`,
        startedBy: primary.id,
      });
    }
  }

  // 5. Retire old deployments' tasks and tasks on DRAINING instances, never below minHealthy.
  //    A FAILED primary stalls: the old deployment's tasks stay (ECS).
  const failed = primary.rolloutState === 'FAILED';
  const order = [...replace].sort((a, b) => retireRank(p, a) - retireRank(p, b));
  for (const t of order) {
    const inst = p.instance(t.instanceArn);
    const onDraining = inst === undefined || inst.status === 'DRAINING';
    if (failed && !onDraining && !unhealthy.has(t)) continue;
    // Protection never keeps a task that fails its health checks or sits on a draining instance.
    if (!onDraining && !unhealthy.has(t) && isProtected(t, p.now)) {
      p.wakeAt(t.protectedUntil);
      continue;
    }
    retireCounted(
      t,
      inst === undefined ? stopReasons.orphaned : onDraining ? stopReasons.draining : scaling,
    );
  }

  // 6. Register kept tasks that are up, and wake when grace periods end.
  for (const t of keptNow) {
    if (t.lastStatus === 'RUNNING' && health.containerOk(t) && !p.isRetiring(t)) p.register(t);
    if (!health.healthy(t)) p.wakeAt(health.graceEnds(t));
  }

  const converged =
    replace.length === 0 &&
    keptNow.length === bounds.desired &&
    occupying === bounds.desired &&
    keptNow.every((t) => health.healthy(t) && !p.isRetiring(t)) &&
    started === 0;

  // 7. berth's rebalancing, only from a converged, completed state.
  if (converged && service.rebalance.enable && primary.rolloutState === 'COMPLETED') {
    rebalance(p, keptNow, bounds, occupying, primary, canRetireHealthy);
  }
  return { converged };
}

/** Which replaceable tasks go first: not healthy, then old deployments, then DRAINING ones. */
function retireRank(p: Planner, t: ServiceTask): number {
  if (!p.health.healthy(t)) return 0;
  const inst = p.instance(t.instanceArn);
  return inst?.status === 'ACTIVE' ? 1 : 2;
}

/**
 * Retires `excess` kept tasks, each from the zone, then the instance, with the most tasks
 * (not-yet-healthy first, newest first); returns the rest. Buckets keep it O(excess × instances).
 */
function scaleIn(
  p: Planner,
  kept: ServiceTask[],
  excess: number,
  retire: (t: ServiceTask, reason: string) => boolean,
  reason: string,
): ServiceTask[] {
  const zoneOf = (t: ServiceTask): string => p.instance(t.instanceArn)?.availabilityZone ?? '';
  const order = (a: ServiceTask, b: ServiceTask): number =>
    Number(p.health.healthy(a)) - Number(p.health.healthy(b)) ||
    b.createdAt - a.createdAt ||
    (a.taskArn < b.taskArn ? -1 : 1);
  // zone -> instance -> tasks in retirement order; protected tasks are never candidates.
  const zones = new Map<string, Map<string, ServiceTask[]>>();
  const candidates = kept.filter((t) => !isProtected(t, p.now));
  for (const t of candidates) {
    const z = zones.get(zoneOf(t)) ?? new Map<string, ServiceTask[]>();
    zones.set(zoneOf(t), z);
    const list = z.get(t.instanceArn) ?? [];
    z.set(t.instanceArn, list);
    list.push(t);
  }
  const zoneCount = new Map<string, number>();
  for (const [name, z] of zones) {
    let n = 0;
    for (const list of z.values()) {
      list.sort(order);
      n += list.length;
    }
    zoneCount.set(name, n);
  }
  const gone = new Set<ServiceTask>();
  const busiest = <K>(m: Map<K, number>, keys: Iterable<K>): K | undefined => {
    let best: K | undefined;
    for (const k of keys) if (best === undefined || (m.get(k) ?? 0) > (m.get(best) ?? 0)) best = k;
    return best;
  };
  let left = excess;
  while (left > 0) {
    const zone = busiest(
      zoneCount,
      [...zones.keys()].filter((k) => (zoneCount.get(k) ?? 0) > 0),
    );
    if (zone === undefined) break;
    const z = zones.get(zone) as Map<string, ServiceTask[]>;
    let instance: string | undefined;
    for (const [arn, list] of z) {
      if (
        list.length > 0 &&
        (instance === undefined || list.length > (z.get(instance)?.length ?? 0))
      ) {
        instance = arn;
      }
    }
    const victim = instance === undefined ? undefined : z.get(instance)?.[0];
    if (!victim || !retire(victim, reason)) break;
    z.get(instance as string)?.shift();
    zoneCount.set(zone, (zoneCount.get(zone) ?? 1) - 1);
    gone.add(victim);
    left--;
  }
  // Blocked by minHealthy: not-yet-healthy tasks can still go, wherever they are; except, on a
  // rebalancing service, one on a less busy instance (the rebalancing move itself: it must
  // turn healthy so the busiest instance can give up a task).
  if (left > 0) {
    const perInstance = new Map<string, number>();
    for (const t of kept) perInstance.set(t.instanceArn, (perInstance.get(t.instanceArn) ?? 0) + 1);
    const most = Math.max(...perInstance.values());
    for (const t of [...candidates].sort(order)) {
      if (left === 0 || p.health.healthy(t)) break;
      if (p.state.service.rebalance.enable && (perInstance.get(t.instanceArn) ?? 0) < most)
        continue;
      if (gone.has(t) || !retire(t, reason)) continue;
      gone.add(t);
      left--;
    }
  }
  // Still too many: look again when the first protection ends.
  if (left > 0) for (const t of kept) if (isProtected(t, p.now)) p.wakeAt(t.protectedUntil);
  return kept.filter((t) => !gone.has(t));
}

/** One rebalancing step: start on the emptiest instance, or stop on the busiest. */
function rebalance(
  p: Planner,
  kept: ServiceTask[],
  bounds: Bounds,
  occupying: number,
  primary: Deployment,
  canRetireHealthy: () => boolean,
): void {
  const { service } = p.state;
  const eligible = p.state.instances.filter(
    (i) => i.status === 'ACTIVE' && i.agentConnected && i.matchesConstraints,
  );
  if (eligible.length < 2) return;
  const counts = countBy(kept, (t) => t.instanceArn);
  let busiest = eligible[0]!;
  let emptiest = eligible[0]!;
  for (const i of eligible) {
    if ((counts.get(i.arn) ?? 0) > (counts.get(busiest.arn) ?? 0)) busiest = i;
    if ((counts.get(i.arn) ?? 0) < (counts.get(emptiest.arn) ?? 0)) emptiest = i;
  }
  const most = counts.get(busiest.arn) ?? 0;
  const least = counts.get(emptiest.arn) ?? 0;
  if (most - least <= service.rebalance.maxSkew) return;
  if (occupying < bounds.maxTasks) {
    p.event(
      serviceMessages.notBalanced(service.serviceName, busiest.arn, most, emptiest.arn, least),
    );
    p.start({
      type: 'start',
      deploymentId: primary.id,
      taskDefinition: primary.taskDefinition,
      count: 1,
      instanceArns: [emptiest.arn],
      placementStrategy: [],
      placementConstraints: [...service.placementConstraints],
      group: `service:${service.serviceName}`,
      startedBy: primary.id,
    });
    return;
  }
  if (!canRetireHealthy()) return;
  const victim = kept
    .filter((t) => t.instanceArn === busiest.arn && !isProtected(t, p.now))
    .sort((a, b) => b.createdAt - a.createdAt)[0];
  if (!victim) return;
  p.event(serviceMessages.notBalanced(service.serviceName, busiest.arn, most, emptiest.arn, least));
  p.retire(victim, stopReasons.rebalance);
}

function countBy<T>(items: readonly T[], key: (t: T) => string): Map<string, number> {
  const m = new Map<string, number>();
  for (const it of items) m.set(key(it), (m.get(key(it)) ?? 0) + 1);
  return m;
}
