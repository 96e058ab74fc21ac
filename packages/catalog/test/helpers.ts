// Shared set-up for the catalog's HTTP tests: an in-process catalog on 127.0.0.1:0, a real npm
// `consul` client pointed at it, and runners for the other real clients (Debian's
// python3-consul 0.7.1, curl). Not a test file itself.
import { execFile } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { eventually } from '@berth/daemon/testing';
import Consul from 'consul';
import {
  startTestCatalog,
  type RunningCatalog,
  type StartCatalogOptions,
} from '../src/testing/index.js';

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
  const running = await startTestCatalog(options);
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

/** The body of a rejected node-consul call (papi keeps only short texts as the message). */
export function bodyOf(err: unknown): unknown {
  return (err as { response?: { body?: unknown } }).response?.body;
}

/** The HTTP status of a rejected node-consul call. */
export function statusOf(err: unknown): number | undefined {
  const e = err as { response?: { statusCode?: number }; statusCode?: number };
  return e.response?.statusCode ?? e.statusCode;
}

/** The Debian interpreter: the first python3 on PATH may lack the consul module. */
export const PYTHON = '/usr/bin/python3';

/** Environment for client processes: loopback only, no inherited Consul settings. */
function clientEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, PYTHONDONTWRITEBYTECODE: '1' };
  for (const k of ['HTTP_PROXY', 'HTTPS_PROXY', 'http_proxy', 'https_proxy', 'ALL_PROXY']) {
    delete env[k];
  }
  for (const k of ['CONSUL_HTTP_TOKEN', 'CONSUL_HTTP_SSL', 'CONSUL_HTTP_SSL_VERIFY']) delete env[k];
  env.NO_PROXY = env.no_proxy = '127.0.0.1,localhost';
  return { ...env, ...extra };
}

/**
 * Runs python3-consul code against a catalog: `c` is `consul.Consul()` on `CONSUL_HTTP_ADDR`;
 * the code assigns `out`, which comes back as parsed JSON. A Python exception comes back as
 * `{ error: <class name>, message }`.
 */
export function python(
  running: RunningCatalog,
  code: string,
  env: Record<string, string> = {},
): Promise<unknown> {
  const addr = `${running.address.address}:${running.address.port}`;
  const script = [
    'import json, consul',
    'c = consul.Consul()',
    'out = None',
    'try:',
    ...code.split('\n').map((l) => `    ${l}`),
    'except Exception as e:',
    '    out = {"error": type(e).__name__, "message": str(e)}',
    'print(json.dumps(out, default=lambda b: b.decode() if isinstance(b, bytes) else str(b)))',
  ].join('\n');
  return new Promise((resolve, reject) => {
    execFile(
      PYTHON,
      ['-c', script],
      { env: clientEnv({ CONSUL_HTTP_ADDR: addr, ...env }), timeout: 60_000 },
      (err, stdout, stderr) => {
        if (err) return reject(new Error(`python failed: ${err.message}\n${stderr}`));
        const last = stdout.trim().split('\n').pop() ?? 'null';
        resolve(JSON.parse(last) as unknown);
      },
    );
  });
}

/** Runs curl (`-s`, plus `args`); resolves with the status code and the body. */
export function curl(url: string, args: string[] = []): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    execFile(
      'curl',
      ['-s', '-w', '\n%{http_code}', ...args, url],
      { env: clientEnv({}), timeout: 30_000 },
      (err, stdout) => {
        if (err) return reject(err);
        const at = stdout.lastIndexOf('\n');
        resolve({ status: Number(stdout.slice(at + 1)), body: stdout.slice(0, at) });
      },
    );
  });
}

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

/** Resolves once at least `n` queries are blocked in the catalog's watch hub. */
export async function blockedQueries(running: RunningCatalog, n = 1): Promise<void> {
  await eventually(`${n} blocked queries`, () => running.catalog.hub.size >= n, {
    timeoutMs: 10_000,
  });
}
