import t from 'tap';
import { startRouter } from '../../src/daemon/start.js';
import { MemoryRouteSource, snapshotOf } from '../../src/testing/index.js';
import { startBackend, request } from '../helpers.js';
import { eventually } from '@berth/daemon/testing';

const web = await startBackend('web');
const source = new MemoryRouteSource();
const router = await startRouter(
  {
    proxy: { host: '127.0.0.1', port: 0 },
    admin: { host: '127.0.0.1', port: 0 },
    staleAfter: 200,
  },
  source,
);
const admin = router.adminAddress?.port ?? 0;
const port = router.proxyAddress.port;
t.teardown(async () => {
  await router.close();
  await web.close();
});

t.test('/health is starting until the first table, then ok', async (t) => {
  t.equal((await request(admin, '/health')).status, 503, 'no table yet');
  t.match(JSON.parse((await request(admin, '/health')).body), { status: 'starting' });
  source.setSnapshot(
    snapshotOf({ web: [{ port: web.port, tags: ['urlprefix-/web', 'urlprefix-/bad strip=x'] }] }),
  );
  const res = await request(admin, '/health');
  t.equal(res.status, 200);
  t.match(JSON.parse(res.body), { status: 'ok', details: { routes: 1 } });
});

t.test('admin pages', async (t) => {
  const routes = JSON.parse((await request(admin, '/api/routes')).body);
  t.match(routes, [
    { src: '/web', targets: [{ service: 'web', dst: `http://127.0.0.1:${web.port}/`, weight: 1 }] },
  ]);
  const text = (await request(admin, '/api/routes?format=text')).body;
  t.equal(text, `route add web /web http://127.0.0.1:${web.port}/\n`);
  const html = await request(admin, '/routes');
  t.match(html.headers['content-type'], /text\/html/);
  t.match(html.body, /<td>\/web<\/td>/);
  t.same(JSON.parse((await request(admin, '/api/manual')).body), {
    path: 'fabio/config',
    text: '',
  });
  await request(port, '/web');
  await request(port, '/nothing');
  const metrics = (await request(admin, '/metrics')).body;
  t.match(metrics, /berth_router_requests_total\{route="\/web",status="200"[^}]*\} 1/);
  t.match(metrics, /berth_router_requests_total\{route="",status="404"[^}]*\} 1/);
  t.match(metrics, /berth_router_upstream_seconds_bucket\{le="[0-9.]+",[^}]*route="\/web"\} 1/);
  t.match(metrics, /berth_router_routes\{[^}]*\} 1/);
  t.match(metrics, /berth_router_bad_tags\{[^}]*\} 1/);
  t.equal((await request(admin, '/api/routes', { method: 'POST' })).status, 405);
  t.equal((await request(admin, '/nope')).status, 404);
});

t.test(
  'manual overrides from KV text apply on top; a bad text keeps the last good one',
  async (t) => {
    const errors: string[] = [];
    router.on('manualError', (e) => errors.push(e.message));
    source.setManual(
      `route add extra /extra http://127.0.0.1:${web.port}/ opts "strip=/extra"\nroute del web /web`,
    );
    t.equal((await request(port, '/web')).status, 404, 'route del applied');
    t.equal(JSON.parse((await request(port, '/extra/x')).body).url, '/x', 'route add applied');
    source.setManual('route frobnicate');
    t.match(errors[0], /unknown command/);
    t.equal(JSON.parse((await request(port, '/extra/y')).body).url, '/y', 'old overrides stay');
    t.match(JSON.parse((await request(admin, '/api/manual')).body), { error: /unknown command/ });
    source.setManual('');
    t.equal((await request(port, '/web')).status, 200, 'overrides removed');
  },
);

t.test('/health turns unhealthy when the catalog is gone too long, and back', async (t) => {
  source.fail(new Error('connection refused'));
  t.equal((await request(admin, '/health')).status, 200, 'a short blip is fine');
  await eventually('stale -> 503', async () => (await request(admin, '/health')).status === 503, {
    timeoutMs: 2000,
  });
  t.match(JSON.parse((await request(admin, '/health')).body), {
    status: 'degraded',
    reasons: [/catalog unreachable/],
  });
  t.equal((await request(port, '/web')).status, 200, 'still routing on the last table');
  source.recover();
  t.equal((await request(admin, '/health')).status, 200, 'fresh again');
});

t.test('/health is not ok with zero routes unless --allow-empty', async (t) => {
  const empty = new MemoryRouteSource(snapshotOf({}));
  const strict = await startRouter(
    { proxy: { host: '127.0.0.1', port: 0 }, admin: { host: '127.0.0.1', port: 0 } },
    empty,
  );
  const relaxed = await startRouter(
    {
      proxy: { host: '127.0.0.1', port: 0 },
      admin: { host: '127.0.0.1', port: 0 },
      allowEmpty: true,
    },
    new MemoryRouteSource(snapshotOf({})),
  );
  t.teardown(async () => {
    await strict.close();
    await relaxed.close();
  });
  const res = await request(strict.adminAddress?.port ?? 0, '/health');
  t.equal(res.status, 503, 'an empty catalog is not a healthy router');
  t.match(JSON.parse(res.body), { status: 'degraded', reasons: [/no routes/] });
  t.equal((await request(relaxed.adminAddress?.port ?? 0, '/health')).status, 200, '--allow-empty');
  empty.setSnapshot(snapshotOf({ web: [{ port: web.port, tags: ['urlprefix-/web'] }] }));
  t.equal((await request(strict.adminAddress?.port ?? 0, '/health')).status, 200, 'routes: ok');
  empty.setSnapshot(snapshotOf({}));
  t.equal((await request(strict.adminAddress?.port ?? 0, '/health')).status, 503, 'empty again');
});
