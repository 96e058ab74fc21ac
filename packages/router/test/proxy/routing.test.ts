import t from 'tap';
import { startRouter } from '../../src/daemon/start.js';
import { MemoryRouteSource, snapshotOf } from '../../src/testing/index.js';
import { startBackend, request, rawRequest, type Backend } from '../helpers.js';
import { eventually } from '@berth/daemon/testing';

const backends: Backend[] = [];
const a = await startBackend('a');
const b = await startBackend('b');
const h = await startBackend('h');
backends.push(a, b, h);
const source = new MemoryRouteSource(
  snapshotOf({
    a: [{ port: a.port, tags: ['urlprefix-/a', 'urlprefix-/strip strip=/strip prepend=/pre'] }],
    b: [{ port: b.port, tags: ['urlprefix-/a/b', 'urlprefix-/hostdst host=dst'] }],
    h: [
      {
        port: h.port,
        tags: ['urlprefix-example.com/', 'urlprefix-/old redirect=301,https://new.example$path'],
      },
    ],
    sick: [{ port: h.port, tags: ['urlprefix-/sick'], status: 'critical' }],
    maint: [{ port: h.port, tags: ['urlprefix-/maint'], maintenance: true }],
  }),
);
const router = await startRouter(
  {
    proxy: { host: '127.0.0.1', port: 0 },
    admin: { host: '127.0.0.1', port: 0 },
    noRouteStatus: 404,
  },
  source,
);
const port = router.proxyAddress.port;
t.teardown(async () => {
  await router.close();
  for (const x of backends) await x.close();
});

const cases: {
  name: string;
  input: { path: string; host?: string };
  want: { status: number; backend?: string; url?: string; location?: string; body?: RegExp };
}[] = [
  {
    name: 'prefix',
    input: { path: '/a/x?q=1' },
    want: { status: 200, backend: 'a', url: '/a/x?q=1' },
  },
  {
    name: 'longest prefix',
    input: { path: '/a/b/c' },
    want: { status: 200, backend: 'b', url: '/a/b/c' },
  },
  {
    name: 'host route',
    input: { path: '/a', host: 'Example.com' },
    want: { status: 200, backend: 'h' },
  },
  {
    name: 'host with port',
    input: { path: '/z', host: 'example.com:9999' },
    want: { status: 200, backend: 'h' },
  },
  {
    name: 'strip + prepend',
    input: { path: '/strip/x?y=2' },
    want: { status: 200, backend: 'a', url: '/pre/x?y=2' },
  },
  {
    name: 'strip to root',
    input: { path: '/strip' },
    want: { status: 200, backend: 'a', url: '/pre/' },
  },
  {
    name: 'redirect keeps path and query',
    input: { path: '/old/page?x=1' },
    want: { status: 301, location: 'https://new.example/old/page?x=1' },
  },
  {
    name: 'no route',
    input: { path: '/nothing' },
    want: { status: 404, body: /^404 no route\n$/ },
  },
  {
    name: 'a route whose instances are all critical answers 503',
    input: { path: '/sick' },
    want: { status: 503, body: /no healthy instance/ },
  },
  {
    name: 'a route whose instances are all in maintenance answers 503',
    input: { path: '/maint' },
    want: { status: 503 },
  },
];

t.test('routing table-driven', async (t) => {
  for (const c of cases) {
    const res = await request(port, c.input.path, {
      headers: c.input.host ? { host: c.input.host } : {},
    });
    t.equal(res.status, c.want.status, `${c.name}: status`);
    if (c.want.backend !== undefined)
      t.equal(JSON.parse(res.body).name, c.want.backend, `${c.name}: backend`);
    if (c.want.url !== undefined) t.equal(JSON.parse(res.body).url, c.want.url, `${c.name}: url`);
    if (c.want.location !== undefined)
      t.equal(res.headers.location, c.want.location, `${c.name}: location`);
    if (c.want.body !== undefined) t.match(res.body, c.want.body, `${c.name}: body`);
  }
});

t.test('host=dst sets Host to the target', async (t) => {
  const res = await request(port, '/hostdst');
  t.equal(JSON.parse(res.body).headers.host, `127.0.0.1:${b.port}`);
});

t.test('HEAD gets no body, POST body is forwarded', async (t) => {
  const head = await request(port, '/a', { method: 'HEAD' });
  t.equal(head.status, 200);
  t.equal(head.body, '');
  const post = await request(port, '/a', { method: 'POST', body: 'hello' });
  t.equal(JSON.parse(post.body).body, 'hello');
});

t.test(
  'keep-alive: many requests on one client connection reuse one upstream socket',
  async (t) => {
    const before = a.connections;
    const reqs = Array.from({ length: 20 }, () => 'GET /a HTTP/1.1\r\nHost: x\r\n\r\n').join('');
    const out = await rawRequest(
      port,
      reqs + 'GET /a HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
    );
    t.equal(
      out.match(/HTTP\/1\.1 200 OK/g)?.length,
      21,
      'pipelined requests all answered in order',
    );
    t.ok(a.connections - before <= 1, `upstream connections opened: ${a.connections - before}`);
  },
);

t.test('table update after deregistration is live at once', async (t) => {
  t.equal((await request(port, '/a/b')).status, 200);
  const events: { removed: string[] }[] = [];
  router.on('table', (e) => events.push(e));
  const t0 = performance.now();
  source.setSnapshot(
    snapshotOf({
      a: [{ port: a.port, tags: ['urlprefix-/a'] }],
    }),
  );
  const res = await request(port, '/a/b');
  const ms = performance.now() - t0;
  t.equal(JSON.parse(res.body).name, 'a', '/a/b now falls to /a');
  t.comment(`first request after the swap answered in ${ms.toFixed(1)} ms`);
  t.ok(
    events[0]?.removed.some((l) => l.startsWith('route add b /a/b ')),
    'the diff names the removed route',
  );
  source.setSnapshot(snapshotOf({}));
  await eventually('all gone', async () => (await request(port, '/a')).status === 404);
});
