/**
 * The words ECS uses: service event messages ("(service web) has reached a steady state."),
 * deployment rolloutStateReasons and the stoppedReasons of tasks a service stops. One place so
 * tests and the API agree. Pure string building; must never decide anything.
 */
import type { PlacementFailure } from '../placement/types.js';

/** The last segment of an ARN (task ID, container instance ID), as ECS prints it. */
export function shortId(arn: string): string {
  const i = arn.lastIndexOf('/');
  return i < 0 ? arn : arn.slice(i + 1);
}

const svc = (name: string): string => `(service ${name})`;
const TROUBLESHOOTING = 'For more information, see the Troubleshooting section.';

/** Service event messages, worded as ECS. */
export const serviceMessages = {
  steadyState: (name: string): string => `${svc(name)} has reached a steady state.`,
  started: (name: string, taskArns: readonly string[]): string =>
    `${svc(name)} has started ${taskArns.length} tasks: ${taskList(taskArns)}.`,
  stopped: (name: string, taskArns: readonly string[]): string =>
    `${svc(name)} has stopped ${taskArns.length} running tasks: ${taskList(taskArns)}.`,
  drainingConnections: (name: string, count: number): string =>
    `${svc(name)} has begun draining connections on ${count} tasks.`,
  registeredTargets: (name: string, count: number, targetGroupArn: string): string =>
    `${svc(name)} registered ${count} targets in (target-group ${targetGroupArn})`,
  deregisteredTargets: (name: string, count: number, targetGroupArn: string): string =>
    `${svc(name)} deregistered ${count} targets in (target-group ${targetGroupArn})`,
  deploymentCompleted: (name: string, deploymentId: string): string =>
    `${svc(name)} (deployment ${deploymentId}) deployment completed.`,
  deploymentFailed: (name: string, deploymentId: string): string =>
    `${svc(name)} (deployment ${deploymentId}) deployment failed: tasks failed to start.`,
  rollingBack: (name: string, toDeploymentId: string): string =>
    `${svc(name)} rolling back to deployment ${toDeploymentId}.`,
  startImpaired: (name: string): string =>
    `${svc(name)} is unable to consistently start tasks successfully. ${TROUBLESHOOTING}`,
  containerUnhealthy: (name: string, taskArn: string): string =>
    `${svc(name)} (task ${shortId(taskArn)}) failed container health checks.`,
  targetUnhealthy: (name: string, ec2InstanceId: string, port: number, tg: string): string =>
    `${svc(name)} (instance ${ec2InstanceId}) (port ${port}) is unhealthy in (target-group ${tg}) ` +
    'due to (reason Health checks failed).',
  notBalanced: (name: string, busiest: string, most: number, emptiest: string, least: number) =>
    `${svc(name)} is not balanced with ${most} tasks on (container-instance ${shortId(busiest)}) ` +
    `and ${least} tasks on (container-instance ${shortId(emptiest)}). Rebalancing in progress.`,
  /**
   * "was unable to place a task": the closest matching instance and why, from the placement
   * failures of the attempt (none = no instance at all).
   */
  unableToPlace: (name: string, failures: readonly PlacementFailure[]): string => {
    const head = `${svc(name)} was unable to place a task because no container instance met all of its requirements.`;
    const closest = closestFailure(failures);
    if (!closest) return `${head} Reason: No Container Instances were found in your cluster.`;
    const ci = `The closest matching (container-instance ${shortId(closest.arn)})`;
    return `${head} ${ci} ${FAILURE_WORDS[closest.reason]} ${TROUBLESHOOTING}`;
  },
};

/** Deployment rolloutStateReason texts, as ECS. */
export const rolloutReasons = {
  inProgress: (deploymentId: string): string => `ECS deployment ${deploymentId} in progress.`,
  completed: (deploymentId: string): string => `ECS deployment ${deploymentId} completed.`,
  circuitBreaker: 'ECS deployment circuit breaker: tasks failed to start.',
  rollingBack: (toDeploymentId: string): string =>
    `ECS deployment circuit breaker: rolling back to deploymentId ${toDeploymentId}.`,
};

/** stoppedReason of the tasks a service stops. */
export const stopReasons = {
  scaling: (deploymentId: string): string =>
    `Scaling activity initiated by (deployment ${deploymentId})`,
  containerHealth: 'Task failed container health checks',
  elbHealth: (targetGroupArn: string): string =>
    `Task failed ELB health checks in (target-group ${targetGroupArn})`,
  draining: 'Task stopped because its container instance is DRAINING',
  constraints:
    "Task stopped because its container instance no longer meets the service's placement constraints",
  rebalance: 'Task stopped to rebalance the service across container instances',
  duplicateDaemon:
    'Task stopped because the daemon service already runs a task on this container instance',
  orphaned: 'Task stopped because its container instance is no longer registered',
};

/** Whether a stoppedReason is one of the health-check stops above (a circuit-breaker failure). */
export function isHealthCheckStop(reason: string | undefined): boolean {
  return reason !== undefined && reason.startsWith('Task failed ');
}

const FAILURE_WORDS: Record<PlacementFailure['reason'], string> = {
  'RESOURCE:CPU': 'has insufficient CPU units available.',
  'RESOURCE:MEMORY': 'has insufficient memory available.',
  'RESOURCE:PORTS': 'is already using a port required by your task.',
  AGENT: 'encountered error "AGENT".',
  ATTRIBUTE: 'is missing an attribute required by your task.',
  MISSING: 'is missing.',
  INACTIVE: 'is not ACTIVE.',
};

/** The instance that got furthest through placement's checks (resources beat attributes). */
const CLOSENESS: Record<PlacementFailure['reason'], number> = {
  'RESOURCE:PORTS': 6,
  'RESOURCE:MEMORY': 5,
  'RESOURCE:CPU': 4,
  ATTRIBUTE: 3,
  AGENT: 2,
  INACTIVE: 1,
  MISSING: 0,
};

function closestFailure(failures: readonly PlacementFailure[]): PlacementFailure | undefined {
  let best: PlacementFailure | undefined;
  for (const f of failures) {
    if (!best || CLOSENESS[f.reason] > CLOSENESS[best.reason]) best = f;
  }
  return best;
}

function taskList(taskArns: readonly string[]): string {
  return taskArns.map((a) => `(task ${shortId(a)})`).join(' ');
}
