// Blocking queries (consul-api.md §3): index rules, wait/timeout, deletes raise the index,
// output-only check updates do not wake watchers, many idle watchers cost no polling.
import { Agent, request } from 'node:http';
import t from 'tap';
import { harness, sleep } from './helpers.js';

const index = (r: Response): number => Number(r.headers.get('x-consul-index'));

t.test('a blocked kv read returns on a write with a higher index', async (t) => {
  const { http } = await harness(t);
  await http('/kv/w', { method: 'PUT', body: '1' });
  const first = await http('/kv/w');
  const idx = index(first);
  t.ok(idx >= 1);
  t.equal(first.headers.get('x-consul-knownleader'), 'true');
  t.equal(first.headers.get('x-consul-lastcontact'), '0');
  const started = Date.now();
  const pending = http(`/kv/w?index=${idx}&wait=5s`);
  await sleep(150);
  await http('/kv/other', { method: 'PUT', body: 'x' });
  await sleep(100);
  await http('/kv/w', { method: 'PUT', body: '2' });
  const r = await pending;
  const waited = Date.now() - started;
  t.ok(waited >= 240 && waited < 3000, `woke on the write of its key (${waited} ms)`);
  t.ok(index(r) > idx);
  t.equal(((await r.json()) as { Value: string }[])[0]?.Value, Buffer.from('2').toString('base64'));
});

t.test('wait timeout returns the current result; small waits honoured', async (t) => {
  const { http } = await harness(t);
  await http('/kv/w', { method: 'PUT', body: '1' });
  const idx = index(await http('/kv/w'));
  const cases = [
    { name: '20ms', input: '20ms', min: 20, max: 600 },
    { name: '300ms', input: '300ms', min: 300, max: 1000 },
    { name: '1ms', input: '1ms', min: 0, max: 500 },
  ];
  for (const c of cases) {
    const t0 = Date.now();
    const r = await http(`/kv/w?index=${idx}&wait=${c.input}`);
    const ms = Date.now() - t0;
    t.equal(index(r), idx, `${c.name}: same index after the timeout`);
    t.ok(ms >= c.min && ms < c.max, `${c.name}: waited ${ms} ms`);
  }
  const bad = [
    { name: 'bad wait', input: '?index=1&wait=soon', want: 'Invalid wait time' },
    { name: 'bad index', input: '?index=abc', want: 'Invalid index' },
  ];
  for (const c of bad) {
    const r = await http(`/kv/w${c.input}`);
    t.equal(r.status, 400, c.name);
    t.equal(await r.text(), c.want, c.name);
  }
  const t0 = Date.now();
  const future = await http(`/kv/w?index=${idx + 1000}&wait=5s`);
  t.ok(
    Date.now() - t0 < 1000,
    'unseeded memory-only: an index ahead of the store answers at once (store reset)',
  );
  t.ok(index(future) <= idx);
});

t.test('node-consul watch sees set/set/set/delete in order (acceptance watch.js)', async (t) => {
  const { consul } = await harness(t);
  const seen: (string | undefined)[] = [];
  const watch = consul.watch({
    method: consul.kv.get,
    options: { key: 'watched', wait: '2s' } as never,
  });
  t.teardown(() => watch.end());
  const changed = (n: number) =>
    new Promise<void>((resolve, reject) => {
      const check = (): void => {
        if (seen.length >= n) resolve();
        else setTimeout(check, 10);
      };
      watch.on('error', reject);
      check();
    });
  watch.on('change', (data: { Value?: string } | undefined) => seen.push(data?.Value));
  await changed(1);
  for (const [i, v] of ['1', '2', '3'].entries()) {
    await consul.kv.set('watched', v);
    await changed(i + 2);
  }
  await consul.kv.del('watched');
  await changed(5);
  await sleep(200);
  t.same(
    seen,
    [undefined, '1', '2', '3', undefined],
    'no extra change: the delete raised the index',
  );
});

t.test('output-only TTL updates do not wake health watchers; status changes do', async (t) => {
  const { consul, http } = await harness(t);
  await consul.agent.service.register({
    name: 'web',
    id: 'web1',
    port: 80,
    check: { ttl: '30s' },
  } as never);
  await consul.agent.check.pass({ id: 'service:web1', note: 'beat 1' });
  const idx = index(await http('/health/service/web'));
  const t0 = Date.now();
  const blocked = http(`/health/service/web?index=${idx}&wait=600ms`);
  await sleep(100);
  await consul.agent.check.pass({ id: 'service:web1', note: 'beat 2' });
  const r = await blocked;
  t.ok(Date.now() - t0 >= 550, 'not woken by a heartbeat with the same status');
  t.equal(index(r), idx, 'index unchanged by output-only updates');
  const checks = await consul.agent.check.list();
  t.equal(
    (checks as Record<string, { Output: string }>)['service:web1']?.Output,
    'beat 2',
    'output stored',
  );
  const woke = http(`/health/service/web?index=${idx}&wait=5s`);
  await sleep(50);
  await consul.agent.check.warn({ id: 'service:web1', note: 'slow' });
  const w = await woke;
  t.ok(index(w) > idx, 'a status change wakes the watcher');
});

t.test('2,000 idle blocked watchers, then one write answers all', async (t) => {
  const { http, running } = await harness(t);
  await http('/kv/hot', { method: 'PUT', body: '1' });
  const idx = index(await http('/kv/hot'));
  const agent = new Agent({ keepAlive: false, maxSockets: Infinity });
  t.teardown(() => agent.destroy());
  const N = 2000;
  const done: Promise<number>[] = [];
  for (let i = 0; i < N; i++) {
    done.push(
      new Promise<number>((resolve, reject) => {
        const req = request(
          {
            host: '127.0.0.1',
            port: running.address.port,
            path: `/v1/kv/hot?index=${idx}&wait=30s`,
            agent,
          },
          (res) => {
            res.resume();
            res.on('end', () => resolve(Number(res.headers['x-consul-index'])));
          },
        );
        req.on('error', reject);
        req.end();
      }),
    );
  }
  const deadline = Date.now() + 10_000;
  while (running.catalog.hub.size < N && Date.now() < deadline) await sleep(20);
  t.equal(running.catalog.hub.size, N, 'all watchers blocked');
  const metrics = await (await fetch(`${running.url}/metrics`)).text();
  t.match(metrics, new RegExp(`berth_catalog_blocking_queries\\{[^}]*\\} ${N}`));
  const cpu0 = process.cpuUsage();
  await sleep(300);
  const idleCpuMs = (process.cpuUsage(cpu0).user + process.cpuUsage(cpu0).system) / 1000;
  t.ok(idleCpuMs < 150, `idle watchers cost no polling (${idleCpuMs.toFixed(1)} ms CPU in 300 ms)`);
  const t0 = Date.now();
  await http('/kv/hot', { method: 'PUT', body: '2' });
  const indexes = await Promise.all(done);
  t.ok(
    indexes.every((i) => i > idx),
    `all ${N} answered in ${Date.now() - t0} ms`,
  );
  t.equal(running.catalog.hub.size, 0);
});
