/**
 * Starts berth's own catalog in-process for tests (a real Consul-compatible HTTP server on
 * loopback), plus small helpers to wait for conditions.
 */
import { startCatalog } from '@berth/catalog';

export interface TestCatalog {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Start a catalog on 127.0.0.1 (`port` 0: any free port). */
export async function testCatalog(port = 0, dataDir?: string): Promise<TestCatalog> {
  const c = await startCatalog({ listen: `127.0.0.1:${port}`, ...(dataDir ? { dataDir } : {}) });
  const u = new URL(c.url);
  return { url: c.url, port: Number(u.port), close: () => c.close() };
}

/** Poll `cond` every 5 ms until it holds or `ms` pass. */
export async function until(cond: () => boolean, ms = 3000, what = 'condition'): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

export const delay = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
