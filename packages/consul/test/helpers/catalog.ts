/**
 * Starts berth's own catalog in-process for tests (a real Consul-compatible HTTP server on
 * loopback).
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
