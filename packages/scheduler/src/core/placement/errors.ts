/**
 * Errors of task placement: invalid strategies or constraints, worded as ECS words its
 * InvalidParameterException. This module must never import I/O or carry behaviour.
 */

import { BerthError } from '@berth/daemon';

/** A placement strategy or constraint ECS would refuse. */
export class PlacementError extends BerthError {
  /** The ECS exception name the API answers with. */
  readonly ecsType = 'InvalidParameterException' as const;
  /** The request field at fault, e.g. `placementStrategy[1].field`. */
  readonly field: string;

  constructor(field: string, message: string, options?: { cause?: unknown }) {
    super('BERTH_SCHEDULER_PLACEMENT', message, options);
    this.field = field;
  }
}
