// Shared set-up for the catalog's HTTP tests: an in-process catalog on 127.0.0.1:0 and a
import { request as httpRequest } from 'node:http';
// real npm `consul` client pointed at it. Not a test file itself.
import Consul from 'consul';
import { startCatalog, type RunningCatalog, type StartCatalogOptions } from '../src/index.js';

export interface Harness {
  readonly running: RunningCatalog;
  readonly consul: Consul;
  readonly base: string;
  /** fetch against the catalog's /v1 (path starts with '/'). */
  readonly http: (path: string, init?: RequestInit) => Promise<Response>;
}

export async function harness(
  t: { teardown: (fn: () => unknown) => void },
  options: StartCatalogOptions = {},
  token?: string,
): Promise<Harness> {
  const running = await startCatalog({ listen: '127.0.0.1:0', node: 'node1', ...options });
  const consul = new Consul({
    host: '127.0.0.1',
    port: running.address.port,
    ...(token ? { defaults: { token } } : {}),
  });
  t.teardown(async () => {
    consul.destroy();
    await running.close();
  });
  const base = `${running.url}/v1`;
  return { running, consul, base, http: (path, init) => fetch(base + path, init) };
}

/** The HTTP status of a rejected node-consul call. */
export function statusOf(err: unknown): number | undefined {
  const e = err as { response?: { statusCode?: number }; statusCode?: number };
  return e.response?.statusCode ?? e.statusCode;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A request with the path sent verbatim (fetch would normalise `..` and `%2e%2e`). */
export function rawRequest(
  port: number,
  method: string,
  path: string,
  body?: string | Buffer,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: import('node:http').IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: '127.0.0.1', port, method, path, headers, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}
