/**
 * The session cookie: parsing a Cookie header and writing the Set-Cookie value (HttpOnly,
 * SameSite=Strict, Path=/, Secure when served over TLS). Pure; must never log a cookie value.
 */

export const SESSION_COOKIE = 'berth_console';

/** Cookie values by name (the first of duplicates wins). */
export function parseCookies(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const name = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (name && !out.has(name)) out.set(name, value);
  }
  return out;
}

/** Set-Cookie for a session id; `maxAgeMs` 0 clears it. */
export function sessionCookie(value: string, opts: { secure: boolean; maxAgeMs?: number }): string {
  const parts = [`${SESSION_COOKIE}=${value}`, 'Path=/', 'HttpOnly', 'SameSite=Strict'];
  if (opts.secure) parts.push('Secure');
  if (opts.maxAgeMs !== undefined) parts.push(`Max-Age=${Math.floor(opts.maxAgeMs / 1000)}`);
  return parts.join('; ');
}
