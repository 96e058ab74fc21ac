/**
 * Renders records in ECS's response shapes (Cluster, ContainerInstance, Task, TaskDefinition).
 * Timestamps are epoch seconds, as AWS JSON 1.1 sends them. Pure; must never change state.
 */
import {
  ATTRIBUTE_AVAILABILITY_ZONE,
  ATTRIBUTE_CPU_ARCHITECTURE,
  RESOURCE_CPU,
  RESOURCE_MEMORY,
  RESOURCE_PORTS,
  RESOURCE_PORTS_UDP,
} from '@berth/protocol';
import { taskHealth } from '../core/task-health.js';
import type { InstanceRt, SchedulerState, TaskRt } from '../state/scheduler-state.js';
import type { ClusterRec, TaskDefRec } from '../state/records.js';
import {
  clusterArn,
  containerArn,
  instanceArn,
  taskArn,
  taskDefinitionArn,
  type ArnScope,
} from '../core/arn.js';

/** ms -> AWS JSON timestamp (seconds). */
export const ts = (ms: number | undefined): number | undefined =>
  ms === undefined ? undefined : ms / 1000;

/** Drops undefined fields (AWS omits absent members). */
function compact<T extends Record<string, unknown>>(o: T): T {
  for (const k of Object.keys(o)) if (o[k] === undefined) delete o[k];
  return o;
}

export function renderCluster(
  state: SchedulerState,
  c: ClusterRec,
  include: readonly string[] = [],
): Record<string, unknown> {
  let registered = 0;
  let running = 0;
  let pending = 0;
  if (c.status === 'ACTIVE') {
    for (const i of state.instances.values()) if (i.rec.cluster === c.name) registered++;
    for (const t of state.tasks.values()) {
      if (t.rec.cluster !== c.name || !t.committed || t.rec.lastStatus === 'STOPPED') continue;
      if (t.rec.lastStatus === 'RUNNING') running++;
      else pending++;
    }
  }
  let active = 0;
  let draining = 0;
  if (c.status === 'ACTIVE') {
    for (const [key, svc] of state.services) {
      if (!key.startsWith(`${c.name}\0`)) continue;
      if (svc.status === 'ACTIVE') active++;
      else if (svc.status === 'DRAINING') draining++;
    }
  }
  // ECS's statistics, per launch type (berth runs EC2 only).
  const statistics = Object.entries({
    runningEC2TasksCount: running,
    runningFargateTasksCount: 0,
    pendingEC2TasksCount: pending,
    pendingFargateTasksCount: 0,
    activeEC2ServiceCount: active,
    activeFargateServiceCount: 0,
    drainingEC2ServiceCount: draining,
    drainingFargateServiceCount: 0,
  }).map(([name, value]) => ({ name, value: String(value) }));
  return compact({
    clusterArn: clusterArn(state.scope, c.name),
    clusterName: c.name,
    status: c.status,
    registeredContainerInstancesCount: registered,
    runningTasksCount: running,
    pendingTasksCount: pending,
    activeServicesCount: active,
    statistics: include.includes('STATISTICS') ? statistics : [],
    tags: include.includes('TAGS') ? c.tags : [],
    settings: include.includes('SETTINGS') ? c.settings : undefined,
    configuration: include.includes('CONFIGURATIONS') ? c.configuration : undefined,
    capacityProviders: [],
    defaultCapacityProviderStrategy: [],
  });
}

function resources(
  cpu: number,
  memory: number,
  tcp: Iterable<number>,
  udp: Iterable<number>,
): Record<string, unknown>[] {
  const ports = (s: Iterable<number>): string[] =>
    [...s].sort((a, b) => a - b).map((p) => String(p));
  return [
    { name: RESOURCE_CPU, type: 'INTEGER', doubleValue: 0, longValue: 0, integerValue: cpu },
    { name: RESOURCE_MEMORY, type: 'INTEGER', doubleValue: 0, longValue: 0, integerValue: memory },
    {
      name: RESOURCE_PORTS,
      type: 'STRINGSET',
      doubleValue: 0,
      longValue: 0,
      integerValue: 0,
      stringSetValue: ports(tcp),
    },
    {
      name: RESOURCE_PORTS_UDP,
      type: 'STRINGSET',
      doubleValue: 0,
      longValue: 0,
      integerValue: 0,
      stringSetValue: ports(udp),
    },
  ];
}

export function renderInstance(
  state: SchedulerState,
  inst: InstanceRt,
  connected: boolean,
  include: readonly string[] = [],
): Record<string, unknown> {
  const r = inst.rec;
  const arn = instanceArn(state.scope, r.cluster, r.id);
  let running = 0;
  let pending = 0;
  for (const t of inst.tasks.values()) {
    if (!t.committed || t.rec.lastStatus === 'STOPPED') continue;
    if (t.rec.lastStatus === 'RUNNING') running++;
    else pending++;
  }
  const tcp = new Set<number>([...r.total.tcpPorts, ...inst.used.tcp.keys()]);
  const udp = new Set<number>([...r.total.udpPorts, ...inst.used.udp.keys()]);
  return compact({
    containerInstanceArn: arn,
    ec2InstanceId: r.ec2InstanceId,
    version: inst.version,
    versionInfo: r.versionInfo,
    remainingResources: resources(
      r.total.cpu - inst.used.cpu,
      r.total.memory - inst.used.memory,
      tcp,
      udp,
    ),
    registeredResources: resources(r.total.cpu, r.total.memory, r.total.tcpPorts, r.total.udpPorts),
    status: r.status,
    agentConnected: connected,
    runningTasksCount: running,
    pendingTasksCount: pending,
    attributes: Object.entries(r.attributes)
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([name, value]) => (value === '' ? { name } : { name, value })),
    registeredAt: ts(r.registeredAt),
    attachments: [],
    tags: include.includes('TAGS') ? r.tags : undefined,
  });
}

export function renderTaskDef(scope: ArnScope, td: TaskDefRec): Record<string, unknown> {
  // Tags are the response's own member, never the TaskDefinition's (older records kept them).
  const { tags: _tags, ...body } = td.body;
  return compact({
    taskDefinitionArn: taskDefinitionArn(scope, td.family, td.revision),
    ...body,
    family: td.family,
    revision: td.revision,
    status: td.status,
    registeredAt: ts(td.registeredAt),
    deregisteredAt: ts(td.deregisteredAt),
  });
}

export function renderTask(
  state: SchedulerState,
  t: TaskRt,
  include: readonly string[] = [],
): Record<string, unknown> {
  const r = t.rec;
  const scope = state.scope;
  const arn = taskArn(scope, r.cluster, r.id);
  const td = state.taskDef(r.taskDefinition);
  const defs = (td?.body['containerDefinitions'] as Record<string, unknown>[] | undefined) ?? [];
  const inst = state.instances.get(r.instanceId);
  const containers = defs.map((d, i) => {
    const name = String(d['name']);
    const reported = r.containers?.find((c) => c.name === name);
    const id = reported?.id ?? `${r.id.slice(0, 8)}-0000-4000-8000-${String(i).padStart(12, '0')}`;
    return compact({
      containerArn: containerArn(scope, r.cluster, r.id, id),
      taskArn: arn,
      name,
      image: d['image'] as string | undefined,
      runtimeId: reported?.runtimeId,
      lastStatus:
        reported?.lastStatus ?? (r.lastStatus === 'PROVISIONING' ? 'PENDING' : r.lastStatus),
      exitCode: reported?.exitCode,
      reason: reported?.reason,
      networkBindings: reported?.networkBindings ?? [],
      networkInterfaces: [],
      healthStatus: reported?.healthStatus ?? 'UNKNOWN',
      cpu: d['cpu'] === undefined ? '0' : String(d['cpu']),
      memory: d['memory'] === undefined ? undefined : String(d['memory']),
      memoryReservation:
        d['memoryReservation'] === undefined ? undefined : String(d['memoryReservation']),
    });
  });
  const az = inst?.rec.attributes[ATTRIBUTE_AVAILABILITY_ZONE];
  const arch = inst?.rec.attributes[ATTRIBUTE_CPU_ARCHITECTURE];
  return compact({
    attachments: [],
    attributes: arch ? [{ name: ATTRIBUTE_CPU_ARCHITECTURE, value: arch }] : [],
    availabilityZone: az,
    clusterArn: clusterArn(scope, r.cluster),
    connectivity: 'CONNECTED',
    connectivityAt: ts(r.createdAt),
    containerInstanceArn: instanceArn(scope, r.cluster, r.instanceId),
    containers,
    cpu: String(t.resources.cpu),
    createdAt: ts(r.createdAt),
    desiredStatus: r.desiredStatus,
    enableExecuteCommand: false,
    executionStoppedAt: ts(r.executionStoppedAt),
    group: r.group ?? `family:${t.family}`,
    healthStatus: taskHealth(r.containers, defs).healthStatus,
    lastStatus: r.lastStatus,
    launchType: 'EC2',
    memory: String(t.resources.memory),
    overrides: r.overrides ?? { containerOverrides: [], inferenceAcceleratorOverrides: [] },
    pullStartedAt: ts(r.pullStartedAt),
    pullStoppedAt: ts(r.pullStoppedAt),
    startedAt: ts(r.startedAt),
    startedBy: r.startedBy,
    stopCode: r.stopCode,
    stoppedAt: ts(r.stoppedAt),
    stoppedReason: r.stoppedReason,
    stoppingAt: ts(r.stoppingAt),
    tags: include.includes('TAGS') ? (r.tags ?? []) : undefined,
    taskArn: arn,
    taskDefinitionArn: taskDefinitionArn(
      scope,
      t.family,
      Number(r.taskDefinition.slice(r.taskDefinition.lastIndexOf(':') + 1)),
    ),
    version: r.version,
  });
}
