/**
 * The TaskStateChange event of a task update: emitted when its lastStatus, desiredStatus or
 * health changed. Pure; must never publish by itself.
 */
import { taskHealth } from '../core/task-health.js';
import type { TaskRec } from '../state/records.js';
import type { SchedulerState, TaskRt } from '../state/scheduler-state.js';
import { instanceArn, taskArn } from '../core/arn.js';

/** The event detail, or undefined when nothing a watcher cares about changed. */
export function taskEvent(
  state: SchedulerState,
  rt: TaskRt,
  prev: TaskRec,
): Record<string, unknown> | undefined {
  const r = rt.rec;
  const defs =
    (state.taskDef(r.taskDefinition)?.body['containerDefinitions'] as
      Record<string, unknown>[] | undefined) ?? [];
  const health = taskHealth(r.containers, defs).healthStatus;
  const before = taskHealth(prev.containers, defs).healthStatus;
  if (
    prev.lastStatus === r.lastStatus &&
    prev.desiredStatus === r.desiredStatus &&
    before === health
  )
    return undefined;
  return {
    cluster: r.cluster,
    taskArn: taskArn(state.scope, r.cluster, r.id),
    containerInstanceArn: instanceArn(state.scope, r.cluster, r.instanceId),
    taskDefinition: r.taskDefinition,
    group: r.group,
    startedBy: r.startedBy,
    lastStatus: r.lastStatus,
    desiredStatus: r.desiredStatus,
    healthStatus: health,
    stopCode: r.stopCode,
    stoppedReason: r.stoppedReason,
  };
}
