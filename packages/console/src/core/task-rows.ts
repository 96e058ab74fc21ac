/**
 * Tasks and container instances as the console's tables show them: pure functions from the
 * ECS API's answers (the AWS SDK's shapes) to rows. Must never call an API or read the clock
 * except through its arguments.
 */
import type { Container, ContainerInstance, NetworkBinding, Task } from '@aws-sdk/client-ecs';
import type { ContainerView, InstanceRow, TaskDetail, TaskRow, Tone } from './view-types.js';

/** The last part of an ARN (`…/task/default/abc` → `abc`). */
export function arnId(arn: string | undefined): string {
  if (!arn) return '';
  return arn.slice(arn.lastIndexOf('/') + 1);
}

/** `arn:…:task-definition/hello:3` → `hello:3`. */
export function taskDefName(arn: string | undefined): string {
  if (!arn) return '';
  return arn.slice(arn.lastIndexOf('/') + 1);
}

/** Epoch ms of an SDK timestamp. */
export function ms(d: Date | number | undefined): number | undefined {
  if (d === undefined) return undefined;
  return typeof d === 'number' ? d * 1000 : d.getTime();
}

/** The host name the console shows for an instance. */
export function hostName(inst: ContainerInstance | undefined, instanceId: string): string {
  const attr = (n: string): string | undefined =>
    inst?.attributes?.find((a) => a.name === n)?.value ?? undefined;
  return attr('berth.host') ?? inst?.ec2InstanceId ?? instanceId;
}

/** The instance's advertised IP (`berth.advertise-ip`), '' when unknown. */
export function instanceIp(inst: ContainerInstance | undefined): string {
  return inst?.attributes?.find((a) => a.name === 'berth.advertise-ip')?.value ?? '';
}

export function bindingText(b: NetworkBinding): string {
  const host = b.bindIP && b.bindIP !== '0.0.0.0' ? `${b.bindIP}:` : '';
  return `${host}${b.hostPort ?? '?'}→${b.containerPort ?? '?'}/${b.protocol ?? 'tcp'}`;
}

/** Colour of a task: red once stopped unexpectedly or unhealthy, amber while starting. */
export function taskTone(t: Task): Tone {
  if (t.lastStatus === 'STOPPED') {
    return t.stopCode === 'UserInitiated' || t.stopCode === 'ServiceSchedulerInitiated'
      ? 'idle'
      : 'bad';
  }
  if (t.healthStatus === 'UNHEALTHY') return 'bad';
  if (t.desiredStatus === 'STOPPED') return 'warn';
  if (t.lastStatus === 'RUNNING') return 'ok';
  return 'warn';
}

function containerPorts(c: Container, ip: string): string[] {
  return (c.networkBindings ?? []).map((b) =>
    bindingText({ ...b, bindIP: b.bindIP && b.bindIP !== '0.0.0.0' ? b.bindIP : ip || b.bindIP }),
  );
}

/** One task as a table row; `instances` by container instance ARN. */
export function taskRow(t: Task, instances: ReadonlyMap<string, ContainerInstance>): TaskRow {
  const inst = t.containerInstanceArn ? instances.get(t.containerInstanceArn) : undefined;
  const instanceId = arnId(t.containerInstanceArn);
  const group = t.group ?? '';
  const ip = instanceIp(inst);
  return {
    id: arnId(t.taskArn),
    arn: t.taskArn ?? '',
    cluster: arnId(t.clusterArn),
    group,
    service: group.startsWith('service:') ? group.slice('service:'.length) : undefined,
    taskDefinition: taskDefName(t.taskDefinitionArn),
    lastStatus: t.lastStatus ?? 'UNKNOWN',
    desiredStatus: t.desiredStatus ?? 'UNKNOWN',
    health: t.healthStatus ?? 'UNKNOWN',
    tone: taskTone(t),
    instanceId,
    host: hostName(inst, instanceId),
    ports: (t.containers ?? []).flatMap((c) => containerPorts(c, ip)),
    startedAt: ms(t.startedAt),
    stoppedAt: ms(t.stoppedAt),
    stopCode: t.stopCode,
    stoppedReason: t.stoppedReason,
    exits: (t.containers ?? [])
      .filter((c) => c.exitCode !== undefined && c.exitCode !== null)
      .map((c) => `${c.name ?? '?'}: ${c.exitCode}`),
  };
}

/** The order of task tables: live first (newest first), then stopped (latest stop first). */
export function sortTaskRows(rows: readonly TaskRow[]): TaskRow[] {
  const live = (r: TaskRow): number => (r.lastStatus === 'STOPPED' ? 1 : 0);
  return [...rows].sort(
    (a, b) =>
      live(a) - live(b) ||
      (b.stoppedAt ?? 0) - (a.stoppedAt ?? 0) ||
      (b.startedAt ?? 0) - (a.startedAt ?? 0) ||
      (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  );
}

export function taskDetail(t: Task, instances: ReadonlyMap<string, ContainerInstance>): TaskDetail {
  const inst = t.containerInstanceArn ? instances.get(t.containerInstanceArn) : undefined;
  const ip = instanceIp(inst);
  const containers: ContainerView[] = (t.containers ?? []).map((c) => ({
    name: c.name ?? '',
    image: c.image ?? '',
    lastStatus: c.lastStatus ?? 'UNKNOWN',
    health: c.healthStatus ?? 'UNKNOWN',
    exitCode: c.exitCode ?? undefined,
    reason: c.reason ?? undefined,
    ports: containerPorts(c, ip),
    runtimeId: c.runtimeId ?? undefined,
  }));
  return {
    row: taskRow(t, instances),
    containers,
    instanceArn: t.containerInstanceArn ?? '',
    createdAt: ms(t.createdAt),
  };
}

function resource(
  list: ContainerInstance['registeredResources'],
  name: string,
): { int: number; set: string[] } {
  const r = list?.find((x) => x.name === name);
  return { int: r?.integerValue ?? 0, set: r?.stringSetValue ?? [] };
}

function portOrder(a: string, b: string): number {
  return Number(a) - Number(b);
}

/** One container instance as a row, with its resources as used / total. */
export function instanceRow(i: ContainerInstance): InstanceRow {
  const id = arnId(i.containerInstanceArn);
  const total = (n: string): { int: number; set: string[] } => resource(i.registeredResources, n);
  const left = (n: string): { int: number; set: string[] } => resource(i.remainingResources, n);
  const reserved = new Set([...total('PORTS').set, ...total('PORTS_UDP').set]);
  // ECS lists reserved and used ports together in remainingResources.
  const used = [...new Set([...left('PORTS').set, ...left('PORTS_UDP').set])]
    .filter((p) => !reserved.has(p))
    .sort(portOrder);
  const connected = i.agentConnected ?? false;
  const status = i.status ?? 'UNKNOWN';
  const tone: Tone = !connected ? 'bad' : status === 'ACTIVE' ? 'ok' : 'warn';
  return {
    id,
    arn: i.containerInstanceArn ?? '',
    cluster: clusterOfInstanceArn(i.containerInstanceArn),
    host: hostName(i, id),
    ip: instanceIp(i),
    status,
    agentConnected: connected,
    running: i.runningTasksCount ?? 0,
    pending: i.pendingTasksCount ?? 0,
    cpu: { used: total('CPU').int - left('CPU').int, total: total('CPU').int },
    memory: { used: total('MEMORY').int - left('MEMORY').int, total: total('MEMORY').int },
    portsUsed: used,
    portsReserved: [...reserved].sort(portOrder),
    agentVersion: i.versionInfo?.agentVersion ?? '',
    tone,
  };
}

/** `arn:…:container-instance/default/abc` → `default`. */
export function clusterOfInstanceArn(arn: string | undefined): string {
  const parts = (arn ?? '').split('/');
  return parts.length >= 3 ? (parts[parts.length - 2] ?? '') : '';
}
