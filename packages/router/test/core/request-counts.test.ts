// Issue 21: requests per upstream instance — matched by service and address:port, zero counts
// reported, an instance that left is reported once more then forgotten; and the reporter's
// bookkeeping with a fake client: sequence / acknowledged, deltas kept while failing, the
// pending bound.
import t from 'tap';
import type { InstanceRequestCount, RequestCountsReport } from '@berth/protocol';
import { mergeCounts, RequestCounts } from '../../src/core/request-counts.js';
import { RequestReporter } from '../../src/adapters/request-reporter.js';

const inst = (id: string, port: number, container = `c-${id}`, address = '127.0.0.1') => ({
  id,
  address,
  nodeAddress: '127.0.0.9',
  port,
  meta: { 'berth-container': container },
});

t.test('RequestCounts', async (t) => {
  const c = new RequestCounts();
  c.setInstances(
    new Map([
      ['web', [inst('w1', 80), inst('w2', 81), { ...inst('w3', 82, '', ''), meta: {} }]],
      ['v6', [inst('x', 80, 'c-x', '::1')]],
    ]),
  );
  c.count('web', '127.0.0.1', 80);
  c.count('web', '127.0.0.1', 80);
  c.count('web', '127.0.0.9', 82); // the node's address when the service has none
  c.count('web', '127.0.0.1', 99); // not an instance (a manual route): not counted
  c.count('other', '127.0.0.1', 80);
  c.count('v6', '[::1]', 80);
  const byId = (l: readonly InstanceRequestCount[]) =>
    Object.fromEntries(l.map((i) => [i.instanceId, [i.requests, i.containerId]]));
  t.same(byId(c.take()), { w1: [2, 'c-w1'], w2: [0, 'c-w2'], w3: [1, ''], x: [1, 'c-x'] });
  t.same(byId(c.take()), { w1: [0, 'c-w1'], w2: [0, 'c-w2'], w3: [0, ''], x: [0, 'c-x'] });
  c.count('web', '127.0.0.1', 81);
  c.setInstances(new Map([['web', [inst('w1', 80)]]]));
  c.count('web', '127.0.0.1', 81); // gone from the table: no longer counted
  t.same(byId(c.take()), { w1: [0, 'c-w1'], w2: [1, 'c-w2'] }, 'w2 sent once more');
  t.same(byId(c.take()), { w1: [0, 'c-w1'] }, 'then forgotten');
  t.same(c.totals(), [{ service: 'web', instanceId: 'w1', total: 2 }]);
});

t.test('mergeCounts sums and bounds', async (t) => {
  const m = new Map<string, InstanceRequestCount>();
  const e = (instanceId: string, requests: number): InstanceRequestCount => ({
    service: 's',
    instanceId,
    containerId: '',
    requests,
  });
  t.equal(mergeCounts(m, [e('a', 1), e('b', 2)], 2), 0);
  t.equal(mergeCounts(m, [e('a', 3), e('c', 5)], 2), 5, 'no room for c: its 5 are dropped');
  t.same(
    [...m.values()].map((x) => [x.instanceId, x.requests]),
    [
      ['a', 4],
      ['b', 2],
    ],
  );
});

t.test('RequestReporter: sequence, acknowledged, kept while failing, bounded', async (t) => {
  let now = 1000;
  let fail = false;
  const got: RequestCountsReport[] = [];
  let n = 0;
  const r = new RequestReporter({
    routerId: 'r',
    now: () => now,
    maxInstances: 3,
    // a new instance with one request each round
    collect: () =>
      Promise.resolve([{ service: 's', instanceId: `i${n++}`, containerId: '', requests: 1 }]),
    client: {
      reportRequestCounts: (report) => {
        got.push(report);
        return fail ? Promise.reject(new Error('down')) : Promise.resolve({ recorded: 1 });
      },
    },
  });
  now = 2000;
  t.equal(await r.report(), true);
  t.match(got[0], {
    sequence: 1,
    acknowledged: 0,
    periodMs: 1000,
    instances: [{ instanceId: 'i0' }],
  });
  fail = true;
  for (let i = 0; i < 5; i++) {
    now += 1000;
    t.equal(await r.report(), false);
  }
  const last = got.at(-1)!;
  t.match(last, { sequence: 6, acknowledged: 1, periodMs: 5000 });
  t.equal(last.instances.length, 3, 'at most maxInstances pending');
  t.equal(r.dropped, 2, 'the requests of instances beyond the bound are dropped, counted');
  fail = false;
  now += 1000;
  t.equal(await r.report(), true);
  t.match(got.at(-1), { sequence: 7, acknowledged: 1, periodMs: 6000 });
  now += 1000;
  await r.report();
  t.match(got.at(-1), { sequence: 8, acknowledged: 7, periodMs: 1000 });
  t.equal(got.at(-1)!.instances.length, 1, 'delivered counts are not sent again');
  t.equal(r.pending, 0);
});
