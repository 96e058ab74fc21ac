/**
 * The agent ↔ scheduler protocol: RegisterContainerInstance, BerthAgentV1.PollAssignments,
 * SubmitTaskStateChange, SubmitContainerStateChange and DeregisterContainerInstance, over the
 * scheduler's AWS JSON 1.1 endpoint. The agent sends and reads these shapes; the scheduler
 * answers and parses them. Types and constants only: no behaviour lives here.
 */

import type { TaskDefinition, TaskOverride, TransportProtocol } from './ecs-types.js';

/** X-Amz-Target prefix of ECS's own actions (RegisterContainerInstance, ...). */
export const ECS_TARGET_PREFIX = 'AmazonEC2ContainerServiceV20141113.';

/** X-Amz-Target prefix of berth's agent actions (PollAssignments). */
export const BERTH_AGENT_TARGET_PREFIX = 'BerthAgentV1.';

/** The statuses an agent reports a task or container in. */
export type BackendStatus = 'PENDING' | 'RUNNING' | 'STOPPED';

/** What the scheduler wants a task to be. */
export type DesiredStatus = 'RUNNING' | 'STOPPED';

/** A container's health as ECS shows it (Docker's healthy / unhealthy / starting). */
export type ContainerHealthStatus = 'HEALTHY' | 'UNHEALTHY' | 'UNKNOWN';

/** One task of a PollAssignments answer. */
export interface Assignment {
  readonly taskArn: string;
  readonly desiredStatus: DesiredStatus;
  readonly lastStatus?: string;
  readonly taskDefinition: TaskDefinition;
  readonly overrides?: TaskOverride;
  readonly startedBy?: string;
  /** `family:<name>` or `service:<name>`. */
  readonly group?: string;
  /** Epoch seconds (the ECS JSON protocol's timestamps), or ISO text. */
  readonly createdAt?: number | string;
  readonly stopCode?: string;
  readonly stoppedReason?: string;
}

/** A PollAssignments request (the client adds `cluster`). */
export interface PollRequest {
  readonly containerInstance: string;
  /** The last version the agent saw; the poll answers at once when it is stale. */
  readonly version: number;
  readonly waitSeconds: number;
}

/** A PollAssignments answer: every task of the instance not yet confirmed STOPPED. */
export interface Assignments {
  readonly version: number;
  readonly tasks: readonly Assignment[];
}

/** ECS `NetworkBinding`. */
export interface NetworkBinding {
  readonly bindIP: string;
  readonly containerPort: number;
  readonly hostPort: number;
  readonly protocol: TransportProtocol;
}

/** One container of a SubmitTaskStateChange request. */
export interface ContainerStateChange {
  readonly containerName: string;
  /** The Docker container ID. */
  readonly runtimeId?: string;
  readonly status: BackendStatus;
  readonly exitCode?: number;
  readonly reason?: string;
  readonly networkBindings: readonly NetworkBinding[];
  /** Docker's health of the container (berth extension), when it has a health check. */
  readonly healthStatus?: ContainerHealthStatus;
}

/** A SubmitTaskStateChange request (the client adds `cluster`). */
export interface TaskStateChange {
  /** The task ARN. */
  readonly task: string;
  readonly status: BackendStatus;
  readonly reason?: string;
  readonly containers: readonly ContainerStateChange[];
  /** Epoch seconds, as the ECS JSON protocol carries timestamps. */
  readonly pullStartedAt?: number;
  readonly pullStoppedAt?: number;
  readonly executionStoppedAt?: number;
}

/** A SubmitContainerStateChange request (the client adds `cluster`). */
export interface ContainerReport extends ContainerStateChange {
  /** The task ARN. */
  readonly task: string;
}

/** ECS `Resource` of RegisterContainerInstance (see the RESOURCE_* names). */
export interface Resource {
  readonly name: string;
  readonly type: 'INTEGER' | 'STRINGSET';
  readonly integerValue?: number;
  readonly stringSetValue?: readonly string[];
}

/** ECS `Attribute` (see the ATTRIBUTE_* names). */
export interface Attribute {
  readonly name: string;
  readonly value?: string;
}

/** ECS `VersionInfo`. */
export interface VersionInfo {
  readonly agentVersion?: string;
  readonly agentHash?: string;
  readonly dockerVersion?: string;
}

/** A RegisterContainerInstance request (the client adds `cluster`). */
export interface Registration {
  /** Set when re-registering a known instance. */
  readonly containerInstanceArn?: string;
  readonly totalResources: readonly Resource[];
  readonly versionInfo: VersionInfo;
  readonly attributes: readonly Attribute[];
  /** JSON text; berth reads `instanceId` from it. */
  readonly instanceIdentityDocument?: string;
}
