/**
 * The data model of ECS services: the durable service record with its deployments and
 * events, the reconciler's input view (tasks, instances, target health) and the actions it
 * answers with. Plain data only; must never hold behaviour or reach for I/O.
 */
import type { Tag } from '@berth/protocol';
import type {
  PlacementConstraint,
  PlacementFailure,
  PlacementStrategy,
} from '../placement/types.js';

import type { DeploymentControllerType, PropagateTags, TaskSet } from './task-set-types.js';

export type { PlacementConstraint, PlacementFailure, PlacementStrategy };
export type { DeploymentControllerType, PropagateTags, TaskSet };

/** REPLICA keeps `desiredCount` tasks; DAEMON keeps one task per matching instance. */
export type SchedulingStrategy = 'REPLICA' | 'DAEMON';

/** A service's load balancer entry (ELB target groups; classic ELBs are not supported). */
export interface LoadBalancer {
  targetGroupArn: string;
  containerName: string;
  containerPort: number;
}

/** ECS's deploymentCircuitBreaker. */
export interface CircuitBreaker {
  enable: boolean;
  rollback: boolean;
}

/** ECS's deploymentConfiguration, with defaults applied. */
export interface DeploymentConfiguration {
  maximumPercent: number;
  minimumHealthyPercent: number;
  deploymentCircuitBreaker: CircuitBreaker;
}

/**
 * berth's rebalancing option (request field `rebalance`, not in ECS): when `enable`, a steady
 * service whose busiest and emptiest eligible instances differ by more than `maxSkew` tasks
 * moves one task at a time, within the deployment percentages.
 */
export interface RebalanceOption {
  enable: boolean;
  maxSkew: number;
}

export type { Tag };

/** How a deployment's rollout stands, as ECS reports it. */
export type RolloutState = 'IN_PROGRESS' | 'COMPLETED' | 'FAILED';

/** One deployment: a task definition the service runs or ran. */
export interface Deployment {
  /** `ecs-svc/` and 19 digits, as ECS. */
  id: string;
  /** The newest deployment is PRIMARY; older ones still holding tasks are ACTIVE. */
  status: 'PRIMARY' | 'ACTIVE';
  /** The task definition ARN. */
  taskDefinition: string;
  createdAt: number;
  updatedAt: number;
  rolloutState: RolloutState;
  rolloutStateReason: string;
  /** Consecutive failed tasks (reset when a task of the deployment turns healthy). */
  failedTasks: number;
  /** When the newest counted failure happened (0 when none). */
  lastFailureAt: number;
}

/** One service event as DescribeServices lists it. */
export interface ServiceEvent {
  id: string;
  createdAt: number;
  message: string;
}

/** Back-off of task starts after tasks that never reached RUNNING. */
export interface BackoffState {
  /** Consecutive tasks that stopped before RUNNING. */
  failures: number;
  /** When the newest of them stopped (0 when none). */
  lastFailureAt: number;
}

/** The service record the scheduler stores (one JSON value per service). */
export interface Service {
  serviceName: string;
  serviceArn: string;
  clusterArn: string;
  status: 'ACTIVE' | 'DRAINING' | 'INACTIVE';
  /** The PRIMARY deployment's task definition ARN. */
  taskDefinition: string;
  /** For DAEMON services, maintained by the caller as the number of eligible instances. */
  desiredCount: number;
  schedulingStrategy: SchedulingStrategy;
  launchType: 'EC2';
  deploymentConfiguration: DeploymentConfiguration;
  placementStrategy: PlacementStrategy[];
  placementConstraints: PlacementConstraint[];
  loadBalancers: LoadBalancer[];
  healthCheckGracePeriodSeconds: number | undefined;
  tags: Tag[];
  rebalance: RebalanceOption;
  createdAt: number;
  createdBy?: string | undefined;
  clientToken?: string | undefined;
  /** PRIMARY first, then ACTIVE ones, newest first. */
  deployments: Deployment[];
  /** Newest first, at most 100. */
  events: ServiceEvent[];
  backoff: BackoffState;
  /** Task ARNs whose STOPPED state the service already accounted for (see `recordStop`). */
  countedStops: string[];
  /** How tags reach the service's tasks (absent: NONE). */
  propagateTags?: PropagateTags | undefined;
  /** ECS managed tags (`aws:ecs:clusterName`, `aws:ecs:serviceName`) on its tasks. */
  enableECSManagedTags?: boolean | undefined;
  /** Absent: ECS (rolling updates). EXTERNAL services have task sets and no deployments. */
  deploymentController?: DeploymentControllerType | undefined;
  /** EXTERNAL services: their task sets, the PRIMARY one first. */
  taskSets?: TaskSet[] | undefined;
}

/** A container's port binding as the agent reported it. */
export interface PortBinding {
  containerName: string;
  containerPort: number;
  hostPort: number;
}

/** A task of the service as the reconciler sees it. */
export interface ServiceTask {
  taskArn: string;
  deploymentId: string;
  instanceArn: string;
  lastStatus: 'PROVISIONING' | 'PENDING' | 'RUNNING' | 'STOPPED';
  desiredStatus: 'RUNNING' | 'STOPPED';
  /** The task's container health: UNKNOWN until its health checks pass (or forever without). */
  healthStatus?: 'HEALTHY' | 'UNHEALTHY' | 'UNKNOWN' | undefined;
  /** Whether an essential container defines a health check (so HEALTHY is awaited). */
  healthChecked?: boolean | undefined;
  createdAt: number;
  startedAt?: number | undefined;
  stoppedAt?: number | undefined;
  stopCode?: string | undefined;
  stoppedReason?: string | undefined;
  bindings?: PortBinding[] | undefined;
  /** Task scale-in protection (UpdateTaskProtection) holds until this time (ms). */
  protectedUntil?: number | undefined;
}

/** A container instance of the service's cluster as the reconciler sees it. */
export interface ServiceInstanceView {
  arn: string;
  /** The ELB target ID (instance target type). */
  ec2InstanceId: string;
  status: 'ACTIVE' | 'DRAINING';
  agentConnected: boolean;
  /** The `ecs.availability-zone` attribute. */
  availabilityZone?: string | undefined;
  /** Whether the service's placement constraints hold on it (the caller evaluates them). */
  matchesConstraints: boolean;
}

/** ELB's view of one target (DescribeTargetHealth), plus when it last changed. */
export interface TargetHealth {
  state: 'initial' | 'healthy' | 'unhealthy' | 'unused' | 'draining' | 'unavailable';
  /** When the state was entered; for `draining`, when DeregisterTargets was called. */
  since: number;
}

/** Everything `reconcileService` decides from. */
export interface ServiceState {
  service: Service;
  /** The service's tasks, including recently STOPPED ones. */
  tasks: readonly ServiceTask[];
  /** The cluster's registered container instances. */
  instances: readonly ServiceInstanceView[];
  /** Per task ARN, per target group ARN: the target's health; absent = not registered. */
  targetHealth?: Readonly<Record<string, Readonly<Record<string, TargetHealth>>>> | undefined;
  /** The target groups' deregistration delay (ELB's default 300 s). */
  deregistrationDelayMs?: number | undefined;
}

/** Start `count` tasks of a deployment; the caller places them (placement package). */
export interface StartAction {
  type: 'start';
  deploymentId: string;
  taskDefinition: string;
  count: number;
  /** Exactly where (DAEMON, rebalancing): one task per listed instance. */
  instanceArns?: string[] | undefined;
  /** The strategies to place with: the service's, or the default spread (zone, instance). */
  placementStrategy: PlacementStrategy[];
  placementConstraints: PlacementConstraint[];
  /** `service:<name>`, the tasks' group. */
  group: string;
  /** `ecs-svc/<id>`-style startedBy. */
  startedBy: string;
}

/** The reconciler's decisions. See README.md for what the caller does with each. */
export type Action =
  | StartAction
  | { type: 'stop'; taskArn: string; reason: string }
  | {
      type: 'registerTarget' | 'deregisterTarget';
      taskArn: string;
      targetGroupArn: string;
      targetId: string;
      port: number;
    }
  | { type: 'deploymentState'; deploymentId: string; rolloutState: RolloutState; reason: string }
  | { type: 'event'; message: string }
  | { type: 'rollback'; fromDeploymentId: string; toDeploymentId: string }
  | { type: 'scheduleRetry'; at: number }
  | {
      type: 'recordStop';
      taskArn: string;
      deploymentId: string;
      /** Counts toward the circuit breaker. */
      failed: boolean;
      /** Never reached RUNNING: counts toward the start back-off. */
      failedToStart: boolean;
      at: number;
    }
  | { type: 'resetFailures'; deploymentId: string }
  | { type: 'resetBackoff' }
  | { type: 'retireDeployment'; deploymentId: string }
  | { type: 'setDesiredCount'; desiredCount: number }
  | { type: 'serviceStatus'; status: 'INACTIVE' };

/** Tuning of the reconciler (defaults in parentheses). */
export interface ReconcileOptions {
  /** First back-off delay after a task failed to start (1 s); doubles per failure. */
  backoffBaseMs?: number;
  /** Back-off cap (60 s). */
  backoffMaxMs?: number;
}
