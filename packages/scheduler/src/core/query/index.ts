/**
 * The ECS cluster query language: parse once, evaluate many times. Used by memberOf placement
 * constraints and ListContainerInstances `filter`. Pure: no I/O, no clock.
 */

export { QueryError } from './errors.js';
export type {
  ClusterQuery,
  QueryComparison,
  QueryInstance,
  QueryNode,
  QueryOperator,
  QuerySubject,
  QueryValue,
} from './types.js';
export { parseClusterQuery } from './parse-cluster-query.js';
export { matchesQuery } from './matches-query.js';
export { formatClusterQuery } from './format-cluster-query.js';
