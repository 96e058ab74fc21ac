/**
 * Builds the pure reconciler's input from the leader's in-memory view: a service's tasks
 * (group `service:<name>`, recently STOPPED ones included) as ServiceTasks with their health,
 * and the cluster's instances with the service's memberOf constraints evaluated. Reads only;
 * must never change the state.
 */
import { ATTRIBUTE_AVAILABILITY_ZONE } from '@berth/protocol';
import { taskHealth } from '../core/task-health.js';
import { MemberOf } from '../core/placement/member-of.js';
import type { PlacementConstraint } from '../core/placement/types.js';
import type { SchedulerState, TaskRt } from '../state/scheduler-state.js';
import type {
  PortBinding,
  Service,
  ServiceInstanceView,
  ServiceTask,
} from '../core/service-model/types.js';
import { instanceArn, taskArn } from '../core/arn.js';

/** The map key of a service in SchedulerState.services. */
export const serviceKey = (cluster: string, name: string): string => `${cluster}\0${name}`;

/** The task group of a service's tasks. */
export const serviceGroup = (name: string): string => `service:${name}`;

/** Every committed task of `cluster`, grouped by task group (one pass over the tasks). */
export function tasksByGroup(state: SchedulerState, cluster: string): Map<string, TaskRt[]> {
  const out = new Map<string, TaskRt[]>();
  for (const t of state.tasks.values()) {
    const g = t.rec.group;
    if (!t.committed || t.rec.cluster !== cluster || g === undefined || !g.startsWith('service:'))
      continue;
    const list = out.get(g);
    if (list) list.push(t);
    else out.set(g, [t]);
  }
  return out;
}

/** A task as the reconciler sees it. */
export function toServiceTask(state: SchedulerState, t: TaskRt): ServiceTask {
  const r = t.rec;
  const defs =
    (state.taskDef(r.taskDefinition)?.body['containerDefinitions'] as
      Record<string, unknown>[] | undefined) ?? [];
  const health = taskHealth(r.containers, defs);
  const bindings: PortBinding[] = [];
  for (const c of r.containers ?? []) {
    for (const b of c.networkBindings ?? []) {
      const containerPort = Number(b['containerPort']);
      const hostPort = Number(b['hostPort']);
      if (Number.isInteger(containerPort) && Number.isInteger(hostPort))
        bindings.push({ containerName: c.name, containerPort, hostPort });
    }
  }
  return {
    taskArn: taskArn(state.scope, r.cluster, r.id),
    deploymentId: r.startedBy ?? '',
    instanceArn: instanceArn(state.scope, r.cluster, r.instanceId),
    lastStatus: r.lastStatus,
    desiredStatus: r.desiredStatus,
    healthStatus: health.healthStatus,
    healthChecked: health.healthChecked,
    createdAt: r.createdAt,
    startedAt: r.startedAt,
    stoppedAt: r.stoppedAt,
    stopCode: r.stopCode,
    stoppedReason: r.stoppedReason,
    bindings,
    protectedUntil: r.protectedUntil,
  };
}

/** The constraints a service's tasks are placed with: the service's and its task definition's. */
export function serviceConstraints(state: SchedulerState, service: Service): PlacementConstraint[] {
  const ref = service.taskDefinition.slice(service.taskDefinition.lastIndexOf('/') + 1);
  const fromTd =
    (state.taskDef(ref)?.body['placementConstraints'] as PlacementConstraint[] | undefined) ?? [];
  return [...service.placementConstraints, ...fromTd];
}

/** The cluster's instances as the reconciler sees them for `service`. */
export function instanceViews(
  state: SchedulerState,
  cluster: string,
  service: Service,
  now: number,
  graceMs: number,
): ServiceInstanceView[] {
  let memberOf: MemberOf | undefined;
  try {
    memberOf = new MemberOf(serviceConstraints(state, service));
  } catch {
    memberOf = undefined; // validated at CreateService; an unparsable one matches nothing
  }
  const group = serviceGroup(service.serviceName);
  return state.placementList(cluster, now, graceMs).map((p) => ({
    arn: p.arn,
    ec2InstanceId: p.ec2InstanceId,
    status: p.status === 'DRAINING' ? 'DRAINING' : 'ACTIVE',
    agentConnected: p.agentConnected,
    availabilityZone: p.attributes[ATTRIBUTE_AVAILABILITY_ZONE],
    matchesConstraints: memberOf !== undefined && memberOf.failing(p, 0, group) === undefined,
  }));
}
