/**
 * Errors of the ECS cluster query language parser. Each carries a stable `code`, the ECS
 * exception type the API layer answers with, and the 0-based position where parsing failed.
 * This module must never import I/O or carry behaviour: only error shapes.
 */

import { BerthError } from '@berth/daemon';

/** An expression that is not valid cluster query language. */
export class QueryError extends BerthError {
  /** The ECS exception name the API answers with. */
  readonly ecsType = 'InvalidParameterException' as const;
  /** 0-based offset in the expression where the problem was found. */
  readonly position: number;

  constructor(position: number, message: string) {
    super('BERTH_SCHEDULER_QUERY', message);
    this.position = position;
  }
}
