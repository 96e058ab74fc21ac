/**
 * Turns ECS task and service descriptions into the rows `berth ps` and `berth services` print
 * (and the objects `--json` prints). Pure: no client, no clock except the `now` it is given.
 */

import type { ContainerInstance, Service, Task } from '@aws-sdk/client-ecs';

/** One task as `berth ps` shows it. */
export interface TaskRow {
  readonly id: string;
  readonly taskDefinition: string;
  readonly status: string;
  readonly desired: string;
  readonly health: string;
  readonly host: string;
  readonly ports: string;
  readonly age: string;
  readonly group: string;
  readonly stoppedReason?: string;
}

/** The last `/`-separated part of an ARN (a task id, `family:revision`, ...). */
export function shortArn(arn: string | undefined): string {
  return arn ? (arn.split('/').pop() ?? arn) : '';
}

/** `12s`, `4m`, `3h`, `2d` from milliseconds. */
export function formatAge(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86_400)}d`;
}

/** Host ports of a task's containers: `127.0.0.2:32768->8080/tcp, ...`. */
export function taskPorts(task: Task): string {
  const out: string[] = [];
  for (const c of task.containers ?? []) {
    for (const b of c.networkBindings ?? []) {
      out.push(
        `${b.bindIP ?? ''}:${b.hostPort ?? '?'}->${b.containerPort ?? '?'}/${b.protocol ?? 'tcp'}`,
      );
    }
  }
  return out.join(', ');
}

/** A readable host name for a container instance: its instance id, else the ARN's id. */
export function hostName(instance: ContainerInstance | undefined, arn: string | undefined): string {
  return instance?.ec2InstanceId ?? shortArn(arn);
}

/** Rows for `berth ps`, oldest first. */
export function taskRows(
  tasks: readonly Task[],
  instances: ReadonlyMap<string, ContainerInstance>,
  now: number,
): TaskRow[] {
  const sorted = [...tasks].sort(
    (a, b) => (a.createdAt?.getTime() ?? 0) - (b.createdAt?.getTime() ?? 0),
  );
  return sorted.map((t) => ({
    id: shortArn(t.taskArn),
    taskDefinition: shortArn(t.taskDefinitionArn),
    status: t.lastStatus ?? '',
    desired: t.desiredStatus ?? '',
    health: t.healthStatus ?? '',
    host: hostName(instances.get(t.containerInstanceArn ?? ''), t.containerInstanceArn),
    ports: taskPorts(t),
    age: t.createdAt ? formatAge(now - t.createdAt.getTime()) : '',
    group: t.group ?? '',
    ...(t.stoppedReason ? { stoppedReason: t.stoppedReason } : {}),
  }));
}

/** One service as `berth services` shows it. */
export interface ServiceRow {
  readonly name: string;
  readonly status: string;
  readonly desired: number;
  readonly running: number;
  readonly pending: number;
  readonly taskDefinition: string;
  readonly strategy: string;
  readonly deployments: number;
}

/** Rows for `berth services`, by name. */
export function serviceRows(services: readonly Service[]): ServiceRow[] {
  return [...services]
    .sort((a, b) => (a.serviceName ?? '').localeCompare(b.serviceName ?? ''))
    .map((s) => ({
      name: s.serviceName ?? shortArn(s.serviceArn),
      status: s.status ?? '',
      desired: s.desiredCount ?? 0,
      running: s.runningCount ?? 0,
      pending: s.pendingCount ?? 0,
      taskDefinition: shortArn(s.taskDefinition),
      strategy: s.schedulingStrategy ?? 'REPLICA',
      deployments: s.deployments?.length ?? 0,
    }));
}
