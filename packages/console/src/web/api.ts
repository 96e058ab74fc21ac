/**
 * The page's calls to the console's server: JSON GETs of view models, and state-changing calls
 * carrying the session's CSRF token. The session cookie is HttpOnly: this code never sees it,
 * and no key pair is ever held here.
 */
import type { Action } from '../core/actions.js';
import type { ApiErrorBody, SessionInfo } from '../core/view-types.js';

let csrfToken = '';

/** Remembers the CSRF token of the current session (from the session answer). */
export function setCsrf(token: string): void {
  csrfToken = token;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
    readonly field: string | undefined,
  ) {
    super(message);
  }
}

/** Fired on `window` when the server says the session is gone. */
export const SIGNED_OUT = 'berth:signed-out';

async function parse<T>(res: Response): Promise<T> {
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    throw new ApiError(
      res.status,
      'BadAnswer',
      `The console answered ${res.status} without JSON.`,
      undefined,
    );
  }
  if (!res.ok) {
    const e = (body as ApiErrorBody | undefined)?.error;
    if (res.status === 401 && e?.type === 'SignedOut') window.dispatchEvent(new Event(SIGNED_OUT));
    throw new ApiError(
      res.status,
      e?.type ?? 'Error',
      e?.message ?? `HTTP ${res.status}`,
      e?.field,
    );
  }
  return body as T;
}

/**
 * A GET of the console's API. `auto` marks a fetch the page made by itself (a live update, the
 * log tail): it does not count as the person's activity for the session's idle time.
 */
export async function getJson<T>(path: string, signal?: AbortSignal, auto = false): Promise<T> {
  let res: Response;
  try {
    res = await fetch(`/api${path}`, {
      headers: { accept: 'application/json', ...(auto ? { 'x-berth-auto': '1' } : {}) },
      signal,
    });
  } catch (e) {
    if ((e as Error).name === 'AbortError') throw e;
    throw new ApiError(0, 'Offline', 'The console cannot be reached.', undefined);
  }
  return parse<T>(res);
}

export async function send<T>(method: 'POST' | 'DELETE', path: string, body?: unknown): Promise<T> {
  let res: Response;
  try {
    res = await fetch(`/api${path}`, {
      method,
      headers: {
        accept: 'application/json',
        'x-csrf-token': csrfToken,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, 'Offline', 'The console cannot be reached.', undefined);
  }
  return parse<T>(res);
}

export function signIn(accessKeyId: string, secretAccessKey: string): Promise<SessionInfo> {
  return send('POST', '/session', { accessKeyId, secretAccessKey });
}

export function act(action: Action): Promise<{ description: string; result: string }> {
  return send('POST', '/actions', { action });
}
