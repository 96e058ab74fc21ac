import t from 'tap';
import { Counter, Health, adminHandler, createRegistry, startAdminServer } from '../src/index.js';

t.test('/health tells the truth and /metrics answers', async (t) => {
  const health = new Health();
  const registry = createRegistry('test');
  const requests = new Counter({
    name: 'berth_test_requests_total',
    help: 'x',
    registers: [registry],
  });
  requests.inc(3);
  const admin = await startAdminServer(
    { host: '127.0.0.1', port: 0 },
    adminHandler({ health, registry }),
  );
  t.teardown(() => admin.close());
  const base = `http://127.0.0.1:${admin.address.port}`;

  let res = await fetch(`${base}/health`);
  t.equal(res.status, 503, 'starting is not healthy');
  t.match(await res.json(), { status: 'starting', reasons: [] });

  health.ok();
  res = await fetch(`${base}/health`);
  t.equal(res.status, 200);
  t.match(res.headers.get('content-type'), /application\/json/);
  t.match(await res.json(), { status: 'ok' });

  health.degraded(['catalog unreachable for 12s']);
  health.setDetails({ snapshotAgeMs: 12000 });
  res = await fetch(`${base}/health`);
  t.equal(res.status, 503);
  t.match(await res.json(), {
    status: 'degraded',
    reasons: ['catalog unreachable for 12s'],
    details: { snapshotAgeMs: 12000 },
  });

  res = await fetch(`${base}/metrics`);
  t.equal(res.status, 200);
  const text = await res.text();
  t.match(text, /berth_test_requests_total\{component="test"\} 3/);
  t.match(text, /process_cpu_user_seconds_total/);

  res = await fetch(`${base}/health`, { method: 'POST' });
  t.equal(res.status, 405);
  t.equal(res.headers.get('allow'), 'GET, HEAD');
  res = await fetch(`${base}/elsewhere`);
  t.equal(res.status, 404);
  await res.text();
});

t.test('Health emits a change only when something changed', async (t) => {
  const health = new Health();
  const seen: string[] = [];
  health.on('change', (r: { status: string }) => seen.push(r.status));
  health.ok();
  health.ok();
  health.degraded(['a']);
  health.degraded(['a']);
  health.degraded(['b']);
  t.same(seen, ['ok', 'degraded', 'degraded']);
});
