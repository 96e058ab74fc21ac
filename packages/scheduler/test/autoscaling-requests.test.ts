// Issue 21: requests per target from the routers' ReportRequestCounts — the request series
// (rate over the window normalised by the time reports cover, or the latest report's when
// higher, zero is data, no report is no
// data, a resent or repeated report is not counted twice, bounds) and the report handler
// (container ID → task → service, malformed reports refused, nothing before the sink).
import t from 'tap';
import type { InstanceRequestCount, RequestCountsReport } from '@berth/protocol';
import type { ApiContext } from '../src/api/context.js';
import { describeServiceMetrics } from '../src/autoscaling/describe-service-metrics.js';
import { registerLeaderMetrics } from '../src/autoscaling/leader-metrics.js';
import { RequestMetrics } from '../src/autoscaling/request-metrics.js';
import { ServiceMetrics } from '../src/autoscaling/service-metrics.js';
import {
  containerServices,
  readReport,
  reportRequestCounts,
} from '../src/autoscaling/report-request-counts.js';
import { SchedulerState, type TaskRt } from '../src/state/scheduler-state.js';
import { EcsError } from '../src/errors.js';

const inst = (instanceId: string, requests: number, containerId = `c-${instanceId}`) =>
  ({ service: 'web', instanceId, containerId, requests }) satisfies InstanceRequestCount;
const rep = (o: Partial<RequestCountsReport>): RequestCountsReport => ({
  routerId: 'r1',
  sequence: 1,
  acknowledged: 0,
  periodMs: 10_000,
  instances: [],
  ...o,
});
// Every container c-* belongs to default/web.
const webOf = (id: string): string | undefined => (id.startsWith('c-') ? 'default/web' : undefined);
const T0 = 1_000_000;

t.test('no report: no data; zero requests reported: 0', async (t) => {
  const m = new RequestMetrics();
  t.equal(m.perTarget('default/web', 2, T0), undefined);
  m.apply(T0, rep({ instances: [inst('a', 0)] }), webOf);
  t.equal(m.perTarget('default/web', 2, T0), 0);
  t.equal(m.perTarget('default/web', 0, T0), undefined, 'no targets: no data');
  t.equal(m.perTarget('default/web', 2, T0 + 20_001), undefined, 'out of the window');
});

t.test('rate: requests over the covered time, per minute, per target', async (t) => {
  const m = new RequestMetrics();
  // 100 requests in 10 s on two instances = 600 a minute; 2 targets = 300 each.
  m.apply(T0, rep({ instances: [inst('a', 60), inst('b', 40)] }), webOf);
  t.equal(m.perMinute('default/web', T0), 600);
  t.equal(m.perTarget('default/web', 2, T0), 300);
  // A second report of the same router covering 5 s with 100: 200 in 15 s = 800 a minute.
  m.apply(
    T0 + 5000,
    rep({ sequence: 2, acknowledged: 1, periodMs: 5000, instances: [inst('a', 100)] }),
    webOf,
  );
  t.equal(m.perMinute('default/web', T0 + 5000), 1200, 'the latest report (100 in 5 s) is higher');
  // A second router adds its own rate: 50 in 10 s = 300 a minute.
  m.apply(T0 + 5000, rep({ routerId: 'r2', instances: [inst('a', 50)] }), webOf);
  t.equal(m.perMinute('default/web', T0 + 5000), 1500);
  // A quieter report: the window (220 in 20 s = 660 a minute) is higher than it (20 in 5 s).
  m.apply(
    T0 + 10_000,
    rep({ sequence: 3, acknowledged: 2, periodMs: 5000, instances: [inst('a', 20)] }),
    webOf,
  );
  t.equal(m.perMinute('default/web', T0 + 10_000), 660 + 300);
  // Instances that are not service tasks count nowhere.
  m.apply(T0 + 6000, rep({ routerId: 'r3', instances: [inst('x', 999, 'other')] }), webOf);
  t.same(m.services(), ['default/web']);
  m.prune(T0 + 10_000 + 20_001);
  t.same(m.services(), []);
});

t.test(
  'a resent report is not counted twice; a report on the same base adds the difference',
  async (t) => {
    const m = new RequestMetrics();
    t.equal(m.apply(T0, rep({ instances: [inst('a', 100)] }), webOf).duplicate, false);
    // The answer was lost: the router resends sequence 1 — ignored.
    const again = m.apply(T0 + 100, rep({ instances: [inst('a', 100)] }), webOf);
    t.equal(again.duplicate, true);
    t.equal(m.perMinute('default/web', T0 + 100), 600);
    // The router folds 1's counts into 2 (still acknowledged 0): only the 50 new ones count,
    // over the 5 s they add.
    const two = m.apply(
      T0 + 5000,
      rep({ sequence: 2, acknowledged: 0, periodMs: 15_000, instances: [inst('a', 150)] }),
      webOf,
    );
    t.same([...two.added], [['default/web', 50]]);
    t.equal(m.perMinute('default/web', T0 + 5000), 600, '150 in 15 s');
    // Acknowledged now: a fresh base, counted whole.
    m.apply(
      T0 + 10_000,
      rep({ sequence: 3, acknowledged: 2, periodMs: 5000, instances: [inst('a', 50)] }),
      webOf,
    );
    t.equal(m.perMinute('default/web', T0 + 10_000), 600, '200 in 20 s');
  },
);

t.test('bounded: routers, services and entries', async (t) => {
  const m = new RequestMetrics({ maxRouters: 2, maxServices: 1, maxEntries: 3 });
  for (let s = 1; s <= 10; s++) {
    m.apply(
      T0 + s,
      rep({ sequence: s, acknowledged: s - 1, periodMs: 1000, instances: [inst('a', 1)] }),
      webOf,
    );
  }
  // three entries of 1 request over 1 s each = 60 a minute
  t.equal(m.perMinute('default/web', T0 + 10), 60);
  m.apply(
    T0,
    rep({ instances: [{ ...inst('a', 1), service: 'api', containerId: 'd-1' }] }),
    (id) => (id === 'd-1' ? 'default/api' : undefined),
  );
  t.same(m.services(), ['default/web'], 'no room for a second service');
  // r1 is forgotten once two other routers were heard: its next report counts whole.
  m.apply(T0 + 20, rep({ routerId: 'r2', instances: [] }), webOf);
  m.apply(T0 + 21, rep({ routerId: 'r3', instances: [] }), webOf);
  t.equal(m.apply(T0 + 22, rep({ sequence: 10, instances: [] }), webOf).duplicate, false);
});

function stateWith(tasks: { id: string; group?: string; runtimeIds: string[] }[]): SchedulerState {
  const state = new SchedulerState({ region: 'us-east-1', accountId: '123456789012' });
  for (const x of tasks) {
    const rt = {
      rec: {
        id: x.id,
        cluster: 'default',
        instanceId: 'i',
        taskDefinition: 'web:1',
        createdAt: 0,
        lastStatus: 'RUNNING',
        desiredStatus: 'RUNNING',
        version: 1,
        group: x.group,
        containers: x.runtimeIds.map((runtimeId, i) => ({ name: `c${i}`, id: `u${i}`, runtimeId })),
      },
      resources: { cpu: 256, memory: 128 },
      family: 'web',
      committed: true,
    } as unknown as TaskRt;
    state.tasks.set(x.id, rt);
  }
  return state;
}

t.test('the handler maps container IDs to services and records', async (t) => {
  const state = stateWith([
    { id: 't1', group: 'service:web', runtimeIds: ['d1', 'd1-sidecar'] },
    { id: 't2', group: 'service:web', runtimeIds: ['d2'] },
    { id: 't3', group: 'family:batch', runtimeIds: ['d3'] },
  ]);
  t.same(
    [...containerServices(state)],
    [
      ['d1', 'default/web'],
      ['d1-sidecar', 'default/web'],
      ['d2', 'default/web'],
    ],
  );
  let now = T0;
  const ctx = { state, now: () => now } as unknown as ApiContext;
  const body = {
    routerId: 'r1',
    sequence: 1,
    acknowledged: 0,
    periodMs: 10_000,
    instances: [inst('a', 30, 'd1'), inst('b', 30, 'd2'), inst('c', 5, 'd3'), inst('d', 5, '')],
  };
  t.same(await reportRequestCounts(ctx, body), { recorded: 0 }, 'no sink yet: dropped');
  const m = new RequestMetrics();
  registerLeaderMetrics(state, { usage: new ServiceMetrics(), requests: m });
  t.same(await reportRequestCounts(ctx, { ...body, sequence: 2 }), { recorded: 2 });
  t.equal(m.perTarget('default/web', 2, now), 180, '60 in 10 s = 360 a minute over 2 tasks');
  const shown = (await describeServiceMetrics(ctx, { cluster: 'default', service: 'web' })) as {
    average?: { requestsPerTarget?: number; cpu?: number };
  };
  t.same(shown.average, { requestsPerTarget: 180 }, 'the console sees requests per target');
  now += 1000;
  t.same(await reportRequestCounts(ctx, { ...body, sequence: 2 }), {
    recorded: 0,
    duplicate: true,
  });
});

t.test('malformed reports are refused, odd instances skipped', async (t) => {
  const bad = (body: Record<string, unknown>) =>
    t.throws(() => readReport(body), EcsError, JSON.stringify(body));
  bad({ sequence: 1 });
  bad({ routerId: 'r' });
  bad({ routerId: 'r', sequence: 2, acknowledged: 2 });
  bad({ routerId: 'r', sequence: 1, instances: Array.from({ length: 5001 }, () => ({})) });
  const r = readReport({
    routerId: 'r',
    sequence: 3,
    acknowledged: 1,
    periodMs: 5,
    instances: [
      { service: 'web', instanceId: 'a', containerId: 'x', requests: 2 },
      { service: 'web', instanceId: 'b', requests: -1 },
      { service: 'web', instanceId: 'c', requests: 1.5 },
      { service: 'web', requests: 1 },
      { service: 'web', instanceId: 'd', requests: 0 },
    ],
  });
  t.same(r.instances, [
    { service: 'web', instanceId: 'a', containerId: 'x', requests: 2 },
    { service: 'web', instanceId: 'd', containerId: '', requests: 0 },
  ]);
});
