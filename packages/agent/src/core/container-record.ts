/**
 * One task's containers as the agent knows them, and the reports made of them: the record of
 * each container (built from the task plan, updated from Docker's inspect), its network
 * bindings as ECS shows them, and the task and container state changes the scheduler is told.
 * Pure: no Docker, no clock; it reads and updates plain records only. It must never decide a
 * task transition (task-state.ts does).
 */

import type {
  BackendStatus,
  ContainerStateChange,
  NetworkBinding,
  TaskDefinition,
  TaskStateChange,
} from '@berth/protocol';
import type { ContainerInfo, PortBinding } from '../adapters/container-runtime.js';
import type { PlannedContainer, TaskPlan } from './docker-config.js';
import { type TaskState, backendStatus, ecsHealthStatus } from './task-state.js';

/** A container's status as the agent knows it. */
export type ContainerStatus = 'NONE' | 'CREATED' | 'RUNNING' | 'STOPPED';

/** One container of a task. */
export interface ContainerRecord {
  readonly name: string;
  readonly dockerName: string;
  readonly image: string;
  readonly essential: boolean;
  readonly plan: PlannedContainer | undefined;
  dockerId: string | undefined;
  status: ContainerStatus;
  exitCode: number | undefined;
  reason: string | undefined;
  startedAt: number | undefined;
  finishedAt: number | undefined;
  ports: readonly PortBinding[];
  mounts: ContainerInfo['mounts'];
  health: string | undefined;
  healthSince: number | undefined;
  restarts: number;
}

const IPV4 = (p: PortBinding): boolean => !p.hostIp.includes(':');

/**
 * The records of a task's containers, in the plan's order (or the definition's when the plan
 * failed, so a failed task still reports each container).
 */
export function containerRecords(
  td: TaskDefinition,
  plan: TaskPlan | undefined,
): ContainerRecord[] {
  const planned = new Map(plan?.containers.map((c) => [c.name, c]));
  const order = plan
    ? plan.containers.map((c) => c.name)
    : (td.containerDefinitions ?? []).map((c) => c.name);
  return order.map((name) => {
    const p = planned.get(name);
    const def = td.containerDefinitions?.find((c) => c.name === name);
    return {
      name,
      dockerName: p?.dockerName ?? '',
      image: p?.image ?? def?.image ?? '',
      essential: p?.essential ?? def?.essential !== false,
      plan: p,
      dockerId: undefined,
      status: 'NONE',
      exitCode: undefined,
      reason: undefined,
      startedAt: undefined,
      finishedAt: undefined,
      ports: [],
      mounts: [],
      health: undefined,
      healthSince: undefined,
      restarts: 0,
    };
  });
}

/** Takes what Docker's inspect shows into a container's record. */
export function absorb(rec: ContainerRecord, info: ContainerInfo): void {
  rec.dockerId = info.id;
  rec.startedAt = info.startedAt ?? rec.startedAt;
  rec.mounts = info.mounts;
  if (info.health) rec.health = info.health;
  if (info.running) {
    rec.status = 'RUNNING';
    rec.ports = info.ports;
    rec.finishedAt = undefined;
    rec.exitCode = undefined;
  } else if (info.status === 'created') {
    rec.status = 'CREATED';
  } else {
    rec.status = 'STOPPED';
    rec.exitCode = info.exitCode;
    rec.finishedAt = info.finishedAt;
    if (info.oomKilled) rec.reason = 'OutOfMemoryError: Container killed due to memory usage';
    else if (info.error) rec.reason = info.error;
  }
}

/** The network bindings of a container, as ECS reports them. */
export function bindingsOf(rec: ContainerRecord, networkMode: string): NetworkBinding[] {
  if (networkMode === 'host') {
    return (rec.plan?.portMappings ?? []).map((p) => ({
      bindIP: '0.0.0.0',
      containerPort: p.containerPort,
      hostPort: p.hostPort,
      protocol: p.protocol,
    }));
  }
  const v4 = rec.ports.filter(IPV4);
  return (v4.length ? v4 : rec.ports).map((p) => ({
    bindIP: p.hostIp || '0.0.0.0',
    containerPort: p.containerPort,
    hostPort: p.hostPort,
    protocol: p.protocol,
  }));
}

/** What the task reports are made of (a TaskRunner is one). */
export interface TaskFacts {
  readonly arn: string;
  readonly state: TaskState;
  readonly stopReason: string | undefined;
  readonly networkMode: string;
  readonly containers: readonly ContainerRecord[];
  readonly pullStartedAt: number | undefined;
  readonly pullStoppedAt: number | undefined;
  readonly stoppedAt: number | undefined;
}

/** A container's report. */
export function containerChange(task: TaskFacts, rec: ContainerRecord): ContainerStateChange {
  const health = ecsHealthStatus(rec.health);
  const status: BackendStatus =
    rec.status === 'RUNNING' ? 'RUNNING' : rec.status === 'STOPPED' ? 'STOPPED' : 'PENDING';
  return {
    containerName: rec.name,
    ...(rec.dockerId ? { runtimeId: rec.dockerId } : {}),
    status: task.state === 'STOPPED' && status !== 'STOPPED' ? 'STOPPED' : status,
    ...(rec.exitCode !== undefined ? { exitCode: rec.exitCode } : {}),
    ...(rec.reason ? { reason: rec.reason } : {}),
    networkBindings: status === 'RUNNING' ? bindingsOf(rec, task.networkMode) : [],
    ...(health !== undefined ? { healthStatus: health } : {}),
  };
}

/** The report of a task's current status. */
export function taskStateChange(task: TaskFacts): TaskStateChange {
  const status = backendStatus(task.state);
  const secs = (ms: number | undefined): number | undefined =>
    ms === undefined ? undefined : ms / 1000;
  const pullStartedAt = secs(task.pullStartedAt);
  const pullStoppedAt = secs(task.pullStoppedAt);
  const stopped = secs(task.stoppedAt);
  return {
    task: task.arn,
    status,
    ...(status === 'STOPPED' && task.stopReason ? { reason: task.stopReason } : {}),
    containers: task.containers.map((c) => containerChange(task, c)),
    ...(pullStartedAt !== undefined ? { pullStartedAt } : {}),
    ...(pullStoppedAt !== undefined ? { pullStoppedAt } : {}),
    ...(status === 'STOPPED' && stopped !== undefined ? { executionStoppedAt: stopped } : {}),
  };
}
