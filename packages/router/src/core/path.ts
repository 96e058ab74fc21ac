/**
 * Request paths as the router matches and forwards them: percent-encoded unreserved
 * characters decoded, other escapes upper-cased, dot-segments removed (RFC 3986 §6.2.2, §5.2.4),
 * and encoded `/`, `\`, NUL or a raw `\` refused, so a path can never name one route to the
 * router and another to the application. `strip=` removes whole segments only. Pure; it must
 * never decode an escape that changes how the path splits into segments.
 */
import { RequestError } from '../errors.js';

const HEX = '0123456789ABCDEF';

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  const l = c | 0x20;
  if (l >= 97 && l <= 102) return l - 87;
  return -1;
}

function isUnreserved(c: number): boolean {
  return (
    (c >= 97 && c <= 122) || // a-z
    (c >= 65 && c <= 90) || // A-Z
    (c >= 48 && c <= 57) || // 0-9
    c === 45 || // -
    c === 46 || // .
    c === 95 || // _
    c === 126 // ~
  );
}

function decodeEscapes(path: string): string {
  let out = '';
  let from = 0;
  for (let i = path.indexOf('%'); i >= 0; i = path.indexOf('%', i)) {
    const hi = hexValue(path.charCodeAt(i + 1));
    const lo = hexValue(path.charCodeAt(i + 2));
    if (hi < 0 || lo < 0) throw new RequestError(400, 'bad percent-encoding in path');
    const c = hi * 16 + lo;
    if (c === 0x2f || c === 0x5c || c === 0) {
      throw new RequestError(400, 'encoded slash, backslash or NUL in path');
    }
    out +=
      path.slice(from, i) + (isUnreserved(c) ? String.fromCharCode(c) : `%${HEX[hi]}${HEX[lo]}`);
    i += 3;
    from = i;
  }
  return out + path.slice(from);
}

/** RFC 3986 §5.2.4 for a path that starts with `/`. */
export function removeDotSegments(path: string): string {
  const segs = path.split('/');
  const out: string[] = [];
  const last = segs.length - 1;
  for (let i = 1; i <= last; i++) {
    const s = segs[i] as string;
    if (s === '.' || s === '..') {
      if (s === '..') out.pop();
      if (i === last) out.push('');
      continue;
    }
    out.push(s);
  }
  return '/' + out.join('/');
}

/**
 * The normalised form of an origin-form path (`*` is returned as is). Throws
 * {@link RequestError} (400) for a backslash, an encoded `/`, `\` or NUL, or a bad escape.
 */
export function normalizePath(path: string): string {
  // fast path: nothing to decode, no segment starting with a dot, no backslash
  const pct = path.indexOf('%');
  if (pct < 0 && path.indexOf('/.') < 0 && path.indexOf('\\') < 0) return path;
  if (path.indexOf('\\') >= 0) throw new RequestError(400, 'backslash in path');
  const decoded = pct < 0 ? path : decodeEscapes(path);
  return decoded.indexOf('/.') < 0 ? decoded : removeDotSegments(decoded);
}

/** `strip=` as a whole-segment prefix: `/p` strips `/p` and `/p/...`, never `/px`. */
export function normalizeStrip(strip: string): string {
  return strip.length > 1 && strip.endsWith('/') ? strip.slice(0, -1) : strip === '/' ? '' : strip;
}

/** Removes the segment prefix `strip` (from {@link normalizeStrip}) from `path`. */
export function stripSegments(path: string, strip: string): string {
  if (strip === '' || !path.startsWith(strip)) return path;
  if (path.length === strip.length) return '/';
  return path.charCodeAt(strip.length) === 47 ? path.slice(strip.length) : path;
}
