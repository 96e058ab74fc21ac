// Blocking queries (consul-api.md §3): index rules, wait/timeout, deletes raise the index,
// output-only check updates do not wake watchers, many idle watchers cost no polling.
import { Agent, request } from 'node:http';
import t from 'tap';
import { eventually, stays } from '@berth/daemon/testing';
import { blockedQueries, harness } from './helpers.js';

const index = (r: Response): number => Number(r.headers.get('x-consul-index'));

t.test('a blocked kv read returns on a write with a higher index', async (t) => {
  const { http, running } = await harness(t);
  await http('/kv/w', { method: 'PUT', body: '1' });
  const first = await http('/kv/w');
  const idx = index(first);
  t.ok(idx >= 1);
  t.equal(first.headers.get('x-consul-knownleader'), 'true');
  t.equal(first.headers.get('x-consul-lastcontact'), '0');
  let answered = false;
  const pending = http(`/kv/w?index=${idx}&wait=5s`).then((r) => {
    answered = true;
    return r;
  });
  await blockedQueries(running);
  await http('/kv/other', { method: 'PUT', body: 'x' });
  await running.catalog.hub.settled();
  await stays('a write of another key does not answer the query', () => !answered);
  await http('/kv/w', { method: 'PUT', body: '2' });
  const r = await pending;
  t.ok(index(r) > idx, 'woke on the write of its key');
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
  const errors: unknown[] = [];
  watch.on('error', (err: unknown) => errors.push(err));
  const changed = (n: number) =>
    eventually(`${n} changes`, () => {
      if (errors.length > 0) throw errors[0];
      return seen.length >= n;
    });
  watch.on('change', (data: { Value?: string } | undefined) => seen.push(data?.Value));
  await changed(1);
  for (const [i, v] of ['1', '2', '3'].entries()) {
    await consul.kv.set('watched', v);
    await changed(i + 2);
  }
  await consul.kv.del('watched');
  await changed(5);
  await stays('no sixth change', () => seen.length === 5);
  t.same(
    seen,
    [undefined, '1', '2', '3', undefined],
    'no extra change: the delete raised the index',
  );
});

t.test('output-only TTL updates do not wake health watchers; status changes do', async (t) => {
  const { consul, http, running } = await harness(t);
  await consul.agent.service.register({
    name: 'web',
    id: 'web1',
    port: 80,
    check: { ttl: '30s' },
  } as never);
  await consul.agent.check.pass({ id: 'service:web1', note: 'beat 1' });
  const idx = index(await http('/health/service/web'));
  let answered = false;
  const blocked = http(`/health/service/web?index=${idx}&wait=5s`).then((r) => {
    answered = true;
    return r;
  });
  await blockedQueries(running);
  await consul.agent.check.pass({ id: 'service:web1', note: 'beat 2' });
  await running.catalog.hub.settled();
  await stays('not woken by a heartbeat with the same status', () => !answered);
  t.equal(index(await http('/health/service/web')), idx, 'index unchanged by output-only updates');
  const checks = await consul.agent.check.list();
  t.equal(
    (checks as Record<string, { Output: string }>)['service:web1']?.Output,
    'beat 2',
    'output stored',
  );
  await consul.agent.check.warn({ id: 'service:web1', note: 'slow' });
  const w = await blocked;
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
  await blockedQueries(running, N);
  t.equal(running.catalog.hub.size, N, 'all watchers blocked');
  const metrics = await (await fetch(`${running.url}/metrics`)).text();
  t.match(metrics, new RegExp(`berth_catalog_blocking_queries\\{[^}]*\\} ${N}`));
  // No polling: while idle, the watchers stay blocked and nothing re-evaluates them.
  await stays(
    'idle watchers stay blocked',
    () => running.catalog.hub.size === N && !running.catalog.hub.busy,
  );
  const t0 = Date.now();
  await http('/kv/hot', { method: 'PUT', body: '2' });
  const indexes = await Promise.all(done);
  t.ok(
    indexes.every((i) => i > idx),
    `all ${N} answered in ${Date.now() - t0} ms`,
  );
  t.equal(running.catalog.hub.size, 0);
});
