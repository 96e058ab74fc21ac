// CheckRunner scheduling against real local servers: first-run stagger, minimum interval,
// no overlapping runs, reporting only changes, TTL expiry, remove/replace/close, validation.
import diagnostics_channel from 'node:diagnostics_channel';
import http from 'node:http';
import net from 'node:net';
import { sleep } from '@berth/daemon';
import { eventually, stays } from '@berth/daemon/testing';
import t from 'tap';
import type { Test } from 'tap';
import { CHECKS_CHANNEL, CheckError, CheckRunner } from '../src/adapters/checks/index.js';
import type { CheckResult, CheckSpec } from '../src/adapters/checks/index.js';

interface Hit {
  at: number;
  url: string;
}

/** A real HTTP server: `reply` decides status, body and delay per request. */
async function server(
  t: Test,
  reply: (n: number, url: string) => { code: number; body: string; delayMs?: number },
): Promise<{ base: string; hits: Hit[]; maxInFlight: () => number }> {
  const hits: Hit[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const srv = http.createServer((req, res) => {
    const url = req.url ?? '';
    hits.push({ at: Date.now(), url });
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    const r = reply(hits.length, url);
    const send = (): void => {
      inFlight--;
      res.statusCode = r.code;
      res.end(r.body);
    };
    res.on('close', () => {
      if (!res.writableEnded) inFlight--;
    });
    if (r.delayMs === undefined) send();
    else setTimeout(send, r.delayMs);
  });
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const addr = srv.address() as net.AddressInfo;
  t.teardown(() => {
    srv.closeAllConnections();
    srv.close();
  });
  return { base: `http://127.0.0.1:${addr.port}`, hits, maxInFlight: () => maxInFlight };
}

function runner(
  t: Test,
  opts: { random?: () => number; minIntervalMs?: number } = {},
): { runner: CheckRunner; results: (CheckResult & { at: number })[] } {
  const results: (CheckResult & { at: number })[] = [];
  const r = new CheckRunner((res) => results.push({ ...res, at: Date.now() }), opts);
  t.teardown(() => r.close());
  return { runner: r, results };
}

function httpSpec(id: string, url: string, intervalMs: number, over: Partial<CheckSpec> = {}) {
  return {
    checkId: id,
    kind: 'http',
    http: url,
    intervalMs,
    timeoutMs: 0,
    ttlMs: 0,
    ...over,
  } as const;
}

async function until(cond: () => boolean, ms = 3000): Promise<void> {
  await eventually('condition', cond, { timeoutMs: ms, intervalMs: 10 });
}

t.test('first run after random() * interval, then every interval', async (t) => {
  const srv = await server(t, () => ({ code: 200, body: 'ok' }));
  const { runner: r, results } = runner(t, { random: () => 0.3, minIntervalMs: 10 });
  const started = Date.now();
  r.add(httpSpec('web', `${srv.base}/h`, 1000));
  await until(() => srv.hits.length >= 2);
  const first = (srv.hits[0]?.at ?? 0) - started;
  const gap = (srv.hits[1]?.at ?? 0) - (srv.hits[0]?.at ?? 0);
  t.ok(first >= 290 && first < 900, `first run after ${first} ms (want ~300, not ~1000)`);
  t.ok(gap >= 990 && gap < 1800, `second run ${gap} ms later (want ~1000)`);
  t.same(
    results.map(({ checkId, status, output }) => ({ checkId, status, output })),
    [{ checkId: 'web', status: 'passing', output: `HTTP GET ${srv.base}/h: 200 OK Output: ok` }],
    'an unchanged result is reported once',
  );
});

t.test('intervals under the minimum are raised to it', async (t) => {
  const cases = [
    { name: 'explicit minimum', input: { minIntervalMs: 300, intervalMs: 10 }, want: 300 },
    {
      name: 'Consul default of 1 s',
      input: { minIntervalMs: undefined, intervalMs: 10 },
      want: 1000,
    },
    { name: 'interval above minimum', input: { minIntervalMs: 100, intervalMs: 250 }, want: 250 },
  ];
  for (const c of cases) {
    const srv = await server(t, () => ({ code: 200, body: '' }));
    const opts =
      c.input.minIntervalMs === undefined ? {} : { minIntervalMs: c.input.minIntervalMs };
    const { runner: r } = runner(t, { random: () => 0, ...opts });
    r.add(httpSpec('c', `${srv.base}/`, c.input.intervalMs));
    await until(() => srv.hits.length >= 2, c.want * 3 + 1000);
    r.close();
    const gap = (srv.hits[1]?.at ?? 0) - (srv.hits[0]?.at ?? 0);
    t.ok(gap >= c.want - 10 && gap < c.want * 2, `${c.name}: gap ${gap} ms, want ~${c.want}`);
  }
});

t.test('runs of one check never overlap', async (t) => {
  const srv = await server(t, () => ({ code: 200, body: 'slow', delayMs: 150 }));
  const { runner: r } = runner(t, { random: () => 0, minIntervalMs: 10 });
  r.add(httpSpec('slow', `${srv.base}/`, 10));
  await until(() => srv.hits.length >= 4);
  t.equal(srv.maxInFlight(), 1, 'at most one request in flight');
  for (let i = 1; i < 4; i++) {
    const gap = (srv.hits[i]?.at ?? 0) - (srv.hits[i - 1]?.at ?? 0);
    t.ok(gap >= 150, `run ${i} started ${gap} ms after the previous one`);
  }
});

t.test('reports only when status or output changes', async (t) => {
  // Request n answers: 1-2 ok/"a", 3 ok/"b", 4-5 500/"b", 6.. 429/"b".
  const plan = (n: number) =>
    n <= 2
      ? { code: 200, body: 'a' }
      : n === 3
        ? { code: 200, body: 'b' }
        : n <= 5
          ? { code: 500, body: 'b' }
          : { code: 429, body: 'b' };
  const srv = await server(t, plan);
  const { runner: r, results } = runner(t, { random: () => 0, minIntervalMs: 20 });
  r.add(httpSpec('x', `${srv.base}/s`, 20));
  await until(() => srv.hits.length >= 7);
  r.close();
  const url = `${srv.base}/s`;
  t.same(
    results.map(({ status, output }) => ({ status, output })),
    [
      { status: 'passing', output: `HTTP GET ${url}: 200 OK Output: a` },
      { status: 'passing', output: `HTTP GET ${url}: 200 OK Output: b` },
      { status: 'critical', output: `HTTP GET ${url}: 500 Internal Server Error Output: b` },
      { status: 'warning', output: `HTTP GET ${url}: 429 Too Many Requests Output: b` },
    ],
  );
});

t.test('remove stops the check and drops the result in flight', async (t) => {
  const srv = await server(t, () => ({ code: 200, body: 'late', delayMs: 200 }));
  const { runner: r, results } = runner(t, { random: () => 0, minIntervalMs: 10 });
  r.add(httpSpec('gone', `${srv.base}/`, 10));
  await until(() => srv.hits.length >= 1);
  r.remove('gone');
  r.remove('never-added');
  // Longer than the 200 ms reply in flight and many 10 ms intervals.
  await stays(
    'no further runs, no report after removal',
    () => srv.hits.length === 1 && results.length === 0,
    { periodMs: 400 },
  );
  t.same(r.ids(), []);
});

t.test('add with an existing ID replaces the check and reports afresh', async (t) => {
  const srv = await server(t, (_n, url) => ({ code: 200, body: url }));
  const { runner: r, results } = runner(t, { random: () => 0, minIntervalMs: 10 });
  r.add(httpSpec('svc', `${srv.base}/one`, 10_000));
  await until(() => results.length >= 1);
  r.add(httpSpec('svc', `${srv.base}/one`, 10_000));
  await until(() => results.length >= 2);
  r.add(httpSpec('svc', `${srv.base}/two`, 10_000));
  await until(() => results.length >= 3);
  t.same(
    results.map((x) => x.output),
    [
      `HTTP GET ${srv.base}/one: 200 OK Output: /one`,
      `HTTP GET ${srv.base}/one: 200 OK Output: /one`,
      `HTTP GET ${srv.base}/two: 200 OK Output: /two`,
    ],
  );
  t.same(r.ids(), ['svc']);
});

t.test('TCP checks report connect success and failure', async (t) => {
  const tcp = net.createServer((s) => s.destroy());
  await new Promise<void>((resolve) => tcp.listen(0, '127.0.0.1', resolve));
  const port = (tcp.address() as net.AddressInfo).port;
  t.teardown(() => tcp.close());
  const { runner: r, results } = runner(t, { random: () => 0, minIntervalMs: 50 });
  r.add({
    checkId: 'db',
    kind: 'tcp',
    tcp: `127.0.0.1:${port}`,
    intervalMs: 50,
    timeoutMs: 500,
    ttlMs: 0,
  });
  await until(() => results.length >= 1);
  await new Promise((resolve) => tcp.close(resolve));
  await until(() => results.length >= 2);
  t.same(
    results.map(({ checkId, status, output }) => ({ checkId, status, output })),
    [
      { checkId: 'db', status: 'passing', output: `TCP connect 127.0.0.1:${port}: Success` },
      {
        checkId: 'db',
        status: 'critical',
        output: `dial tcp 127.0.0.1:${port}: connect: connection refused`,
      },
    ],
  );
});

t.test('TTL: expires to critical unless updated, every time', async (t) => {
  const { runner: r, results } = runner(t);
  const started = Date.now();
  r.add({ checkId: 'ttl', kind: 'ttl', intervalMs: 0, timeoutMs: 0, ttlMs: 200 });
  // The clock is the subject here: a TTL update at 120 ms moves the expiry to 320 ms.
  await sleep(120);
  t.equal(r.ttlUpdate('ttl'), true, 'update within the TTL');
  await stays('not expired: the update restarted the timer', () => results.length === 0, {
    periodMs: 120,
  });
  await until(() => results.length >= 1);
  const expiredAfter = (results[0]?.at ?? 0) - started;
  t.ok(expiredAfter >= 310 && expiredAfter < 1000, `expired after ${expiredAfter} ms (want ~320)`);
  t.same(
    { ...results[0], at: 0 },
    { checkId: 'ttl', status: 'critical', output: 'TTL expired', at: 0 },
  );
  // The store set it passing again (pass/warn/fail) and told the runner: the next expiry counts.
  t.equal(r.ttlUpdate('ttl', 'all good'), true);
  await until(() => results.length >= 2);
  t.same(
    { ...results[1], at: 0 },
    {
      checkId: 'ttl',
      status: 'critical',
      output: 'TTL expired (last output before timeout follows): all good',
      at: 0,
    },
  );
  await stays('an expired TTL is reported once', () => results.length === 2);
  t.equal(r.ttlUpdate('nope'), false, 'unknown check');
});

t.test('ttlUpdate on a non-TTL check is refused', async (t) => {
  const srv = await server(t, () => ({ code: 200, body: '' }));
  const { runner: r } = runner(t, { random: () => 0.99 });
  r.add(httpSpec('h', `${srv.base}/`, 60_000));
  t.equal(r.ttlUpdate('h'), false);
});

t.test('a throwing result handler is published, the check keeps running', async (t) => {
  const srv = await server(t, (n) => ({ code: 200, body: String(n) }));
  const published: unknown[] = [];
  const onMessage = (m: unknown): void => {
    published.push(m);
  };
  diagnostics_channel.subscribe(CHECKS_CHANNEL, onMessage);
  t.teardown(() => diagnostics_channel.unsubscribe(CHECKS_CHANNEL, onMessage));
  let calls = 0;
  const r = new CheckRunner(
    () => {
      calls++;
      throw new Error('store down');
    },
    { random: () => 0, minIntervalMs: 20 },
  );
  t.teardown(() => r.close());
  r.add(httpSpec('boom', `${srv.base}/`, 20));
  await until(() => calls >= 3);
  r.close();
  t.match(published[0], {
    event: 'result-handler-error',
    checkId: 'boom',
    error: { message: 'store down' },
  });
});

t.test('close stops everything and refuses new checks', async (t) => {
  const srv = await server(t, () => ({ code: 200, body: '' }));
  const { runner: r, results } = runner(t, { random: () => 0, minIntervalMs: 10 });
  r.add(httpSpec('a', `${srv.base}/a`, 10));
  r.add({ checkId: 't', kind: 'ttl', intervalMs: 0, timeoutMs: 0, ttlMs: 50 });
  await until(() => srv.hits.length >= 1);
  r.close();
  const hits = srv.hits.length;
  const reported = results.length;
  await stays(
    'no runs and no reports after close',
    () => srv.hits.length === hits && results.length === reported,
  );
  t.throws(() => r.add(httpSpec('b', `${srv.base}/b`, 10)), { code: 'BERTH_CATALOG_CHECK' });
});

t.test('specs that cannot run are refused with CheckError', async (t) => {
  const base = { checkId: 'c', intervalMs: 1000, timeoutMs: 0, ttlMs: 0 };
  const cases: { name: string; input: CheckSpec; want: RegExp }[] = [
    {
      name: 'no id',
      input: { ...base, checkId: '', kind: 'ttl', ttlMs: 1 },
      want: /checkId is required/,
    },
    {
      name: 'http no interval',
      input: { ...base, kind: 'http', http: 'http://127.0.0.1:1/', intervalMs: 0 },
      want: /intervalMs must be > 0/,
    },
    { name: 'ttl without ttl', input: { ...base, kind: 'ttl' }, want: /ttlMs must be > 0/ },
    {
      name: 'unknown kind',
      input: { ...base, kind: 'grpc' as CheckSpec['kind'] },
      want: /kind must be http, tcp, ttl or script/,
    },
    {
      name: 'a script check without a command',
      input: { ...base, kind: 'script' as CheckSpec['kind'] },
      want: /a script check needs args or a script/,
    },
  ];
  const r = new CheckRunner(() => undefined);
  t.teardown(() => r.close());
  for (const c of cases) {
    const err = t.throws(() => r.add(c.input), c.name);
    t.ok(err instanceof CheckError, `${c.name}: CheckError`);
    t.match(err, { code: 'BERTH_CATALOG_CHECK', message: c.want }, c.name);
  }
  t.same(r.ids(), [], 'nothing was started');
});

t.test('a bad URL or address runs and reports critical, as in Consul', async (t) => {
  const { runner: r, results } = runner(t, { random: () => 0 });
  const base = { intervalMs: 60_000, timeoutMs: 0, ttlMs: 0 };
  r.add({ ...base, checkId: 'u', kind: 'http', http: 'not a url' });
  r.add({ ...base, checkId: 'f', kind: 'http', http: 'ftp://127.0.0.1/x' });
  r.add({ ...base, checkId: 't', kind: 'tcp', tcp: '127.0.0.1' });
  await until(() => results.length >= 3);
  t.same(
    results
      .map(({ checkId, status, output }) => ({ checkId, status, output }))
      .sort((a, b) => a.checkId.localeCompare(b.checkId)),
    [
      {
        checkId: 'f',
        status: 'critical',
        output: 'Get "ftp://127.0.0.1/x": unsupported protocol scheme "ftp"',
      },
      {
        checkId: 't',
        status: 'critical',
        output: 'dial tcp: address 127.0.0.1: missing port in address',
      },
      {
        checkId: 'u',
        status: 'critical',
        output: 'Get "not a url": unsupported protocol scheme ""',
      },
    ],
  );
});
