/**
 * Validation of RunTask / CreateService placement strategies and constraints, with ECS's
 * limits (5 strategies, 10 constraints) and InvalidParameterException wording. Pure: must
 * never touch instances or state.
 */

import { parseClusterQuery, QueryError } from '../query/index.js';
import { PlacementError } from './errors.js';

/** ECS's limit on placement strategies per request. */
export const MAX_STRATEGIES = 5;
/** ECS's limit on placement constraints per request (and per task definition). */
export const MAX_CONSTRAINTS = 10;

const ATTRIBUTE_FIELD = /^attribute:[A-Za-z0-9_./\\-]{1,128}$/;

/**
 * Checks placement strategies and constraints as ECS does; `undefined` means none given.
 * binpack takes `cpu` or `memory`; spread takes `instanceId`, `host` or `attribute:<name>`;
 * random takes no field; memberOf needs a valid cluster query expression; distinctInstance
 * takes none.
 * @throws PlacementError naming the field at fault.
 */
export function validatePlacement(strategies: unknown, constraints: unknown): void {
  if (strategies !== undefined && strategies !== null) {
    if (!Array.isArray(strategies)) {
      throw new PlacementError('placementStrategy', 'placementStrategy must be a list.');
    }
    if (strategies.length > MAX_STRATEGIES) {
      throw new PlacementError(
        'placementStrategy',
        `Too many placement strategies were provided: ${strategies.length}. The maximum is ${MAX_STRATEGIES}.`,
      );
    }
    strategies.forEach((s: unknown, i) => validateStrategy(s, `placementStrategy[${i}]`));
  }
  if (constraints !== undefined && constraints !== null) {
    if (!Array.isArray(constraints)) {
      throw new PlacementError('placementConstraints', 'placementConstraints must be a list.');
    }
    if (constraints.length > MAX_CONSTRAINTS) {
      throw new PlacementError(
        'placementConstraints',
        `Too many placement constraints were provided: ${constraints.length}. The maximum is ${MAX_CONSTRAINTS}.`,
      );
    }
    constraints.forEach((c: unknown, i) => validateConstraint(c, `placementConstraints[${i}]`));
  }
}

function validateStrategy(s: unknown, at: string): void {
  if (s === null || typeof s !== 'object') {
    throw new PlacementError(at, `${at} must be an object with a type.`);
  }
  const { type, field } = s as { type?: unknown; field?: unknown };
  if (field !== undefined && field !== null && typeof field !== 'string') {
    throw new PlacementError(`${at}.field`, 'Placement strategy field must be a string.');
  }
  switch (type) {
    case 'binpack':
      if (field !== 'cpu' && field !== 'memory') {
        throw new PlacementError(
          `${at}.field`,
          field === undefined || field === null
            ? 'Placement strategy field is required for type binpack. Valid fields are cpu and memory.'
            : `Invalid placement strategy field '${field}' for type binpack. Valid fields are cpu and memory.`,
        );
      }
      return;
    case 'spread':
      if (
        typeof field !== 'string' ||
        (field !== 'instanceId' && field !== 'host' && !ATTRIBUTE_FIELD.test(field))
      ) {
        throw new PlacementError(
          `${at}.field`,
          field === undefined || field === null
            ? 'Placement strategy field is required for type spread. Valid fields are instanceId, host and attribute:<name>.'
            : `Invalid placement strategy field '${field}' for type spread. Valid fields are instanceId, host and attribute:<name>.`,
        );
      }
      return;
    case 'random':
      if (field !== undefined && field !== null) {
        throw new PlacementError(
          `${at}.field`,
          `Placement strategy type random does not take a field; got '${String(field)}'.`,
        );
      }
      return;
    default:
      throw new PlacementError(
        `${at}.type`,
        `Invalid placement strategy type '${String(type)}'. Valid types are random, spread and binpack.`,
      );
  }
}

function validateConstraint(c: unknown, at: string): void {
  if (c === null || typeof c !== 'object') {
    throw new PlacementError(at, `${at} must be an object with a type.`);
  }
  const { type, expression } = c as { type?: unknown; expression?: unknown };
  const given = expression !== undefined && expression !== null && expression !== '';
  switch (type) {
    case 'distinctInstance':
      if (given) {
        throw new PlacementError(
          `${at}.expression`,
          'Placement constraint type distinctInstance does not take an expression.',
        );
      }
      return;
    case 'memberOf':
      if (!given) {
        throw new PlacementError(
          `${at}.expression`,
          'Placement constraint expression is required for type memberOf.',
        );
      }
      if (typeof expression !== 'string') {
        throw new PlacementError(
          `${at}.expression`,
          'Placement constraint expression must be a string.',
        );
      }
      try {
        parseClusterQuery(expression);
      } catch (err) {
        if (!(err instanceof QueryError)) throw err;
        throw new PlacementError(
          `${at}.expression`,
          `Invalid placement constraint expression '${expression}': ${err.message}.`,
          { cause: err },
        );
      }
      return;
    default:
      throw new PlacementError(
        `${at}.type`,
        `Invalid placement constraint type '${String(type)}'. Valid types are distinctInstance and memberOf.`,
      );
  }
}
