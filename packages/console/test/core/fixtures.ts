// API answers in the AWS SDK's shapes, as the console's server receives them from the
// scheduler, for the view-model tests.
import type {
  ContainerInstance,
  HealthStatus,
  Service,
  Task,
  TaskStopCode,
} from '@aws-sdk/client-ecs';

const SCOPE = 'arn:aws:ecs:us-east-1:000000000000';

export const instance = (
  id: string,
  o: {
    host?: string;
    ip?: string;
    status?: string;
    connected?: boolean;
    cpuLeft?: number;
    memLeft?: number;
    ports?: string[];
  } = {},
): ContainerInstance => ({
  containerInstanceArn: `${SCOPE}:container-instance/default/${id}`,
  ec2InstanceId: `dev-h-${id}`,
  status: o.status ?? 'ACTIVE',
  agentConnected: o.connected ?? true,
  runningTasksCount: 2,
  pendingTasksCount: 0,
  attributes: [
    { name: 'berth.advertise-ip', value: o.ip ?? '127.0.0.2' },
    ...(o.host ? [{ name: 'berth.host', value: o.host }] : []),
  ],
  registeredResources: [
    { name: 'CPU', type: 'INTEGER', integerValue: 2048 },
    { name: 'MEMORY', type: 'INTEGER', integerValue: 4000 },
    { name: 'PORTS', type: 'STRINGSET', stringSetValue: ['22', '51678'] },
    { name: 'PORTS_UDP', type: 'STRINGSET', stringSetValue: [] },
  ],
  remainingResources: [
    { name: 'CPU', type: 'INTEGER', integerValue: o.cpuLeft ?? 1920 },
    { name: 'MEMORY', type: 'INTEGER', integerValue: o.memLeft ?? 3872 },
    {
      name: 'PORTS',
      type: 'STRINGSET',
      stringSetValue: o.ports ?? ['22', '51678', '32771', '8080'],
    },
    { name: 'PORTS_UDP', type: 'STRINGSET', stringSetValue: [] },
  ],
  versionInfo: { agentVersion: '0.1.0' },
  registeredAt: new Date(1_000_000),
});

export const task = (
  id: string,
  o: {
    status?: string;
    desired?: string;
    health?: string;
    instance?: string;
    group?: string;
    td?: string;
    port?: number;
    stopCode?: string;
    stoppedReason?: string;
    exitCode?: number;
    startedAt?: number;
    stoppedAt?: number;
  } = {},
): Task => ({
  taskArn: `${SCOPE}:task/default/${id}`,
  clusterArn: `${SCOPE}:cluster/default`,
  containerInstanceArn: `${SCOPE}:container-instance/default/${o.instance ?? 'i1'}`,
  taskDefinitionArn: `${SCOPE}:task-definition/${o.td ?? 'hello:1'}`,
  group: o.group ?? 'service:hello',
  lastStatus: o.status ?? 'RUNNING',
  desiredStatus: o.desired ?? 'RUNNING',
  healthStatus: (o.health ?? 'HEALTHY') as HealthStatus,
  stopCode: o.stopCode as TaskStopCode | undefined,
  stoppedReason: o.stoppedReason,
  startedAt: o.startedAt === undefined ? undefined : new Date(o.startedAt),
  stoppedAt: o.stoppedAt === undefined ? undefined : new Date(o.stoppedAt),
  containers: [
    {
      name: 'hello',
      image: 'berth/busybox:test',
      lastStatus: o.status ?? 'RUNNING',
      healthStatus: (o.health ?? 'HEALTHY') as HealthStatus,
      exitCode: o.exitCode,
      networkBindings:
        o.port === undefined
          ? []
          : [{ bindIP: '0.0.0.0', containerPort: 8080, hostPort: o.port, protocol: 'tcp' }],
    },
  ],
});

export const service = (
  o: {
    desired?: number;
    running?: number;
    pending?: number;
    deployments?: {
      status: string;
      td: string;
      running: number;
      pending?: number;
      rollout?: string;
    }[];
    events?: { at: number; message: string }[];
    status?: string;
  } = {},
): Service => ({
  serviceName: 'hello',
  serviceArn: `${SCOPE}:service/default/hello`,
  clusterArn: `${SCOPE}:cluster/default`,
  status: o.status ?? 'ACTIVE',
  desiredCount: o.desired ?? 3,
  runningCount: o.running ?? 3,
  pendingCount: o.pending ?? 0,
  taskDefinition: `${SCOPE}:task-definition/hello:1`,
  deployments: (
    o.deployments ?? [{ status: 'PRIMARY', td: 'hello:1', running: 3, rollout: 'COMPLETED' }]
  ).map((d, i) => ({
    id: `ecs-svc/${i}`,
    status: d.status,
    taskDefinition: `${SCOPE}:task-definition/${d.td}`,
    desiredCount: d.running,
    runningCount: d.running,
    pendingCount: d.pending ?? 0,
    rolloutState: (d.rollout ?? 'IN_PROGRESS') as 'COMPLETED',
  })),
  events: (o.events ?? []).map((e, i) => ({
    id: String(i),
    createdAt: new Date(e.at),
    message: e.message,
  })),
});
