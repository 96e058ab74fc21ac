/**
 * The scheduler's records: what is durable (stored as JSON under the KV prefix) and the
 * runtime fields the leader keeps beside them in memory. Plain data and the pure codec
 * between records and KV keys/values; must never do I/O.
 */

import type { ContainerHealthStatus, Tag } from '@berth/protocol';

export type { Tag };

/** Resources one task holds on its instance (see taskResources). */
export interface TaskResources {
  cpu: number;
  memory: number;
  tcpPorts: number[];
  udpPorts: number[];
}

export interface ClusterRec {
  name: string;
  status: 'ACTIVE' | 'INACTIVE';
  createdAt: number;
  tags: Tag[];
  settings: { name: string; value: string }[];
  /** ECS's ClusterConfiguration (executeCommandConfiguration), as given. */
  configuration?: Record<string, unknown> | undefined;
}

export interface TaskDefRec {
  family: string;
  revision: number;
  /**
   * DELETE_IN_PROGRESS after DeleteTaskDefinitions, until nothing uses it; DELETED is berth's
   * tombstone of a family's highest revision (never shown), so no revision is ever reused.
   */
  status: 'ACTIVE' | 'INACTIVE' | 'DELETE_IN_PROGRESS' | 'DELETED';
  registeredAt: number;
  deregisteredAt?: number | undefined;
  /** The task definition as DescribeTaskDefinition returns it, minus status fields. */
  body: Record<string, unknown>;
  tags: Tag[];
}

/** Durable part of a container instance. */
export interface InstanceRec {
  id: string;
  cluster: string;
  ec2InstanceId: string;
  status: 'ACTIVE' | 'DRAINING';
  registeredAt: number;
  attributes: Record<string, string>;
  total: { cpu: number; memory: number; tcpPorts: number[]; udpPorts: number[] };
  versionInfo: { agentVersion?: string; agentHash?: string; dockerVersion?: string };
  tags: Tag[];
}

/** A container's state as the agent reported it. */
export interface ContainerRec {
  name: string;
  /** The container's UUID in its ARN. */
  id: string;
  runtimeId?: string | undefined;
  lastStatus?: string | undefined;
  exitCode?: number | undefined;
  reason?: string | undefined;
  networkBindings?: Record<string, unknown>[] | undefined;
  /** Docker health as the agent reported it: HEALTHY | UNHEALTHY | UNKNOWN. */
  healthStatus?: ContainerHealthStatus | undefined;
}

export type TaskStatus = 'PROVISIONING' | 'PENDING' | 'RUNNING' | 'STOPPED';

/** Durable part of a task. */
export interface TaskRec {
  id: string;
  cluster: string;
  instanceId: string;
  /** `family:revision`. */
  taskDefinition: string;
  createdAt: number;
  lastStatus: TaskStatus;
  desiredStatus: 'RUNNING' | 'STOPPED';
  /** ECS's task `version`: raised on every change. */
  version: number;
  startedBy?: string | undefined;
  group?: string | undefined;
  overrides?: Record<string, unknown> | undefined;
  tags?: Tag[] | undefined;
  clientToken?: string | undefined;
  pullStartedAt?: number | undefined;
  pullStoppedAt?: number | undefined;
  startedAt?: number | undefined;
  stoppingAt?: number | undefined;
  stoppedAt?: number | undefined;
  executionStoppedAt?: number | undefined;
  stopCode?: string | undefined;
  stoppedReason?: string | undefined;
  containers?: ContainerRec[] | undefined;
  /** The agent confirmed STOPPED (or the instance is gone): resources are free, not assigned. */
  done?: boolean | undefined;
  /** Task scale-in protection (UpdateTaskProtection) holds until this time (ms). */
  protectedUntil?: number | undefined;
}

/** KV key layout under `<prefix>scheduler/`. */
export class KvLayout {
  readonly root: string;
  constructor(prefix: string) {
    this.root = `${prefix}scheduler/`;
  }
  get leader(): string {
    return `${this.root}leader`;
  }
  cluster(name: string): string {
    return `${this.root}clusters/${name}`;
  }
  get clusters(): string {
    return `${this.root}clusters/`;
  }
  taskDef(family: string, revision: number): string {
    return `${this.root}taskdefs/${family}/${String(revision).padStart(8, '0')}`;
  }
  get taskDefs(): string {
    return `${this.root}taskdefs/`;
  }
  instance(cluster: string, id: string): string {
    return `${this.root}instances/${cluster}/${id}`;
  }
  get instances(): string {
    return `${this.root}instances/`;
  }
  task(t: { cluster: string; instanceId: string; id: string }): string {
    return `${this.root}tasks/${t.cluster}/${t.instanceId}/${t.id}`;
  }
  tasksOf(cluster: string, instanceId: string): string {
    return `${this.root}tasks/${cluster}/${instanceId}/`;
  }
  get tasks(): string {
    return `${this.root}tasks/`;
  }
  service(cluster: string, name: string): string {
    return `${this.root}services/${cluster}/${name}`;
  }
  get services(): string {
    return `${this.root}services/`;
  }
  /** One key per IAM principal: its ECS account settings, `{name: value}`. */
  accountSettings(principalArn: string): string {
    return `${this.root}account-settings/${encodeURIComponent(principalArn)}`;
  }
  get allAccountSettings(): string {
    return `${this.root}account-settings/`;
  }
}

/** The JSON stored for a task: its key already names cluster, instance and id. */
export function encodeTask(t: TaskRec): string {
  const { id: _id, cluster: _c, instanceId: _i, ...rest } = t;
  return JSON.stringify(rest);
}

/** Reads a task back from its key's parts and value. */
export function decodeTask(
  cluster: string,
  instanceId: string,
  id: string,
  value: string,
): TaskRec {
  const rest = JSON.parse(value) as Omit<TaskRec, 'id' | 'cluster' | 'instanceId'>;
  return { ...rest, id, cluster, instanceId };
}
