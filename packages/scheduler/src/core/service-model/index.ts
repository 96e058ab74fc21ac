/**
 * ECS services, the pure core: request validation, the service record, the reconciler that
 * turns a service's state into actions, the folding of those actions back into the record,
 * and the DescribeServices rendering. No I/O and no clock anywhere below this folder.
 */
export { ServiceRequestError, ServiceStateError, type ServiceEcsType } from './errors.js';
export type * from './types.js';
export {
  validateServiceRequest,
  type CreateServiceInput,
  type UpdateServiceInput,
  type ServiceRequestContext,
} from './validate-service-request.js';
export {
  createServiceRecord,
  updateServiceRecord,
  drainServiceRecord,
  newDeploymentId,
  type CreateContext,
  type UpdateContext,
} from './service-record.js';
export { reconcileService, STEADY_STATE_REPEAT_MS } from './reconcile-service.js';
export { DEFAULT_SERVICE_STRATEGY } from './reconcile-replica.js';
export { daemonInstances } from './reconcile-daemon.js';
export { DEFAULT_DEREGISTRATION_DELAY_MS } from './planner.js';
export {
  circuitBreakerThreshold,
  backoffDelay,
  isFailedTask,
  isStartFailure,
  BACKOFF_BASE_MS,
  BACKOFF_MAX_MS,
  CIRCUIT_BREAKER_MIN,
  CIRCUIT_BREAKER_MAX,
} from './failure-accounting.js';
export { deploymentBounds, type Bounds } from './task-view.js';
export { applyServiceActions, MAX_EVENTS, type ApplyContext } from './apply-service-actions.js';
export { serviceToEcs, type TaskCounts } from './service-to-ecs.js';
export { startOutcomeEvents, type StartOutcome } from './start-outcome.js';
export { serviceMessages, rolloutReasons, stopReasons, shortId } from './messages.js';
