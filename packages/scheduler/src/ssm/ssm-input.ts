/**
 * Request readers shared by the SSM actions: required names, name lists, labels, and the
 * opaque NextToken pages. Pure; errors are SSM's ValidationException / InvalidNextToken.
 */
import { type Body, optString } from '../core/input.js';
import { invalidNextToken, validation } from './ssm-errors.js';

export function token(after: string): string {
  return Buffer.from(JSON.stringify({ after }), 'utf8').toString('base64url');
}

export function afterToken(body: Body): string | undefined {
  const t = optString(body, 'NextToken');
  if (t === undefined || t === '') return undefined;
  try {
    const v = JSON.parse(Buffer.from(t, 'base64url').toString('utf8')) as { after?: unknown };
    if (typeof v.after === 'string') return v.after;
  } catch {
    // fall through
  }
  throw invalidNextToken();
}

export function page<T>(
  items: T[],
  keyOf: (t: T) => string,
  body: Body,
  max: number,
): {
  items: T[];
  next: string | undefined;
} {
  const after = afterToken(body);
  const start = after === undefined ? 0 : items.findIndex((t) => keyOf(t) > after);
  const from = start < 0 ? items.length : start;
  const slice = items.slice(from, from + max);
  const more = from + max < items.length;
  return {
    items: slice,
    next: more && slice.length ? token(keyOf(slice[slice.length - 1] as T)) : undefined,
  };
}

export function reqName(body: Body, field = 'Name'): string {
  const v = optString(body, field);
  if (v === undefined || v === '') {
    throw validation(
      `1 validation error detected: Value null at '${field.toLowerCase()}' failed to satisfy constraint: Member must not be null`,
    );
  }
  return v;
}

export function names(body: Body, field: string): string[] {
  const v = body[field];
  if (!Array.isArray(v) || v.length === 0 || v.some((x) => typeof x !== 'string')) {
    throw validation(`${field} must be a list of 1 to 10 names.`);
  }
  if (v.length > 10) {
    throw validation(
      `1 validation error detected: Value at '${field.toLowerCase()}' failed to satisfy constraint: Member must have length less than or equal to 10`,
    );
  }
  return v as string[];
}

export function labelsOf(body: Body): string[] {
  const v = body['Labels'];
  if (
    !Array.isArray(v) ||
    v.length === 0 ||
    v.length > 10 ||
    v.some((x) => typeof x !== 'string')
  ) {
    throw validation('Labels must be a list of 1 to 10 labels.');
  }
  return v as string[];
}
