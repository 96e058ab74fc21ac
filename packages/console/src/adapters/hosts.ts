/**
 * The per-host daemons the console reads besides the scheduler: an agent's introspection
 * (`/v1/tasks/<id>/logs`) and a router's admin (`/api/routes`, `/metrics`), over plain HTTP
 * with a bound on time and size. Read-only; must never send anything but GETs.
 */
import type { RouterTable } from '../core/service-view.js';

const MAX_BYTES = 4 * 1024 * 1024;

/** A GET with a deadline; throws with a message naming the URL. */
export async function getText(
  url: string,
  timeoutMs = 3000,
): Promise<{ status: number; text: string }> {
  let res: Response;
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  } catch (e) {
    const cause = (e as { cause?: { code?: string } }).cause?.code;
    throw new Error(`${url} unreachable: ${cause ?? (e as Error).message}`, { cause: e });
  }
  const text = await res.text();
  return { status: res.status, text: text.length > MAX_BYTES ? text.slice(-MAX_BYTES) : text };
}

/** The introspection URL of the agent on `ip`. */
export function agentUrl(ip: string, port: number): string {
  return `http://${ip.includes(':') ? `[${ip}]` : ip}:${port}`;
}

/** The last `tail` lines of a task container's logs, through the agent of its host. */
export async function agentLogs(
  agent: string,
  taskId: string,
  container: string | undefined,
  tail: number,
): Promise<{ status: number; text: string }> {
  const q = new URLSearchParams({ tail: String(tail) });
  if (container) q.set('container', container);
  return getText(`${agent}/v1/tasks/${encodeURIComponent(taskId)}/logs?${q}`, 5000);
}

/** A router's table; the error instead when it does not answer. */
export async function routerTable(
  admin: string,
): Promise<RouterTable & { error: string | undefined }> {
  try {
    const r = await getText(`${admin}/api/routes`);
    if (r.status !== 200) return { router: admin, routes: [], error: `HTTP ${r.status}` };
    const routes = JSON.parse(r.text) as RouterTable['routes'];
    return { router: admin, routes: Array.isArray(routes) ? routes : [], error: undefined };
  } catch (e) {
    return { router: admin, routes: [], error: (e as Error).message };
  }
}

/** A router's `/metrics` text, undefined when it does not answer. */
export async function routerMetrics(admin: string): Promise<string | undefined> {
  try {
    const r = await getText(`${admin}/metrics`);
    return r.status === 200 ? r.text : undefined;
  } catch {
    return undefined;
  }
}
