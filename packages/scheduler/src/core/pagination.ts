/**
 * `nextToken` / `maxResults` for the List* actions: a page of a sorted key list, resumed after
 * the last key returned. The token is opaque to clients (base64url JSON). Pure.
 */
import { invalidParameter } from '../errors.js';

/** One page of `items` and the token for the next one. */
export interface Page<T> {
  readonly items: T[];
  readonly nextToken: string | undefined;
}

/** A page of `items` (already filtered) ordered by `keyOf`, starting after `nextToken`. */
export function paginate<T>(
  items: readonly T[],
  keyOf: (item: T) => string,
  nextToken: string | undefined,
  maxResults: number | undefined,
  defaultMax = 100,
): Page<T> {
  const sorted = [...items].sort((a, b) => {
    const ka = keyOf(a);
    const kb = keyOf(b);
    return ka < kb ? -1 : ka > kb ? 1 : 0;
  });
  let start = 0;
  if (nextToken !== undefined && nextToken !== '') {
    const after = decodeToken(nextToken);
    let lo = 0;
    let hi = sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (keyOf(sorted[mid] as T) <= after) lo = mid + 1;
      else hi = mid;
    }
    start = lo;
  }
  const max = maxResults ?? defaultMax;
  const pageItems = sorted.slice(start, start + max);
  const more = start + max < sorted.length && pageItems.length > 0;
  return {
    items: pageItems,
    nextToken: more ? encodeToken(keyOf(pageItems[pageItems.length - 1] as T)) : undefined,
  };
}

/** The opaque token that resumes after `key`. */
export function encodeToken(key: string): string {
  return Buffer.from(JSON.stringify({ after: key })).toString('base64url');
}

function decodeToken(token: string): string {
  try {
    const v = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { after?: unknown };
    if (typeof v.after === 'string') return v.after;
  } catch {
    // fall through
  }
  throw invalidParameter('nextToken is invalid.');
}
