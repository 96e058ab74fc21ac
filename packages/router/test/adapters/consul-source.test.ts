import t from 'tap';
import Consul from 'consul';
import { startCatalog } from '@berth/catalog';
import { startRouter } from '../../src/daemon/start.js';
import { startBackend, request } from '../helpers.js';
import { eventually } from '@berth/daemon/testing';

const catalog = await startCatalog({ listen: '127.0.0.1:0' });
const consul = new Consul({ host: '127.0.0.1', port: catalog.address.port });
const web = await startBackend('web');
const api = await startBackend('api');
const router = await startRouter({
  consul: catalog.url,
  proxy: { host: '127.0.0.1', port: 0 },
  admin: { host: '127.0.0.1', port: 0 },
  staleAfter: 300,
  kvPath: 'fabio/config',
});
const port = router.proxyAddress.port;
const admin = router.adminAddress?.port ?? 0;
const warnings: string[] = [];
router.on('tagWarning', (w) => warnings.push(w.message));
t.teardown(async () => {
  await router.close();
  await catalog.close().catch(() => {});
  await web.close();
  await api.close();
});

t.test('routes follow the real catalog', async (t) => {
  await consul.agent.service.register({
    name: 'web',
    id: 'web-1',
    address: '127.0.0.1',
    port: web.port,
    tags: ['urlprefix-/web', 'urlprefix-/bad proto=tcp'],
  });
  await consul.agent.service.register({
    name: 'api',
    id: 'api-1',
    address: '127.0.0.1',
    port: api.port,
    tags: ['urlprefix-/api strip=/api'],
  });
  await eventually('routes live', async () => (await request(port, '/api/v1')).status === 200, {
    timeoutMs: 3000,
  });
  t.equal(JSON.parse((await request(port, '/web/x')).body).name, 'web');
  t.equal(JSON.parse((await request(port, '/api/v1')).body).url, '/v1');
  t.match(warnings, [/service web: tag "urlprefix-\/bad proto=tcp": proto=tcp is not supported/]);
  t.equal((await request(admin, '/health')).status, 200);
});

t.test('deregistration removes the route', async (t) => {
  const t0 = performance.now();
  await consul.agent.service.deregister('web-1');
  await eventually('the route gone', async () => (await request(port, '/web/x')).status === 404, {
    timeoutMs: 2000,
  });
  const ms = performance.now() - t0;
  // Speed is the benchmark's job (bench/router measures table update p99); here only report it.
  t.comment(`route gone after ${ms.toFixed(1)} ms`);
});

t.test('manual routes from KV', async (t) => {
  await consul.kv.set('fabio/config', `route add manual /manual http://127.0.0.1:${api.port}/`);
  await eventually(
    'the manual route served',
    async () => (await request(port, '/manual')).status === 200,
    { timeoutMs: 2000 },
  );
  t.match(JSON.parse((await request(admin, '/api/manual')).body), { text: /route add manual/ });
});

t.test('/health goes unhealthy when the catalog is gone too long', async (t) => {
  await catalog.close();
  await eventually(
    'blind router is unhealthy',
    async () => (await request(admin, '/health')).status === 503,
    { timeoutMs: 5000 },
  );
  t.equal((await request(port, '/api/v1')).status, 200, 'keeps serving the last table');
});
