/**
 * Errors of task definition validation: each carries the stable code, the ECS exception type
 * the API answers with, and the request field at fault; the message is worded as ECS words
 * it. This module must never import I/O or carry behaviour.
 */

import { BerthError } from '@berth/daemon';

/** The ECS exception types validation answers with. */
export type EcsValidationType = 'ClientException' | 'InvalidParameterException';

/** A RegisterTaskDefinition request (or a task override) ECS would refuse. */
export class TaskDefinitionError extends BerthError {
  /** The ECS exception name the API answers with (HTTP 400). */
  readonly ecsType: EcsValidationType;
  /** The field at fault, as a path: `containerDefinitions[0].portMappings[1].hostPort`. */
  readonly field: string;

  constructor(ecsType: EcsValidationType, field: string, message: string) {
    super('BERTH_SCHEDULER_TASK_DEFINITION', message);
    this.ecsType = ecsType;
    this.field = field;
  }
}
