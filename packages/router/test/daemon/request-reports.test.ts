// Issue 21: a real router counts requests per upstream instance (/metrics, bounded to the
// catalog's instances) and, with --scheduler, reports the deltas as a signed
// BerthAgentV1.ReportRequestCounts to a fake scheduler on loopback: delivered deltas; while the
// scheduler is down (refusing, or hanging past the report deadline) the proxy keeps serving
// and the counts wait; after it is back nothing is lost or counted twice, including when an
// applied report's answer was lost; reports stay the size of the catalog while it is down.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import t from 'tap';
import { eventually } from '@berth/daemon/testing';
import type { RequestCountsReport } from '@berth/protocol';
import { startRouter } from '../../src/daemon/start.js';
import { MemoryRouteSource, snapshotOf } from '../../src/testing/index.js';
import { startBackend, request, type Backend } from '../helpers.js';

type Mode = 'ok' | 'down' | 'hang' | 'lost';

/** A scheduler endpoint on loopback applying reports as the scheduler's contract says. */
async function fakeScheduler() {
  const f = {
    mode: 'ok' as Mode,
    url: '',
    calls: 0,
    bodies: [] as RequestCountsReport[],
    /** Every report received, applied or not. */
    sent: [] as RequestCountsReport[],
    /** instanceId → requests the scheduler counted. */
    counted: new Map<string, number>(),
    last: undefined as RequestCountsReport | undefined,
    targets: new Set<string>(),
    signed: true,
    server: undefined as unknown as http.Server,
  };
  const apply = (r: RequestCountsReport): void => {
    const last = f.last;
    if (last && r.sequence <= last.sequence) return;
    const repeat = last !== undefined && r.acknowledged === last.acknowledged;
    for (const i of r.instances) {
      const before = repeat
        ? (last.instances.find((x) => x.instanceId === i.instanceId)?.requests ?? 0)
        : 0;
      f.counted.set(i.instanceId, (f.counted.get(i.instanceId) ?? 0) + i.requests - before);
    }
    f.last = r;
  };
  f.server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      f.calls++;
      f.targets.add(String(req.headers['x-amz-target']));
      if (!String(req.headers.authorization).startsWith('AWS4-HMAC-SHA256 Credential=AKIDROUTER/'))
        f.signed = false;
      if (f.mode === 'hang') return; // never answers: the report's deadline ends it
      const body = JSON.parse(Buffer.concat(chunks).toString()) as RequestCountsReport;
      f.sent.push(body);
      if (f.mode === 'down') return void res.writeHead(503).end('{"__type":"ServerException"}');
      f.bodies.push(body);
      apply(body);
      if (f.mode === 'lost') return void res.destroy(); // applied, but the answer is lost
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' }).end('{"recorded":1}');
    });
  });
  await new Promise<void>((r) => f.server.listen(0, '127.0.0.1', () => r()));
  f.url = `http://127.0.0.1:${(f.server.address() as AddressInfo).port}`;
  return f;
}

const backends: Backend[] = [];
for (const n of ['w1', 'w2', 'api']) backends.push(await startBackend(n));
const [w1, w2, api] = backends as [Backend, Backend, Backend];
const sched = await fakeScheduler();
const snapshot = (withW2: boolean) =>
  snapshotOf({
    web: [
      { id: 'web-1', port: w1.port, tags: ['urlprefix-/web'], meta: { 'berth-container': 'c1' } },
      ...(withW2
        ? [
            {
              id: 'web-2',
              port: w2.port,
              tags: ['urlprefix-/web'],
              meta: { 'berth-container': 'c2' },
            },
          ]
        : []),
    ],
    api: [
      { id: 'api-1', port: api.port, tags: ['urlprefix-/api'], meta: { 'berth-container': 'c3' } },
    ],
  });
const source = new MemoryRouteSource(snapshot(true));
const router = await startRouter(
  {
    proxy: { host: '127.0.0.1', port: 0 },
    admin: { host: '127.0.0.1', port: 0 },
    scheduler: [sched.url],
    reportInterval: 100,
    env: { AWS_ACCESS_KEY_ID: 'AKIDROUTER', AWS_SECRET_ACCESS_KEY: 'secret' },
  },
  source,
);
const port = router.proxyAddress.port;
const admin = router.adminAddress!.port;
t.teardown(async () => {
  await router.close();
  for (const b of backends) await b.close();
  sched.server.closeAllConnections();
  await new Promise<void>((r) => sched.server.close(() => r()));
});

/** `n` requests to `path`, all answered 200. */
async function send(path: string, n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    const r = await request(port, path);
    if (r.status !== 200) throw new Error(`${path}: ${r.status}`);
  }
}
const counted = (id: string): number => sched.counted.get(id) ?? 0;
const all = (): number => [...sched.counted.values()].reduce((a, b) => a + b, 0);

t.test('counts per instance, delivered as deltas, signed', async (t) => {
  await send('/web', 10); // round robin over web-1 and web-2
  await send('/api', 3);
  await eventually('the scheduler counted 13', () => all() === 13, { timeoutMs: 10_000 });
  t.same([counted('web-1'), counted('web-2'), counted('api-1')], [5, 5, 3]);
  t.ok(sched.signed, 'every report is SigV4-signed with the router credentials');
  t.same([...sched.targets], ['BerthAgentV1.ReportRequestCounts']);
  const last = sched.bodies.at(-1)!;
  t.match(last, { routerId: String, sequence: Number, acknowledged: Number });
  t.same(
    last.instances.map((i) => [i.instanceId, i.containerId]).sort(),
    [
      ['api-1', 'c3'],
      ['web-1', 'c1'],
      ['web-2', 'c2'],
    ],
    'every instance of the catalog, 0 included, with its container',
  );
  const seen = sched.bodies.length;
  await eventually('idle reports carry zeros', () => sched.bodies.length >= seen + 2);
  t.equal(all(), 13, 'nothing counted twice');
  const metrics = (await request(admin, '/metrics')).body;
  t.match(metrics, /berth_router_instance_requests_total\{service="web",instance="web-1"[^}]*\} 5/);
  t.match(metrics, /berth_router_instance_requests_total\{service="api",instance="api-1"[^}]*\} 3/);
});

t.test('scheduler down or hanging: the proxy serves, counts wait, then arrive once', async (t) => {
  sched.mode = 'down';
  const calls = sched.calls;
  await send('/web', 4);
  await eventually('reports were refused', () => sched.calls >= calls + 3);
  sched.mode = 'hang';
  const hung = sched.calls;
  await send('/api', 2); // the proxy is not held up by a report stuck past its deadline
  await eventually('hung reports were given up and retried', () => sched.calls >= hung + 3);
  t.equal(all(), 13, 'nothing arrived meanwhile');
  sched.mode = 'lost';
  await eventually('a report was applied with its answer lost', () => all() === 19);
  await send('/web', 2);
  sched.mode = 'ok';
  await eventually('all 21 counted', () => all() === 21, { timeoutMs: 10_000 });
  const n = sched.bodies.length;
  await eventually('more reports', () => sched.bodies.length >= n + 2);
  t.equal(all(), 21, 'the lost answer did not double count');
  t.same([counted('web-1'), counted('web-2'), counted('api-1')], [8, 8, 5]);
});

t.test('an instance that leaves the table leaves /metrics; its last counts are sent', async (t) => {
  await send('/web', 2);
  source.setSnapshot(snapshot(false));
  await eventually('23 counted', () => all() === 23, { timeoutMs: 10_000 });
  const metrics = (await request(admin, '/metrics')).body;
  t.notMatch(metrics, /instance="web-2"/);
  t.match(metrics, /instance="web-1"/);
  const n = sched.bodies.length;
  await eventually('a later report', () => sched.bodies.length > n);
  t.same(
    sched.bodies
      .at(-1)!
      .instances.map((i) => i.instanceId)
      .sort(),
    ['api-1', 'web-1'],
    'no longer reported',
  );
});

t.test('while the scheduler stays down, reports stay the size of the catalog', async (t) => {
  sched.mode = 'down';
  const from = sched.sent.length;
  for (let round = 0; round < 3; round++) await send('/web', 5);
  await eventually('several refused reports', () => sched.sent.length >= from + 5);
  const refused = sched.sent.slice(from);
  for (const b of refused) t.equal(b.instances.length, 2, 'one entry per instance');
  t.ok(
    refused.every((b) => b.acknowledged === refused[0]!.acknowledged),
    'all on the last acknowledged base',
  );
  t.ok(refused.at(-1)!.periodMs > refused[0]!.periodMs, 'covering the time since');
  sched.mode = 'ok';
  await eventually('38 counted', () => all() === 38, { timeoutMs: 10_000 });
});
