/**
 * The service record's life: created from a validated CreateService, changed by UpdateService
 * (a new PRIMARY deployment on a new task definition or forceNewDeployment), set DRAINING by
 * DeleteService. Pure: time and IDs are inputs; must never look anything up.
 */
import { ServiceRequestError } from './errors.js';
import { rolloutReasons } from './messages.js';
import { invalid } from './request-reader.js';
import { withRebalanceTag } from './service-request-fields.js';
import type { CreateServiceInput, UpdateServiceInput } from './validate-service-request.js';
import type { Deployment, Service } from './types.js';

/** A new deployment ID: `ecs-svc/` and 19 digits, as ECS; `random` returns [0, 1). */
export function newDeploymentId(random: () => number = Math.random): string {
  let digits = String(1 + Math.floor(random() * 9));
  for (let i = 0; i < 18; i++) digits += String(Math.floor(random() * 10));
  return `ecs-svc/${digits}`;
}

/** What creating a service needs besides the request. */
export interface CreateContext {
  now: number;
  serviceArn: string;
  clusterArn: string;
  /** The resolved task definition ARN (`...:task-definition/family:revision`). */
  taskDefinitionArn: string;
  deploymentId: string;
  createdBy?: string | undefined;
}

/** The service record for a validated CreateService, with its first deployment IN_PROGRESS. */
export function createServiceRecord(input: CreateServiceInput, ctx: CreateContext): Service {
  return {
    serviceName: input.serviceName,
    serviceArn: ctx.serviceArn,
    clusterArn: ctx.clusterArn,
    status: 'ACTIVE',
    taskDefinition: ctx.taskDefinitionArn,
    desiredCount: input.desiredCount,
    schedulingStrategy: input.schedulingStrategy,
    launchType: 'EC2',
    deploymentConfiguration: input.deploymentConfiguration,
    placementStrategy: input.placementStrategy,
    placementConstraints: input.placementConstraints,
    loadBalancers: input.loadBalancers,
    healthCheckGracePeriodSeconds: input.healthCheckGracePeriodSeconds,
    tags: input.tags,
    rebalance: input.rebalance,
    createdAt: ctx.now,
    createdBy: ctx.createdBy,
    clientToken: input.clientToken,
    // An EXTERNAL service has no deployments: its task sets come with CreateTaskSet.
    deployments:
      input.deploymentController === 'EXTERNAL'
        ? []
        : [newDeployment(ctx.deploymentId, ctx.taskDefinitionArn, ctx.now)],
    events: [],
    backoff: { failures: 0, lastFailureAt: 0 },
    countedStops: [],
    ...(input.propagateTags !== undefined ? { propagateTags: input.propagateTags } : {}),
    ...(input.enableECSManagedTags !== undefined
      ? { enableECSManagedTags: input.enableECSManagedTags }
      : {}),
    ...(input.deploymentController === 'EXTERNAL'
      ? { deploymentController: 'EXTERNAL' as const, taskSets: [] }
      : {}),
  };
}

/** What updating a service needs besides the request. */
export interface UpdateContext {
  now: number;
  /** The resolved task definition ARN when the request names one. */
  taskDefinitionArn?: string | undefined;
  /** Used only when a new deployment starts. */
  deploymentId: string;
}

/**
 * The service after a validated UpdateService. A new PRIMARY deployment starts when the task
 * definition changes or `forceNewDeployment` is set; the previous PRIMARY turns ACTIVE.
 */
export function updateServiceRecord(
  current: Service,
  input: UpdateServiceInput,
  ctx: UpdateContext,
): { service: Service; newDeployment: boolean } {
  if (current.status !== 'ACTIVE') {
    throw new ServiceRequestError(
      'ServiceNotActiveException',
      'service',
      'Service was not ACTIVE.',
    );
  }
  const td = ctx.taskDefinitionArn ?? current.taskDefinition;
  const fresh =
    current.deploymentController !== 'EXTERNAL' &&
    (td !== current.taskDefinition || input.forceNewDeployment);
  const deployments: Deployment[] = fresh
    ? [
        newDeployment(ctx.deploymentId, td, ctx.now),
        ...current.deployments.map((d) => ({ ...d, status: 'ACTIVE' as const })),
      ]
    : current.deployments;
  const service: Service = {
    ...current,
    taskDefinition: td,
    desiredCount: input.desiredCount ?? current.desiredCount,
    deploymentConfiguration: input.deploymentConfiguration ?? current.deploymentConfiguration,
    placementStrategy: input.placementStrategy ?? current.placementStrategy,
    placementConstraints: input.placementConstraints ?? current.placementConstraints,
    loadBalancers: input.loadBalancers ?? current.loadBalancers,
    healthCheckGracePeriodSeconds:
      input.healthCheckGracePeriodSeconds ?? current.healthCheckGracePeriodSeconds,
    rebalance: input.rebalance ?? current.rebalance,
    tags: input.rebalance ? withRebalanceTag(current.tags, input.rebalance) : current.tags,
    propagateTags: input.propagateTags ?? current.propagateTags,
    enableECSManagedTags: input.enableECSManagedTags ?? current.enableECSManagedTags,
    deployments,
  };
  return { service, newDeployment: fresh };
}

/**
 * The service after DeleteService: DRAINING with nothing desired; the reconciler stops its
 * tasks and reports `serviceStatus: INACTIVE` when none is left. A REPLICA service scaled
 * above 0 needs `force`, as ECS.
 */
export function drainServiceRecord(current: Service, force: boolean): Service {
  if (!force && current.schedulingStrategy === 'REPLICA' && current.desiredCount > 0) {
    throw invalid('force', 'The service cannot be stopped while it is scaled above 0.');
  }
  return { ...current, status: 'DRAINING', desiredCount: 0 };
}

function newDeployment(id: string, taskDefinition: string, now: number): Deployment {
  return {
    id,
    status: 'PRIMARY',
    taskDefinition,
    createdAt: now,
    updatedAt: now,
    rolloutState: 'IN_PROGRESS',
    rolloutStateReason: rolloutReasons.inProgress(id),
    failedTasks: 0,
    lastFailureAt: 0,
  };
}
