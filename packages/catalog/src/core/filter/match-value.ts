/**
 * The leaf comparisons of the filter language over plain JSON-shaped values (what the
 * catalog's handlers serialise), with bexpr's rule that a literal is coerced to the type of
 * the field it is compared with. Pure functions: they must never throw on odd data; a value of
 * the wrong shape simply does not match.
 */

import type { FilterValue } from './parse-filter.js';

const GO_TRUE = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);
const GO_FALSE = new Set(['0', 'f', 'F', 'FALSE', 'false', 'False']);
const NUMBER_TEXT = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
const INTEGER_TEXT = /^[+-]?\d+$/;

/** A plain object (not an array, not null): what a JSON object or Go map becomes. */
export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `field == value`, with the literal coerced to the field's type. */
export function valueEquals(field: unknown, value: FilterValue): boolean {
  switch (typeof field) {
    case 'string':
      return field === value.raw;
    case 'number':
      return NUMBER_TEXT.test(value.raw) && Number(value.raw) === field;
    case 'bigint':
      return INTEGER_TEXT.test(value.raw) && BigInt(value.raw) === field;
    case 'boolean':
      return field ? GO_TRUE.has(value.raw) : GO_FALSE.has(value.raw);
    default:
      return false;
  }
}

/** `value in field` / `field contains value`: substring, list element or map key. */
export function valueContains(field: unknown, value: FilterValue): boolean {
  if (typeof field === 'string') return field.includes(value.raw);
  if (Array.isArray(field)) return field.some((item) => valueEquals(item, value));
  if (isRecord(field)) return Object.hasOwn(field, value.raw);
  return false;
}

/** `field is empty`: a null, an empty string, list or map. */
export function valueIsEmpty(field: unknown): boolean {
  if (field === null || field === undefined) return true;
  if (typeof field === 'string' || Array.isArray(field)) return field.length === 0;
  if (isRecord(field)) return Object.keys(field).length === 0;
  return false;
}

/** `field matches regex`: only strings can match. */
export function valueMatches(field: unknown, re: RegExp): boolean {
  return typeof field === 'string' && re.test(field);
}
