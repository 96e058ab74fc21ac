import t from 'tap';
import {
  parseMetrics,
  rates,
  routeCounters,
  SeriesStore,
  sumSeries,
} from '../../src/core/history.js';

const METRICS = `# HELP berth_router_requests_total Requests by route
# TYPE berth_router_requests_total counter
berth_router_requests_total{route="/hello",status="200"} 40
berth_router_requests_total{status="502",route="/hello"} 2
berth_router_requests_total{route="",status="404"} 7
berth_router_requests_total{route="/a\\"b",status="200"} 1
berth_router_routes 3
garbage line
`;

t.test('Prometheus text: samples with labels in any order, escapes, junk skipped', async (t) => {
  const all = parseMetrics(METRICS);
  t.equal(all.length, 5);
  t.same(parseMetrics(METRICS, 'berth_router_routes'), [
    { name: 'berth_router_routes', labels: {}, value: 3 },
  ]);
  t.same(all[3]?.labels, { route: '/a"b', status: '200' });
});

t.test(
  'route counters sum routers and count 5xx as errors; unrouted requests are left out',
  async (t) => {
    const c = routeCounters([
      METRICS,
      'berth_router_requests_total{route="/hello",status="200"} 8\n',
    ]);
    t.same(c.get('/hello'), { requests: 50, errors: 2 });
    t.notOk(c.has(''), 'no-route 404s belong to no service');
  },
);

t.test('rates per second; a restarted counter starts again from 0', async (t) => {
  const cases = [
    {
      name: 'steady',
      input: [
        [0, 0],
        [10_000, 50],
        [20_000, 150],
      ] as const,
      want: [
        [10_000, 5],
        [20_000, 10],
      ],
    },
    {
      name: 'reset',
      input: [
        [0, 100],
        [10_000, 20],
      ] as const,
      want: [[10_000, 2]],
    },
    { name: 'one point', input: [[0, 1]] as const, want: [] },
    {
      name: 'same time skipped',
      input: [
        [0, 1],
        [0, 2],
        [1000, 3],
      ] as const,
      want: [[1000, 1]],
    },
  ];
  for (const c of cases) t.same(rates(c.input), c.want, c.name);
  t.same(
    sumSeries([
      [
        [1, 1],
        [2, 2],
      ],
      [
        [2, 3],
        [3, 4],
      ],
    ]),
    [
      [1, 1],
      [2, 5],
      [3, 4],
    ],
  );
});

t.test('the series store keeps the last hour only and bounds points', async (t) => {
  const s = new SeriesStore(60_000, 5);
  for (let i = 0; i <= 10; i++) s.add('k', i * 10_000, i);
  t.same(
    s.get('k', 100_000).map(([, v]) => v),
    [6, 7, 8, 9, 10],
    'at most 5 points, none older than a minute',
  );
  s.add('k', 100_000, 99);
  t.equal(s.get('k', 100_000).at(-1)?.[1], 99, 'same time replaces');
  s.add('k', 50_000, 1);
  t.equal(s.get('k', 100_000).length, 5, 'an older point is ignored');
  t.same(s.get('k', 200_000), [], 'nothing left an hour later');
  t.same(s.keys('k'), ['k']);
});
