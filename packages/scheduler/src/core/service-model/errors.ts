/**
 * Errors of ECS services: bad CreateService / UpdateService input, worded as ECS words its
 * ClientException / InvalidParameterException, and a reconciler input that breaks the model's
 * invariants. This module must never import I/O or carry behaviour.
 */
import { BerthError } from '@berth/daemon';

/** The ECS exception types service validation answers with. */
export type ServiceEcsType =
  | 'ClientException'
  | 'InvalidParameterException'
  | 'ServiceNotActiveException'
  | 'ServiceNotFoundException';

/** A CreateService / UpdateService request ECS would refuse (HTTP 400). */
export class ServiceRequestError extends BerthError {
  /** The ECS exception name the API answers with. */
  readonly ecsType: ServiceEcsType;
  /** The request field at fault, as a path: `deploymentConfiguration.maximumPercent`. */
  readonly field: string;

  constructor(ecsType: ServiceEcsType, field: string, message: string) {
    super('BERTH_SCHEDULER_SERVICE_REQUEST', message);
    this.ecsType = ecsType;
    this.field = field;
  }
}

/** The reconciler was handed a service it cannot reason about (e.g. no PRIMARY deployment). */
export class ServiceStateError extends BerthError {
  constructor(message: string) {
    super('BERTH_SCHEDULER_SERVICE_STATE', message);
  }
}
