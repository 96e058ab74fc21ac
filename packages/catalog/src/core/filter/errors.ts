/**
 * Errors raised while compiling a `filter` expression. A FilterError is an ApiError with
 * status 400, so the HTTP layer answers it like any bad parameter; it must never be thrown
 * while evaluating a compiled filter.
 */

import { ApiError } from '../../errors.js';

/** A syntactically bad filter expression; `position` is 1-based in the expression text. */
export class FilterError extends ApiError {
  declare readonly code: 'BERTH_CATALOG_FILTER';
  readonly position: number;
  readonly expression: string;

  constructor(expression: string, position: number, message: string) {
    super(
      400,
      'BERTH_CATALOG_FILTER',
      `Failed to create boolean expression evaluator: at position ${position}: ${message}`,
    );
    this.position = position;
    this.expression = expression;
  }
}

/** A selector the result type does not have (go-bexpr's validation against the Go type). */
export class SelectorError extends ApiError {
  declare readonly code: 'BERTH_CATALOG_FILTER';
  constructor(selector: string) {
    super(
      400,
      'BERTH_CATALOG_FILTER',
      `Failed to create boolean expression evaluator: Selector ${JSON.stringify(selector)} is not valid`,
    );
  }
}
