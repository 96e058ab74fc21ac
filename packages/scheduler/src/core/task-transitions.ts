/**
 * The task state machine, applied to agent reports and scheduler decisions. Pure: records in,
 * records out; must never do I/O or read the clock (callers pass `now`).
 *
 *     PROVISIONING ──► PENDING ──► RUNNING ──► STOPPED (done once the agent confirms)
 *          │              │           │            ▲
 *          └──────────────┴───────────┴────────────┘  StopTask / lost agent / failure
 *
 * Transitions only move forward; a repeated or older report changes nothing (idempotent).
 * stopCode: UserInitiated / ServiceSchedulerInitiated when the scheduler asked for the stop,
 * TaskFailedToStart when the task stopped before RUNNING, else EssentialContainerExited.
 */
import type { ContainerHealthStatus } from '@berth/protocol';
import type { ContainerRec, TaskRec, TaskStatus } from '../state/records.js';

const RANK: Record<TaskStatus, number> = { PROVISIONING: 0, PENDING: 1, RUNNING: 2, STOPPED: 3 };

/** The stoppedReason of tasks whose instance's agent stayed away past --lost-after. */
export const LOST_REASON = "Task stopped because the container instance's agent disconnected";

/**
 * A container as the agent reports it (@berth/protocol's ContainerStateChange), read leniently:
 * every field but the name may be missing, and status and bindings are kept as sent.
 */
export interface ContainerReport {
  containerName: string;
  runtimeId?: string | undefined;
  status?: string | undefined;
  exitCode?: number | undefined;
  reason?: string | undefined;
  networkBindings?: Record<string, unknown>[] | undefined;
  /** Docker health of the container (agent protocol extension). */
  healthStatus?: ContainerHealthStatus | undefined;
}

/** An agent's SubmitTaskStateChange. */
export interface TaskReport {
  status: TaskStatus;
  reason?: string | undefined;
  containers: ContainerReport[];
  pullStartedAt?: number | undefined;
  pullStoppedAt?: number | undefined;
  executionStoppedAt?: number | undefined;
}

/** Whether `s` is a status agents may report. */
export function isReportStatus(s: string): s is 'PENDING' | 'RUNNING' | 'STOPPED' {
  return s === 'PENDING' || s === 'RUNNING' || s === 'STOPPED';
}

/** Merges container reports into the task's container list. */
export function mergeContainers(
  current: readonly ContainerRec[] | undefined,
  reports: readonly ContainerReport[],
  taskId: string,
): ContainerRec[] | undefined {
  if (reports.length === 0) return current ? [...current] : undefined;
  const out = new Map<string, ContainerRec>((current ?? []).map((c) => [c.name, { ...c }]));
  for (const r of reports) {
    const prev = out.get(r.containerName);
    const next: ContainerRec = {
      name: r.containerName,
      id:
        prev?.id ??
        `${taskId.slice(0, 8)}-${taskId.slice(8, 12)}-4${taskId.slice(13, 16)}-8${taskId.slice(17, 20)}-${String(out.size).padStart(12, '0')}`,
      runtimeId: r.runtimeId ?? prev?.runtimeId,
      lastStatus: r.status ?? prev?.lastStatus,
      exitCode: r.exitCode ?? prev?.exitCode,
      reason: r.reason ?? prev?.reason,
      networkBindings: r.networkBindings ?? prev?.networkBindings,
      healthStatus: r.healthStatus ?? prev?.healthStatus,
    };
    out.set(r.containerName, next);
  }
  return [...out.values()];
}

/**
 * The task after an agent's report, or undefined when the report changes nothing (repeated,
 * older, or about a task already confirmed STOPPED).
 */
export function applyReport(
  rec: TaskRec,
  report: TaskReport,
  now: number,
  essential: (containerName: string) => boolean,
): TaskRec | undefined {
  if (rec.done) return undefined;
  const cur = RANK[rec.lastStatus];
  const next = RANK[report.status];
  const confirmsStop = report.status === 'STOPPED' && rec.lastStatus === 'STOPPED';
  if (next <= cur && !confirmsStop) return undefined;
  const containers = mergeContainers(rec.containers, report.containers, rec.id);
  const base: TaskRec = {
    ...rec,
    containers,
    version: rec.version + 1,
    pullStartedAt: rec.pullStartedAt ?? report.pullStartedAt,
    pullStoppedAt: rec.pullStoppedAt ?? report.pullStoppedAt,
  };
  if (report.status === 'PENDING') return { ...base, lastStatus: 'PENDING' };
  if (report.status === 'RUNNING') {
    return { ...base, lastStatus: 'RUNNING', startedAt: rec.startedAt ?? now };
  }
  // STOPPED: the agent confirms; resources are free and the task leaves the assignment list.
  if (confirmsStop) return { ...base, done: true };
  const everRan = cur >= RANK.RUNNING;
  const exited = (containers ?? []).find(
    (c) => essential(c.name) && (c.lastStatus === 'STOPPED' || c.exitCode !== undefined),
  );
  const stopCode = rec.stopCode ?? (everRan ? 'EssentialContainerExited' : 'TaskFailedToStart');
  const stoppedReason =
    rec.stoppedReason ??
    report.reason ??
    (exited
      ? 'Essential container in task exited'
      : everRan
        ? 'Task stopped'
        : 'Task failed to start');
  return {
    ...base,
    lastStatus: 'STOPPED',
    desiredStatus: 'STOPPED',
    stopCode,
    stoppedReason,
    stoppingAt: rec.stoppingAt ?? now,
    stoppedAt: now,
    executionStoppedAt: report.executionStoppedAt ?? now,
    done: true,
  };
}

/** The task after the scheduler asks it to stop (StopTask, a service), or undefined if already stopping. */
export function requestStop(
  rec: TaskRec,
  now: number,
  stopCode: 'UserInitiated' | 'ServiceSchedulerInitiated',
  reason: string | undefined,
): TaskRec | undefined {
  if (rec.desiredStatus === 'STOPPED') return undefined;
  return {
    ...rec,
    desiredStatus: 'STOPPED',
    stoppingAt: now,
    stopCode,
    stoppedReason: reason ?? 'Task stopped by user',
    version: rec.version + 1,
  };
}

/** The task after its agent stayed disconnected past --lost-after, or undefined if already stopped. */
export function markLost(rec: TaskRec, now: number): TaskRec | undefined {
  if (rec.lastStatus === 'STOPPED' || rec.done) return undefined;
  return {
    ...rec,
    lastStatus: 'STOPPED',
    desiredStatus: 'STOPPED',
    stoppedReason: LOST_REASON,
    stoppingAt: rec.stoppingAt ?? now,
    stoppedAt: now,
    version: rec.version + 1,
  };
}
