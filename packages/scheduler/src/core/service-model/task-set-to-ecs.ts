/**
 * Renders a task set in ECS's TaskSet shape (DescribeTaskSets, the task set actions, the
 * `taskSets` of DescribeServices), and the computed desired count ECS derives from the
 * service's desired count and the set's scale. Pure; must never change the record.
 */
import type { TaskSet } from './task-set-types.js';
import type { Service, ServiceTask } from './types.js';

/** ms -> AWS JSON timestamp (seconds). */
const ts = (ms: number): number => ms / 1000;

/**
 * `desiredCount × scale%`, rounded up (ECS: "if the computed desired count is 1.2, it rounds
 * up to 2 tasks"); 0 for a DRAINING set or a service that is no longer ACTIVE.
 */
export function computedDesiredCount(service: Service, set: TaskSet): number {
  if (set.status === 'DRAINING' || service.status !== 'ACTIVE') return 0;
  // Rounded to 1e-9 first, so 3 × 100% is 3 and never 3.0000000000000004 → 4.
  const exact = Math.round(((service.desiredCount * set.scale.value) / 100) * 1e9) / 1e9;
  return Math.ceil(exact);
}

/** The ECS TaskSet object; `tasks` are the set's tasks (startedBy its id). */
export function taskSetToEcs(
  service: Service,
  set: TaskSet,
  tasks: readonly ServiceTask[],
  include: readonly string[] = [],
): Record<string, unknown> {
  let runningCount = 0;
  let pendingCount = 0;
  for (const t of tasks) {
    if (t.desiredStatus !== 'RUNNING') continue;
    if (t.lastStatus === 'RUNNING') runningCount++;
    else if (t.lastStatus === 'PENDING' || t.lastStatus === 'PROVISIONING') pendingCount++;
  }
  return {
    id: set.id,
    taskSetArn: set.taskSetArn,
    serviceArn: service.serviceArn,
    clusterArn: service.clusterArn,
    ...(set.externalId !== undefined ? { externalId: set.externalId } : {}),
    status: set.status,
    taskDefinition: set.taskDefinition,
    computedDesiredCount: computedDesiredCount(service, set),
    pendingCount,
    runningCount,
    createdAt: ts(set.createdAt),
    updatedAt: ts(set.updatedAt),
    launchType: set.launchType,
    loadBalancers: set.loadBalancers.map((lb) => ({ ...lb })),
    serviceRegistries: [],
    scale: { ...set.scale },
    stabilityStatus: set.stabilityStatus,
    stabilityStatusAt: ts(set.stabilityStatusAt),
    ...(include.includes('TAGS') ? { tags: set.tags.map((t) => ({ ...t })) } : {}),
  };
}
