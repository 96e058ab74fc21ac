// Issue 3 follow-up, point 3 (memory-only index seeding, consul-api.md §3). The choice:
// - `berth catalog` seeds an empty store's index from the clock (µs) by default, so a
//   memory-only restart never moves indexes backwards, and then blocks like Consul when a
//   client asks for an index ahead of the store;
// - `startCatalog` keeps indexes from 1 unless `seedIndex` is set (other packages' tests rely on
//   a restart resetting them), and an unseeded memory-only store answers an index ahead of it
//   at once, because a client ahead of it comes from before a restart and would otherwise
//   stall for a whole wait (conformance-blocking.test.ts keeps asserting that).
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Consul from 'consul';
import t from 'tap';
import { startCatalog } from '../src/index.js';
import { eventually } from '@berth/daemon/testing';
import { blockedQueries, harness } from './helpers.js';

const MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url));
const index = (r: Response): number => Number(r.headers.get('x-consul-index'));

/** fetch that retries once: a pooled socket to the closed first catalog may be reused. */
async function get(url: string): Promise<Response> {
  try {
    return await fetch(url);
  } catch {
    return fetch(url);
  }
}

t.test('a seeded store starts at the clock and a restart does not go backwards', async (t) => {
  const t0 = Date.now() * 1000;
  const first = await startCatalog({ listen: '127.0.0.1:0', node: 'n1', seedIndex: true });
  const port = first.address.port;
  await fetch(`${first.url}/v1/kv/a`, { method: 'PUT', body: '1' });
  const before = index(await fetch(`${first.url}/v1/kv/a`));
  const missing = await fetch(`${first.url}/v1/kv/nothing-here`);
  t.equal(missing.status, 404);
  t.ok(index(missing) >= t0, `even a 404 reports a seeded index (${index(missing)} ≥ ${t0})`);
  t.ok(before > t0, 'writes continue above the seed');
  await first.close();
  const second = await startCatalog({ listen: `127.0.0.1:${port}`, node: 'n1', seedIndex: true });
  t.teardown(() => second.close());
  const cases = [
    { name: 'missing key', input: '/v1/kv/a' },
    { name: 'catalog services', input: '/v1/catalog/services' },
    { name: 'health of a service', input: '/v1/health/service/consul' },
    { name: 'kv prefix', input: '/v1/kv/?recurse' },
  ];
  for (const c of cases) {
    const r = await get(`${second.url}${c.input}`);
    t.ok(index(r) > before, `${c.name}: ${index(r)} > ${before} after the restart`);
  }
});

t.test('seeded or durable: an index ahead of the store blocks until the wait', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'berth-catalog-seed-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const cases = [
    { name: 'seeded memory-only', input: { seedIndex: true } },
    { name: 'data dir', input: { dataDir: dir } },
  ];
  for (const c of cases) {
    const { http, running } = await harness(t, c.input);
    await http('/kv/k', { method: 'PUT', body: 'x' });
    const idx = index(await http('/kv/k'));
    const t0 = Date.now();
    const r = await http(`/kv/k?index=${idx + 1000}&wait=400ms`);
    const ms = Date.now() - t0;
    t.ok(ms >= 380, `${c.name}: blocked ${ms} ms as Consul does`);
    t.equal(index(r), idx, `${c.name}: then answers with the current index`);
    const woke = http(`/kv/k?index=${idx}&wait=5s`);
    await blockedQueries(running);
    await http('/kv/k', { method: 'PUT', body: 'y' });
    t.ok(index(await woke) > idx, `${c.name}: a write still wakes a blocked query`);
  }
});

t.test('node-consul watch across a seeded memory-only restart: no stall, no reset', async (t) => {
  const first = await startCatalog({ listen: '127.0.0.1:0', node: 'n1', seedIndex: true });
  const port = first.address.port;
  const consul = new Consul({ host: '127.0.0.1', port });
  const seen: (string | undefined)[] = [];
  const indexes: bigint[] = [];
  const watch = consul.watch({
    method: consul.kv.get,
    options: { key: 'w', wait: '20s' } as never,
    backoffFactor: 20,
  } as never);
  watch.on(
    'change',
    (data: { Value?: string } | undefined, res: { headers: Record<string, string> }) => {
      seen.push(data?.Value);
      indexes.push(BigInt(res.headers['x-consul-index'] ?? '0'));
    },
  );
  watch.on('error', () => undefined);
  const restarted: { catalog?: Awaited<ReturnType<typeof startCatalog>> } = {};
  t.teardown(async () => {
    watch.end();
    consul.destroy();
    await restarted.catalog?.close();
  });
  const until = async (n: number, ms: number): Promise<number> => {
    const t0 = Date.now();
    await eventually(`${n} changes`, () => seen.length >= n, { timeoutMs: ms, intervalMs: 10 });
    return Date.now() - t0;
  };
  await until(1, 3000);
  await consul.kv.set('w', 'before');
  await until(2, 3000);
  await first.close();
  const second = await startCatalog({ listen: `127.0.0.1:${port}`, node: 'n1', seedIndex: true });
  restarted.catalog = second;
  await fetch(`${second.url}/v1/kv/w`, {
    method: 'PUT',
    body: 'after',
    headers: { connection: 'close' },
  });
  const ms = await until(3, 8000);
  t.same(seen, [undefined, 'before', 'after'], 'the value written after the restart arrives');
  t.ok(ms < 5000, `within ${ms} ms, not after the 20 s wait`);
  const [, b, a] = indexes;
  t.ok(b !== undefined && a !== undefined && a > b, 'the index kept growing across the restart');
});

function daemonIndex(args: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [MAIN, '--listen', '127.0.0.1:0', ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`no start:\n${out}`));
    }, 15_000);
    const onData = (c: Buffer): void => {
      out += c.toString();
      const m = /"url":"(http:\/\/127\.0\.0\.1:\d+)"/.exec(out);
      if (!m) return;
      proc.stdout?.off('data', onData);
      fetch(`${m[1]}/v1/kv/x`)
        .then((r) => resolve(index(r)), reject)
        .finally(() => {
          clearTimeout(timer);
          proc.kill('SIGKILL');
        });
    };
    proc.stdout?.on('data', onData);
    proc.stderr?.on('data', (c: Buffer) => (out += c.toString()));
  });
}

t.test('the berth catalog daemon seeds by default; --no-seed-index starts at 1', async (t) => {
  const floor = Date.now() * 1000;
  const cases = [
    { name: 'default', input: [] as string[], want: (i: number) => i >= floor },
    { name: '--no-seed-index', input: ['--no-seed-index'], want: (i: number) => i < 1000 },
  ];
  for (const c of cases) {
    const i = await daemonIndex(c.input);
    t.ok(c.want(i), `${c.name}: X-Consul-Index ${i}`);
  }
});
