import t from 'tap';
import http from 'node:http';
import { startRouter } from '../../src/daemon/start.js';
import { MemoryRouteSource, snapshotOf } from '../../src/testing/index.js';
import { startBackend, request, deadPort, rawRequest, rawBackend } from '../helpers.js';
import { eventually } from '@berth/daemon/testing';

const ok1 = await startBackend('ok1');
const ok2 = await startBackend('ok2');
const ok3 = await startBackend('ok3');
const flaky = await startBackend('flaky', (req, res) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(503);
    res.end('busy');
  });
});
const slow = await startBackend('slow', (req, res) => {
  setTimeout(() => res.end('late'), 1500);
});
const busy = await startBackend('busy', (req, res) => {
  req.resume();
  res.writeHead(503, { 'retry-after': '3' });
  res.end('come back later');
});
// resets every request it receives, before any response byte
const resets = { hits: 0 };
const resetter = await rawBackend((sock) => {
  resets.hits++;
  sock.resetAndDestroy();
});
const resetters = await Promise.all(
  [1, 2, 3].map(() =>
    rawBackend((sock) => {
      resets.hits++;
      sock.resetAndDestroy();
    }),
  ),
);
const dead = await deadPort();
const deadA = await deadPort();
const deadB = await deadPort();
const source = new MemoryRouteSource(
  snapshotOf({
    ok: [{ port: ok1.port, tags: ['urlprefix-/r', 'urlprefix-/s', 'urlprefix-/w weight=1'] }],
    ok2: [{ port: ok2.port, tags: ['urlprefix-/w', 'v2'] }],
    ok3: [{ port: ok3.port, tags: ['urlprefix-/w', 'v3'] }],
    dead: [{ port: dead, tags: ['urlprefix-/r'] }],
    flaky: [{ port: flaky.port, tags: ['urlprefix-/s'] }],
    slow: [{ port: slow.port, tags: ['urlprefix-/slow'] }],
    // two of three instances gone at once, as when a deployment stops old tasks together
    deadA: [{ port: deadA, tags: ['urlprefix-/two-dead'] }],
    deadB: [{ port: deadB, tags: ['urlprefix-/two-dead'] }],
    live: [{ port: ok3.port, tags: ['urlprefix-/two-dead'] }],
    busy: [{ port: busy.port, tags: ['urlprefix-/busy'] }],
    reset: [{ port: resetter.port, tags: ['urlprefix-/reset-only', 'urlprefix-/reset-or-ok'] }],
    ok4: [{ port: ok1.port, tags: ['urlprefix-/reset-or-ok'] }],
    outage: resetters.map((r) => ({ port: r.port, tags: ['urlprefix-/outage'] })),
  }),
  'route weight ok2 /w weight 0.5 tags "v2"\n',
);
const router = await startRouter(
  {
    proxy: { host: '127.0.0.1', port: 0 },
    admin: null,
    ejectBase: 300,
    ejectMax: 2000,
    responseTimeout: 400,
    connectTimeout: 500,
    headerTimeout: 300,
  },
  source,
);
const port = router.proxyAddress.port;
const ejections: { target: string; ms: number }[] = [];
const retries: { reason: string }[] = [];
router.on('eject', (e) => ejections.push(e));
router.on('retry', (e) => retries.push(e));
t.teardown(async () => {
  await router.close();
  for (const x of [ok1, ok2, ok3, flaky, slow, busy, resetter, ...resetters]) await x.close();
});

const ejectedUntil = (port: number): number =>
  Math.max(
    0,
    ...(router.table?.routes ?? [])
      .flatMap((r) => r.targets)
      .filter((x) => x.port === port)
      .map((x) => x.state.ejectedUntil),
  );

t.test('retry past a dead instance and eject it with a growing time', async (t) => {
  for (let i = 0; i < 10; i++) {
    const res = await request(port, '/r');
    t.equal(res.status, 200, `request ${i}`);
  }
  const deadEjections = ejections.filter((e) => e.target.endsWith(`:${dead}`));
  t.ok(deadEjections.length >= 1, 'dead instance ejected');
  t.equal(deadEjections[0]?.ms, 300, 'first ejection is the base time');
  t.ok(
    retries.some((r) => r.reason === 'connect-error'),
    'retried after connect failure',
  );
  // after the ejection lapses, the dead one is tried again and ejected for longer
  await eventually('the ejection lapsed', () => ejectedUntil(dead) <= Date.now());
  for (let i = 0; i < 4; i++) t.equal((await request(port, '/r')).status, 200);
  const later = ejections.filter((e) => e.target.endsWith(`:${dead}`));
  t.ok(later.length >= 2, 'ejected again');
  t.equal(later[1]?.ms, 600, 'second ejection doubles');
});

t.test('two dead instances of three: the request still reaches the live one', async (t) => {
  const before = retries.length;
  const res = await request(port, '/two-dead');
  t.equal(res.status, 200);
  t.equal(JSON.parse(res.body).name, 'ok3');
  t.ok(retries.length - before <= 2, 'at most two retries, never back to a failed instance');
});

t.test('503 from an idempotent request is retried on another instance', async (t) => {
  let served = 0;
  for (let i = 0; i < 6; i++) {
    const res = await request(port, '/s');
    if (res.status === 200) served++;
  }
  t.equal(served, 6, 'every GET ends on the healthy instance');
  t.ok(retries.some((r) => r.reason === 'status 503'));
});

t.test('a request with a body is never retried', async (t) => {
  await eventually('the ejection lapsed', () => ejectedUntil(flaky.port) <= Date.now(), {
    timeoutMs: 3000,
  });
  const statuses = new Set<number>();
  for (let i = 0; i < 6; i++) {
    const res = await request(port, '/s', { method: 'POST', body: 'payload' });
    statuses.add(res.status);
  }
  t.ok(statuses.has(503), 'the 503 reaches the client for a POST');
  t.ok(flaky.hits > 0);
});

t.test('weights within tolerance over 1,200 requests', async (t) => {
  const counts: Record<string, number> = {};
  const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
  const one = () =>
    new Promise<void>((resolve, reject) => {
      http
        .get({ host: '127.0.0.1', port, path: '/w', agent }, (res) => {
          const c: Buffer[] = [];
          res.on('data', (d: Buffer) => c.push(d));
          res.on('end', () => {
            const name = JSON.parse(Buffer.concat(c).toString()).name as string;
            counts[name] = (counts[name] ?? 0) + 1;
            resolve();
          });
        })
        .on('error', reject);
    });
  for (let i = 0; i < 150; i++) await Promise.all(Array.from({ length: 8 }, one));
  agent.destroy();
  const n = 1200;
  t.ok(Math.abs((counts.ok2 ?? 0) / n - 0.5) < 0.05, `v2 gets 50%: ${JSON.stringify(counts)}`);
  t.ok(Math.abs((counts.ok1 ?? 0) / n - 0.25) < 0.05, 'others share the rest');
  t.ok(Math.abs((counts.ok3 ?? 0) / n - 0.25) < 0.05, 'others share the rest');
});

t.test('upstream response timeout gives 504', async (t) => {
  const res = await request(port, '/slow');
  t.equal(res.status, 504);
});

t.test('a slow request head gets 408 and the connection is closed', async (t) => {
  const t0 = Date.now();
  const out = await rawRequest(port, 'GET /r HTTP/1.1\r\nHost: x\r\n', 3000);
  t.match(out, /^HTTP\/1\.1 408 /);
  t.ok(Date.now() - t0 < 1500, 'within the header timeout plus one sweep');
});

t.test('malformed requests get 4xx and never crash the router', async (t) => {
  const cases: { name: string; input: string; want: RegExp }[] = [
    { name: 'garbage', input: 'hello\r\n\r\n', want: /^HTTP\/1\.1 400 / },
    { name: 'bad version', input: 'GET / HTTP/2.0\r\nHost: x\r\n\r\n', want: /^HTTP\/1\.1 505 / },
    { name: 'missing host', input: 'GET / HTTP/1.1\r\n\r\n', want: /^HTTP\/1\.1 400 / },
    {
      name: 'CL and TE',
      input:
        'POST /r HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n',
      want: /^HTTP\/1\.1 400 /,
    },
    {
      name: 'two different Content-Length',
      input: 'POST /r HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabc',
      want: /^HTTP\/1\.1 400 /,
    },
    {
      name: 'unknown transfer coding',
      input: 'POST /r HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n',
      want: /^HTTP\/1\.1 501 /,
    },
    {
      name: 'obs-fold',
      input: 'GET /r HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n',
      want: /^HTTP\/1\.1 400 /,
    },
    {
      name: 'bare LF in header',
      input: 'GET /r HTTP/1.1\r\nHost: x\nX: y\r\n\r\n',
      want: /^HTTP\/1\.1 400 /,
    },
    {
      name: 'space before colon',
      input: 'GET /r HTTP/1.1\r\nHost : x\r\n\r\n',
      want: /^HTTP\/1\.1 400 /,
    },
    {
      name: 'NUL in value',
      input: 'GET /r HTTP/1.1\r\nHost: x\r\nX: a\0b\r\n\r\n',
      want: /^HTTP\/1\.1 400 /,
    },
    {
      name: 'CONNECT',
      input: 'CONNECT a:443 HTTP/1.1\r\nHost: a\r\n\r\n',
      want: /^HTTP\/1\.1 405 /,
    },
    {
      name: 'bad chunk size',
      input: 'POST /r HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n',
      want: /^HTTP\/1\.1 400 /,
    },
    {
      name: 'oversized head',
      input: `GET /r HTTP/1.1\r\nHost: x\r\nX: ${'a'.repeat(20000)}\r\n\r\n`,
      want: /^HTTP\/1\.1 431 /,
    },
    {
      name: 'binary noise',
      input: '\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n',
      want: /^HTTP\/1\.1 400 /,
    },
  ];
  for (const c of cases) {
    const out = await rawRequest(port, c.input);
    t.match(out, c.want, c.name);
  }
  t.equal((await request(port, '/r')).status, 200, 'still serving');
});

t.test(
  'a GET reset by the backend is sent once, and its retry never goes back there',
  async (t) => {
    resets.hits = 0;
    t.equal((await request(port, '/reset-only')).status, 502, 'no other instance: 502');
    t.equal(resets.hits, 1, 'sent once, not four times');
    resets.hits = 0;
    for (let i = 0; i < 10; i++) {
      const before = resets.hits;
      t.equal((await request(port, '/reset-or-ok')).status, 200, `request ${i}`);
      t.ok(resets.hits - before <= 1, 'at most once to the resetting instance');
    }
  },
);

t.test('a POST reset by the backend is never resent', async (t) => {
  resets.hits = 0;
  t.equal((await request(port, '/reset-only', { method: 'POST', body: 'x' })).status, 502);
  t.equal(resets.hits, 1);
});

t.test('a 503 with Retry-After is passed on and ejects nobody', async (t) => {
  const before = ejections.length;
  const res = await request(port, '/busy');
  t.equal(res.status, 503);
  t.equal(res.headers['retry-after'], '3');
  t.equal(res.body, 'come back later');
  t.equal(ejections.length, before, 'an application saying "later" is not a failure');
});

t.test('retries cannot amplify an outage (per-route retry budget)', async (t) => {
  resets.hits = 0;
  const n = 100;
  for (let i = 0; i < n; i++) t.equal((await request(port, '/outage')).status, 502);
  // at most 20% extra plus the floor of 10 per window; without a budget: 4 per request
  t.ok(resets.hits <= n * 1.2 + 10, `${resets.hits} upstream attempts for ${n} requests`);
});
