import t from 'tap';
import { startRouter } from '../../src/daemon/start.js';
import { MemoryRouteSource, snapshotOf } from '../../src/testing/index.js';
import { startBackend, request } from '../helpers.js';

const catchAll = await startBackend('catch-all');
const hc = await startBackend('hc');
const source = new MemoryRouteSource(
  snapshotOf({
    all: [{ port: catchAll.port, tags: ['urlprefix-/'] }],
    hc: [
      { port: hc.port, tags: ['urlprefix-/hc'], status: 'critical' },
      { port: hc.port + 1, tags: ['urlprefix-/hc'], maintenance: true },
    ],
  }),
);
const router = await startRouter({ proxy: { host: '127.0.0.1', port: 0 }, admin: null }, source);
t.teardown(async () => {
  await router.close();
  await catchAll.close();
  await hc.close();
});

t.test(
  'a route whose instances are all unhealthy answers 503, never a shorter prefix',
  async (t) => {
    const res = await request(router.proxyAddress.port, '/hc/secret', {
      method: 'POST',
      body: 'secret body',
    });
    t.equal(res.status, 503);
    t.equal(res.headers['retry-after'], '5');
    t.equal(catchAll.hits, 0, 'the catch-all service saw nothing');
    t.equal(hc.hits, 0);
    t.match(
      router.table?.lines,
      [
        /^route add all /,
        /^route add hc \/hc http:\/\/127\.0\.0\.1:\d+\/ opts "status=critical"$/,
        /status=maintenance/,
      ],
      'the table keeps the route, marked',
    );
  },
);

t.test('the route comes back when an instance passes again', async (t) => {
  source.setSnapshot(
    snapshotOf({
      all: [{ port: catchAll.port, tags: ['urlprefix-/'] }],
      hc: [
        { port: hc.port, tags: ['urlprefix-/hc'] },
        { port: hc.port + 1, tags: ['urlprefix-/hc'], status: 'critical' },
      ],
    }),
  );
  const res = await request(router.proxyAddress.port, '/hc/x');
  t.equal(res.status, 200);
  t.equal(JSON.parse(res.body).name, 'hc');
  t.notMatch(router.table?.lines.join('\n'), /status=/, 'no marker while one instance passes');
});
