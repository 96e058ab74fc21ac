/**
 * Consul's `filter` query parameter (a go-bexpr subset). Import compileFilter from here; the
 * module never performs I/O.
 */

export { compileFilter } from './compile-filter.js';
export type { FilterPredicate } from './compile-filter.js';
export { FilterError, SelectorError } from './errors.js';
export * as schemas from './schema.js';
export type { Schema } from './schema.js';
export { parseFilter } from './parse-filter.js';
export type { FilterNode, FilterValue, MatchOperator, SelectorSegment } from './parse-filter.js';
