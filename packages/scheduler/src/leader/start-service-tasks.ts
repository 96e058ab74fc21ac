/**
 * The service loop's `start` action: places a deployment's tasks on the leader's view and
 * commits them through the same path as RunTask (tasks `startedBy` the deployment, group
 * `service:<name>`, the service's tags). Must never answer before the placements committed.
 */
import type { ApiContext } from '../api/context.js';
import { commitPlacements } from '../api/tasks.js';
import { resourcesOf } from '../api/task-definitions.js';
import { place, placeOn } from '../core/placement/index.js';
import type { PlacementConstraint, PlacementFailure } from '../core/placement/types.js';
import {
  startOutcomeEvents,
  type Action,
  type Service,
  type StartAction,
} from '../core/service-model/index.js';
import { newTaskTags } from '../core/service-model/task-tags.js';

/**
 * Places and commits the tasks of one `start` action (60 at a time, through the RunTask
 * path) and returns the service events that tell how it went.
 */
export async function startServiceTasks(
  ctx: ApiContext,
  cluster: string,
  service: Service,
  a: StartAction,
): Promise<Action[]> {
  const ref = a.taskDefinition.slice(a.taskDefinition.lastIndexOf('/') + 1);
  const td = ctx.state.taskDef(ref);
  if (!td) return [];
  const now = ctx.now();
  const resources = resourcesOf(td, undefined);
  const common = {
    td,
    overrides: undefined,
    startedBy: a.startedBy,
    group: a.group,
    tags: newTaskTags({
      propagateTags: service.propagateTags,
      enableECSManagedTags: service.enableECSManagedTags,
      serviceTags: service.tags,
      taskDefinitionTags: td.tags,
      cluster,
      serviceName: service.serviceName,
    }),
  };
  const placed: string[] = [];
  let unplaced = 0;
  let failures: PlacementFailure[] = [];
  let left = a.instanceArns ? a.instanceArns.length : a.count;
  let offset = 0;
  while (left > 0) {
    const n = Math.min(60, left);
    const list = ctx.state.placementList(cluster, now, ctx.agentGraceMs);
    const request = {
      count: n,
      resources,
      strategies: a.placementStrategy,
      constraints: a.instanceArns
        ? []
        : [
            ...a.placementConstraints,
            ...((td.body['placementConstraints'] as PlacementConstraint[] | undefined) ?? []),
          ],
      family: td.family,
      group: a.group,
      random: ctx.random,
    };
    const result = a.instanceArns
      ? placeOn(list, a.instanceArns.slice(offset, offset + n), { ...request, strategies: [] })
      : place(list, request);
    offset += n;
    left -= n;
    unplaced += n - result.placements.length;
    if (result.failures.length > 0 && failures.length === 0) failures = result.failures;
    if (result.placements.length === 0) continue;
    const r = await commitPlacements(ctx, cluster, common, result, undefined);
    for (const t of r.tasks) placed.push(String(t['taskArn']));
  }
  return startOutcomeEvents(service, { placed, unplaced, failures });
}
