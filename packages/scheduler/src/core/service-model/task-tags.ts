/**
 * The tags a service's new tasks get, as ECS gives them: the service's own tags
 * (`propagateTags: SERVICE`) or its task definition's (`TASK_DEFINITION`), and with
 * `enableECSManagedTags` the managed `aws:ecs:clusterName` / `aws:ecs:serviceName` tags. Pure;
 * must never look anything up.
 */
import { REBALANCE_TAG } from './service-request-fields.js';
import type { PropagateTags, Tag } from './types.js';

/** ECS's managed tag keys. */
export const MANAGED_CLUSTER_TAG = 'aws:ecs:clusterName';
export const MANAGED_SERVICE_TAG = 'aws:ecs:serviceName';

/** What decides a new task's tags. */
export interface TaskTagSources {
  propagateTags?: PropagateTags | undefined;
  enableECSManagedTags?: boolean | undefined;
  /** The service's tags (SERVICE); berth's own `berth:rebalance` option is not propagated. */
  serviceTags?: readonly Tag[] | undefined;
  /** The task definition's tags (TASK_DEFINITION). */
  taskDefinitionTags: readonly Tag[];
  /** Tags given with the request (RunTask / StartTask `tags`): they win on a key clash. */
  requestTags?: readonly Tag[] | undefined;
  cluster: string;
  /** The service's name; undefined for standalone tasks. */
  serviceName?: string | undefined;
}

/** The tags of a new task; undefined when it has none. */
export function newTaskTags(src: TaskTagSources): Tag[] | undefined {
  const out = new Map<string, string>();
  if (src.propagateTags === 'TASK_DEFINITION') {
    for (const t of src.taskDefinitionTags) out.set(t.key, t.value);
  } else if (src.propagateTags === 'SERVICE') {
    for (const t of src.serviceTags ?? []) if (t.key !== REBALANCE_TAG) out.set(t.key, t.value);
  }
  for (const t of src.requestTags ?? []) out.set(t.key, t.value);
  if (src.enableECSManagedTags) {
    out.set(MANAGED_CLUSTER_TAG, src.cluster);
    if (src.serviceName !== undefined) out.set(MANAGED_SERVICE_TAG, src.serviceName);
  }
  if (out.size === 0) return undefined;
  return [...out].map(([key, value]) => ({ key, value }));
}
