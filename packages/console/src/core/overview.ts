/**
 * The overview page of a cluster: instances, services and tasks by state, and the recent
 * events (service events, tasks that stopped, and actions taken in the console). Pure: built
 * from API answers and the console's action log; must never call an API.
 */
import type { ContainerInstance, Service, Task } from '@aws-sdk/client-ecs';
import { mergeEvents, serviceEvents, serviceRow } from './service-view.js';
import { arnId, ms, taskDefName } from './task-rows.js';
import type { EventRow, Overview } from './view-types.js';

/** The overview's answers from the API. */
export interface OverviewInput {
  readonly cluster: string;
  readonly clusters: readonly string[];
  readonly instances: readonly ContainerInstance[];
  readonly services: readonly Service[];
  /** Live tasks and the stopped ones the scheduler still describes. */
  readonly tasks: readonly Task[];
  readonly actions: readonly EventRow[];
}

/** A stopped task as an event ("task abc of hello:1 stopped: reason"). */
export function stoppedTaskEvent(t: Task, cluster: string): EventRow | undefined {
  const time = ms(t.stoppedAt ?? t.executionStoppedAt);
  if (t.lastStatus !== 'STOPPED' || time === undefined) return undefined;
  const id = arnId(t.taskArn);
  const exits = (t.containers ?? [])
    .filter((c) => c.exitCode !== undefined && c.exitCode !== null)
    .map((c) => `${c.name} exited ${c.exitCode}`);
  const why = [t.stoppedReason, ...exits].filter(Boolean).join('; ');
  return {
    time,
    source: 'task',
    message: `Task ${id.slice(0, 8)} (${taskDefName(t.taskDefinitionArn)}) stopped${why ? `: ${why}` : ''}`,
    tone:
      t.stopCode === 'UserInitiated' || t.stopCode === 'ServiceSchedulerInitiated' ? 'idle' : 'bad',
    link: `/c/${encodeURIComponent(cluster)}/tasks/${encodeURIComponent(id)}`,
  };
}

export function buildOverview(input: OverviewInput, eventLimit = 25): Overview {
  const byStatus: Record<string, number> = {};
  for (const t of input.tasks) {
    const s = t.lastStatus ?? 'UNKNOWN';
    byStatus[s] = (byStatus[s] ?? 0) + 1;
  }
  const rows = input.services
    .map(serviceRow)
    .filter((r) => r.status !== 'INACTIVE')
    .sort((a, b) => (a.name < b.name ? -1 : 1));
  const stopped = input.tasks
    .map((t) => stoppedTaskEvent(t, input.cluster))
    .filter((e): e is EventRow => e !== undefined);
  return {
    cluster: input.cluster,
    clusters: [...input.clusters].sort(),
    instances: {
      total: input.instances.length,
      active: input.instances.filter((i) => i.status === 'ACTIVE').length,
      draining: input.instances.filter((i) => i.status === 'DRAINING').length,
      disconnected: input.instances.filter((i) => !i.agentConnected).length,
    },
    services: {
      total: rows.length,
      steady: rows.filter((r) => r.tone === 'ok').length,
      deploying: rows.filter((r) => r.deployments > 1 || r.rolloutState === 'IN_PROGRESS').length,
      degraded: rows.filter((r) => r.tone === 'bad').length,
    },
    tasks: byStatus,
    serviceRows: rows,
    events: mergeEvents(
      [...input.services.map((s) => serviceEvents(s, input.cluster)), stopped, input.actions],
      eventLimit,
    ),
  };
}
