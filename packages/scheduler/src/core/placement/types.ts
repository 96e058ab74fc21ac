/**
 * The data shapes of task placement: the per-instance view the scheduler's state hands in,
 * the request, and the result. Plain data only; must never hold behaviour.
 */

/** A container instance as placement sees it. Treated as immutable. */
export interface PlacementInstance {
  arn: string;
  ec2InstanceId: string;
  status: 'ACTIVE' | 'DRAINING' | 'INACTIVE' | 'REGISTERING';
  agentConnected: boolean;
  attributes: Record<string, string>;
  /** Epoch milliseconds. */
  registeredAt: number;
  agentVersion?: string;
  remaining: {
    cpu: number;
    memory: number;
    /** Ports in use or reserved on the instance. */
    tcpPorts: ReadonlySet<number>;
    udpPorts: ReadonlySet<number>;
  };
  total: { cpu: number; memory: number };
  /**
   * The tasks on the instance. Replace the array (never mutate it in place without changing
   * its length) when tasks come or go: per-group counts are cached by array identity.
   */
  tasks: readonly { group?: string; family: string; taskArn: string }[];
}

/** A placement strategy as RunTask / CreateService take it. */
export interface PlacementStrategy {
  type: 'binpack' | 'spread' | 'random';
  field?: string;
}

/** A placement constraint as RunTask / CreateService take it. */
export interface PlacementConstraint {
  type: 'distinctInstance' | 'memberOf';
  expression?: string;
}

/** What to place: `count` copies of one task. */
export interface PlacementRequest {
  count: number;
  /** Per task: CPU units, MiB, and the fixed host ports it needs (see taskResources). */
  resources: { cpu: number; memory: number; tcpPorts: number[]; udpPorts: number[] };
  strategies: readonly PlacementStrategy[];
  constraints: readonly PlacementConstraint[];
  /** The task group; `family:<family>` when absent, as ECS. */
  group?: string;
  family: string;
  /** Source of randomness in [0, 1) for the random strategy (default Math.random). */
  random?: () => number;
}

/** Why an instance could not take a task, in ECS's words. */
export type PlacementFailureReason =
  | 'RESOURCE:CPU'
  | 'RESOURCE:MEMORY'
  | 'RESOURCE:PORTS'
  | 'AGENT'
  | 'ATTRIBUTE'
  | 'MISSING'
  | 'INACTIVE';

/** One instance's rejection. */
export interface PlacementFailure {
  arn: string;
  reason: PlacementFailureReason;
  detail?: string;
}

/** Where the tasks went (one entry per placed task, in order) and why the rest did not. */
export interface PlacementResult {
  placements: { instanceArn: string }[];
  failures: PlacementFailure[];
}
