/**
 * Renders a service record and its tasks in DescribeServices' shape: counts per deployment
 * (PRIMARY / ACTIVE), rolloutState, events newest first (at most 100), epoch-second
 * timestamps as AWS JSON 1.1 sends them. Pure; must never change the record.
 */
import { MAX_EVENTS } from './apply-service-actions.js';
import { taskSetToEcs } from './task-set-to-ecs.js';
import type { Service, ServiceTask } from './types.js';

/** ms -> AWS JSON timestamp (seconds). */
const ts = (ms: number): number => ms / 1000;

/** Counts of one deployment's (or the service's) tasks, as ECS counts them. */
export interface TaskCounts {
  /** RUNNING and still wanted. */
  runningCount: number;
  /** PROVISIONING or PENDING and still wanted. */
  pendingCount: number;
}

function countTasks(tasks: readonly ServiceTask[]): TaskCounts {
  let runningCount = 0;
  let pendingCount = 0;
  for (const t of tasks) {
    if (t.desiredStatus !== 'RUNNING') continue;
    if (t.lastStatus === 'RUNNING') runningCount++;
    else if (t.lastStatus === 'PENDING' || t.lastStatus === 'PROVISIONING') pendingCount++;
  }
  return { runningCount, pendingCount };
}

/**
 * The ECS `Service` object for DescribeServices / CreateService / UpdateService responses.
 * `include` may hold 'TAGS' (DescribeServices' include parameter).
 */
export function serviceToEcs(
  service: Service,
  tasks: readonly ServiceTask[],
  _now: number,
  include: readonly string[] = [],
): Record<string, unknown> {
  const perDeployment = new Map<string, ServiceTask[]>();
  for (const t of tasks) {
    const list = perDeployment.get(t.deploymentId) ?? [];
    list.push(t);
    perDeployment.set(t.deploymentId, list);
  }
  const deployments = service.deployments.map((d) => {
    const counts = countTasks(perDeployment.get(d.id) ?? []);
    return {
      id: d.id,
      status: d.status,
      taskDefinition: d.taskDefinition,
      desiredCount:
        d.status === 'PRIMARY' ? service.desiredCount : counts.runningCount + counts.pendingCount,
      pendingCount: counts.pendingCount,
      runningCount: counts.runningCount,
      failedTasks: d.failedTasks,
      createdAt: ts(d.createdAt),
      updatedAt: ts(d.updatedAt),
      launchType: service.launchType,
      rolloutState: d.rolloutState,
      rolloutStateReason: d.rolloutStateReason,
    };
  });
  const total = countTasks(tasks);
  const { deploymentCircuitBreaker, maximumPercent, minimumHealthyPercent } =
    service.deploymentConfiguration;
  const out: Record<string, unknown> = {
    serviceArn: service.serviceArn,
    serviceName: service.serviceName,
    clusterArn: service.clusterArn,
    loadBalancers: service.loadBalancers.map((lb) => ({ ...lb })),
    serviceRegistries: [],
    status: service.status,
    desiredCount: service.desiredCount,
    runningCount: total.runningCount,
    pendingCount: total.pendingCount,
    launchType: service.launchType,
    // An EXTERNAL service without a PRIMARY task set has none (ECS: "the task set fields are null").
    ...(service.taskDefinition !== '' ? { taskDefinition: service.taskDefinition } : {}),
    deploymentConfiguration: {
      deploymentCircuitBreaker: { ...deploymentCircuitBreaker },
      maximumPercent,
      minimumHealthyPercent,
    },
    ...(service.taskSets
      ? {
          taskSets: service.taskSets.map((set) =>
            taskSetToEcs(
              service,
              set,
              tasks.filter((t) => t.deploymentId === set.id),
              include,
            ),
          ),
        }
      : {}),
    deployments,
    events: [...service.events]
      .sort((a, b) => b.createdAt - a.createdAt)
      .slice(0, MAX_EVENTS)
      .map((e) => ({
        id: e.id,
        createdAt: ts(e.createdAt),
        message: e.message,
      })),
    createdAt: ts(service.createdAt),
    placementConstraints: service.placementConstraints.map((c) => ({ ...c })),
    placementStrategy: service.placementStrategy.map((s) => ({ ...s })),
    schedulingStrategy: service.schedulingStrategy,
    deploymentController: { type: service.deploymentController ?? 'ECS' },
    enableECSManagedTags: service.enableECSManagedTags ?? false,
    propagateTags: service.propagateTags ?? 'NONE',
    enableExecuteCommand: false,
  };
  if (service.healthCheckGracePeriodSeconds !== undefined) {
    out['healthCheckGracePeriodSeconds'] = service.healthCheckGracePeriodSeconds;
  }
  if (service.createdBy !== undefined) out['createdBy'] = service.createdBy;
  if (include.includes('TAGS')) out['tags'] = service.tags.map((t) => ({ ...t }));
  return out;
}
