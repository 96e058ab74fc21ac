/**
 * KV key validation as Consul 1.21.6+/1.22 does it (#22850): reject path traversal (`..`
 * segments, also percent-encoded), leading/trailing spaces and a leading `/`; allow
 * everything else. Pure; it never rewrites a key.
 */

function decodeAll(segment: string): string {
  let s = segment;
  for (let i = 0; i < 3; i++) {
    let next: string;
    try {
      next = decodeURIComponent(s);
    } catch {
      return s;
    }
    if (next === s) return s;
    s = next;
  }
  return s;
}

/** Why a key is invalid, or undefined when it is fine. The empty key is left to callers. */
export function kvKeyProblem(key: string): string | undefined {
  if (key === '') return undefined;
  if (key.startsWith('/')) return 'key must not begin with a "/"';
  if (key.trim() !== key) return 'key must not begin or end with spaces';
  for (const seg of key.split('/')) {
    const d = decodeAll(seg);
    if (d === '..' || d.split(/[\\/]/).includes('..')) {
      return 'key must not contain path traversal ("..") segments';
    }
  }
  return undefined;
}
