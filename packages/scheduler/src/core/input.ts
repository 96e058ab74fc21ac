/**
 * Readers for the fields of an ECS request body. Each throws InvalidParameterException naming
 * the field when the value has the wrong type or range, so no handler ever sees a bad type and
 * no client mistake becomes a 500. Pure.
 */
import { invalidParameter } from '../errors.js';

/** A parsed JSON request body. */
export type Body = Readonly<Record<string, unknown>>;

const typeName = (v: unknown): string =>
  Array.isArray(v) ? 'array' : v === null ? 'null' : typeof v;

/** An optional string field. */
export function optString(body: Body, field: string, label = field): string | undefined {
  const v = body[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') {
    throw invalidParameter(`${label} must be a string, got ${typeName(v)}.`);
  }
  return v;
}

/** A required, non-empty string field. */
export function reqString(body: Body, field: string, label = field): string {
  const v = optString(body, field, label);
  if (v === undefined || v === '') throw invalidParameter(`${label} can not be null or empty.`);
  return v;
}

/** An optional integer field within [min, max]. */
export function optInt(
  body: Body,
  field: string,
  min: number,
  max: number,
  label = field,
): number | undefined {
  const v = body[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v)) {
    throw invalidParameter(`${label} must be an integer, got ${JSON.stringify(v)}.`);
  }
  if (v < min || v > max) {
    throw invalidParameter(`${label} must be between ${min} and ${max}, got ${v}.`);
  }
  return v;
}

/** An optional boolean field. */
export function optBool(body: Body, field: string, label = field): boolean | undefined {
  const v = body[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean') throw invalidParameter(`${label} must be a boolean.`);
  return v;
}

/** An optional array of strings. */
export function optStringList(body: Body, field: string, label = field): string[] | undefined {
  const v = body[field];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v)) throw invalidParameter(`${label} must be a list of strings.`);
  return v.map((x, i) => {
    if (typeof x !== 'string') throw invalidParameter(`${label}[${i}] must be a string.`);
    return x;
  });
}

/** An optional array of objects. */
export function optObjectList(body: Body, field: string, label = field): Body[] | undefined {
  const v = body[field];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v)) throw invalidParameter(`${label} must be a list.`);
  return v.map((x, i) => {
    if (typeof x !== 'object' || x === null || Array.isArray(x)) {
      throw invalidParameter(`${label}[${i}] must be an object.`);
    }
    return x as Body;
  });
}

/** An optional object field. */
export function optObject(body: Body, field: string, label = field): Body | undefined {
  const v = body[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'object' || Array.isArray(v))
    throw invalidParameter(`${label} must be an object.`);
  return v as Body;
}

/** An optional enum field. */
export function optEnum<T extends string>(
  body: Body,
  field: string,
  choices: readonly T[],
  label = field,
): T | undefined {
  const v = optString(body, field, label);
  if (v === undefined) return undefined;
  if (!(choices as readonly string[]).includes(v)) {
    throw invalidParameter(`${label} must be one of ${choices.join(', ')}, got '${v}'.`);
  }
  return v as T;
}

/** An optional timestamp (epoch seconds, as AWS JSON 1.1 sends it) in ms. */
export function optTime(body: Body, field: string, label = field): number | undefined {
  const v = body[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'number' && Number.isFinite(v)) return Math.round(v * 1000);
  if (typeof v === 'string' && !Number.isNaN(Date.parse(v))) return Date.parse(v);
  throw invalidParameter(`${label} must be a timestamp.`);
}

/** ECS tags `[{key, value}]`, validated as ECS does (key 1..128, value 0..256, ≤50 tags). */
export function optTags(body: Body, field = 'tags'): { key: string; value: string }[] | undefined {
  const list = optObjectList(body, field);
  if (list === undefined) return undefined;
  if (list.length > 50) throw invalidParameter(`${field}: too many tags (max 50).`);
  return list.map((t, i) => {
    const key = reqString(t, 'key', `${field}[${i}].key`);
    const value = optString(t, 'value', `${field}[${i}].value`) ?? '';
    if (key.length > 128) throw invalidParameter(`${field}[${i}].key is longer than 128.`);
    if (value.length > 256) throw invalidParameter(`${field}[${i}].value is longer than 256.`);
    if (/^aws:/i.test(key)) {
      throw invalidParameter(`${field}[${i}].key: the aws: prefix is reserved.`);
    }
    return { key, value };
  });
}
