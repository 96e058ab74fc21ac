/**
 * The DAEMON strategy: exactly one task of the PRIMARY deployment on every ACTIVE instance that
 * meets the constraints; start on instances as they join, stop on DRAINING or non-matching
 * ones; roll deployments instance by instance within the percentages (desired = the eligible
 * instance count). Pure; must never place a daemon task on an instance it was not meant for.
 */
import { serviceMessages, stopReasons } from './messages.js';
import { type Planner, targetUnhealthyMessage } from './planner.js';
import { type Bounds, isLive, isOccupying } from './task-view.js';
import type { Deployment, ServiceInstanceView, ServiceTask } from './types.js';

/** The instances a DAEMON service belongs on. */
export function daemonInstances(instances: readonly ServiceInstanceView[]): ServiceInstanceView[] {
  return instances.filter((i) => i.status === 'ACTIVE' && i.matchesConstraints);
}

/** Plans one DAEMON run into `p`; returns whether the service is converged. */
export function planDaemon(
  p: Planner,
  input: { primary: Deployment; bounds: Bounds; startBlocked: boolean },
): { converged: boolean } {
  const { primary, bounds, startBlocked } = input;
  const { service, tasks } = p.state;
  const health = p.health;
  const scaling = stopReasons.scaling(primary.id);
  const live = tasks.filter(isLive);
  let occupying = tasks.filter(isOccupying).length;
  let healthy = live.filter((t) => health.healthy(t)).length;
  const eligible = daemonInstances(p.state.instances);
  const eligibleSet = new Set(eligible.map((i) => i.arn));

  // 1. Off-limits instances, draining targets, unhealthy tasks: out, no minimum applies.
  for (const t of live) {
    const inst = p.instance(t.instanceArn);
    const wasHealthy = health.healthy(t);
    if (!inst) p.retire(t, stopReasons.orphaned);
    else if (inst.status === 'DRAINING') p.retire(t, stopReasons.draining);
    else if (!eligibleSet.has(inst.arn)) p.retire(t, stopReasons.constraints);
    else if (health.draining(t)) p.retire(t, scaling);
    else {
      const why = health.unhealthyReason(t);
      if (why?.kind === 'container') {
        p.event(serviceMessages.containerUnhealthy(service.serviceName, t.taskArn));
        p.retire(t, stopReasons.containerHealth);
      } else if (why?.kind === 'elb') {
        p.event(targetUnhealthyMessage(p, t, why.targetGroupArn));
        p.retire(t, stopReasons.elbHealth(why.targetGroupArn));
      }
    }
    if (p.isRetiring(t) && wasHealthy) healthy--;
  }

  // 2. Per eligible instance: keep one primary task, replace old ones, start where none.
  const byInstance = new Map<string, ServiceTask[]>();
  for (const t of live) {
    if (p.isRetiring(t)) continue;
    const list = byInstance.get(t.instanceArn) ?? [];
    list.push(t);
    byInstance.set(t.instanceArn, list);
  }
  const failed = primary.rolloutState === 'FAILED';
  const startOn: string[] = [];
  let converged = true;
  for (const inst of eligible) {
    const here = (byInstance.get(inst.arn) ?? []).sort(
      (a, b) => Number(health.healthy(b)) - Number(health.healthy(a)) || a.createdAt - b.createdAt,
    );
    const mine = here.filter((t) => t.deploymentId === primary.id);
    const old = here.filter((t) => t.deploymentId !== primary.id);
    for (const extra of mine.slice(1)) {
      if (health.healthy(extra)) healthy--;
      p.retire(extra, stopReasons.duplicateDaemon);
    }
    const keep = mine[0];
    if (keep) {
      for (const t of old) {
        if (health.healthy(t) && healthy - 1 < bounds.minHealthy) continue;
        if (health.healthy(t)) healthy--;
        p.retire(t, scaling);
      }
      if (keep.lastStatus === 'RUNNING' && health.containerOk(keep)) p.register(keep);
      if (!health.healthy(keep)) p.wakeAt(health.graceEnds(keep));
      if (old.length > 0 || mine.length > 1 || !health.healthy(keep)) converged = false;
      continue;
    }
    converged = false;
    if (failed || startBlocked || !inst.agentConnected) continue;
    const hasOld =
      old.length > 0 ||
      tasks.some((t) => t.instanceArn === inst.arn && isOccupying(t) && !isLive(t));
    if (occupying < bounds.maxTasks) {
      startOn.push(inst.arn);
      occupying++;
    } else if (hasOld) {
      const t = old[0];
      if (t && (!health.healthy(t) || healthy - 1 >= bounds.minHealthy)) {
        if (health.healthy(t)) healthy--;
        p.retire(t, scaling);
      }
    }
  }
  if (startOn.length > 0) {
    p.start({
      type: 'start',
      deploymentId: primary.id,
      taskDefinition: primary.taskDefinition,
      count: startOn.length,
      instanceArns: startOn,
      placementStrategy: [],
      placementConstraints: [...service.placementConstraints],
      group: `service:${service.serviceName}`,
      startedBy: primary.id,
    });
  }
  if (tasks.some((t) => isOccupying(t) && !eligibleSet.has(t.instanceArn))) converged = false;
  if (tasks.some((t) => isOccupying(t) && !isLive(t))) converged = false;
  return { converged: converged && bounds.desired === eligible.length };
}
