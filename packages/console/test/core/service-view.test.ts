import t from 'tap';
import {
  dstHostPort,
  mergeEvents,
  rolloutProgress,
  serviceEvents,
  serviceReach,
  serviceRow,
  serviceTone,
} from '../../src/core/service-view.js';
import { taskRow } from '../../src/core/task-rows.js';
import { instance, service, task } from './fixtures.js';

t.test('service tone', async (t) => {
  const cases = [
    { name: 'steady', input: service(), want: 'ok' },
    { name: 'scaling up', input: service({ desired: 5, running: 3, pending: 2 }), want: 'warn' },
    { name: 'short and nothing starting', input: service({ desired: 5, running: 3 }), want: 'bad' },
    {
      name: 'deploying',
      input: service({
        deployments: [
          { status: 'PRIMARY', td: 'hello:2', running: 1 },
          { status: 'ACTIVE', td: 'hello:1', running: 3 },
        ],
      }),
      want: 'warn',
    },
    {
      name: 'failed rollout',
      input: service({
        deployments: [{ status: 'PRIMARY', td: 'hello:2', running: 0, rollout: 'FAILED' }],
      }),
      want: 'bad',
    },
    { name: 'draining service', input: service({ status: 'DRAINING' }), want: 'idle' },
  ] as const;
  for (const c of cases) t.equal(serviceTone(c.input), c.want, c.name);
  t.match(serviceRow(service()), {
    name: 'hello',
    cluster: 'default',
    taskDefinition: 'hello:1',
    rolloutState: 'COMPLETED',
    deployments: 1,
  });
});

t.test('rollout progress: old to new', async (t) => {
  const cases = [
    {
      name: 'half way',
      input: service({
        desired: 4,
        deployments: [
          { status: 'PRIMARY', td: 'hello:2', running: 2, pending: 1 },
          { status: 'ACTIVE', td: 'hello:1', running: 3 },
        ],
      }),
      want: {
        from: ['hello:1'],
        to: 'hello:2',
        desired: 4,
        newRunning: 2,
        newPending: 1,
        oldRunning: 3,
        percent: 50,
        done: false,
        state: 'IN_PROGRESS',
      },
    },
    {
      name: 'completed',
      input: service({
        desired: 3,
        deployments: [{ status: 'PRIMARY', td: 'hello:2', running: 3, rollout: 'COMPLETED' }],
      }),
      want: { from: [], to: 'hello:2', percent: 100, done: true, state: 'COMPLETED' },
    },
    {
      name: 'failed stays not done',
      input: service({
        desired: 3,
        deployments: [{ status: 'PRIMARY', td: 'hello:2', running: 3, rollout: 'FAILED' }],
      }),
      want: { percent: 100, done: false, state: 'FAILED' },
    },
    {
      name: 'scaled to zero',
      input: service({
        desired: 0,
        deployments: [{ status: 'PRIMARY', td: 'hello:1', running: 0, rollout: 'COMPLETED' }],
      }),
      want: { percent: 100, done: true },
    },
  ] as const;
  for (const c of cases) t.match(rolloutProgress(c.input), c.want, c.name);
  t.equal(rolloutProgress(service({ deployments: [] })), undefined, 'no deployment, no bar');
});

t.test('service events become rows; lists merge newest first', async (t) => {
  const s = service({
    events: [
      { at: 3000, message: '(service hello) has reached a steady state.' },
      { at: 1000, message: '(service hello) was unable to place a task.' },
    ],
  });
  const rows = serviceEvents(s, 'default');
  t.match(rows, [
    { time: 3000, tone: 'ok', link: '/c/default/services/hello', source: 'service' },
    { time: 1000, tone: 'bad' },
  ]);
  const merged = mergeEvents(
    [rows, [{ time: 2000, source: 'console', message: 'x', tone: 'idle', link: undefined }]],
    2,
  );
  t.same(
    merged.map((e) => e.time),
    [3000, 2000],
  );
});

t.test('reach: catalog names by the tasks host:port, and the routes to them', async (t) => {
  const inst = instance('i1', { ip: '127.0.0.2' });
  const tasks = [
    task('a', { port: 32771 }),
    task('b', { port: 32772 }),
    task('c', { port: 32773, status: 'STOPPED' }),
  ].map((x) => taskRow(x, new Map([[inst.containerInstanceArn!, inst]])));
  const catalog = [
    { service: 'hello', address: '127.0.0.2', port: 32771 },
    { service: 'hello', address: '127.0.0.2', port: 32772 },
    { service: 'other', address: '127.0.0.2', port: 40000 },
    { service: 'stale', address: '127.0.0.2', port: 32773 },
  ];
  const routers = [
    {
      router: 'http://127.0.0.2:9998',
      routes: [
        {
          src: '/hello',
          targets: [{ service: 'hello', dst: 'http://127.0.0.2:32771/', weight: 0.5 }],
        },
        {
          src: '/other',
          targets: [{ service: 'other', dst: 'http://127.0.0.2:40000/', weight: 1 }],
        },
      ],
    },
  ];
  const reach = serviceReach(tasks, catalog, routers);
  t.same(reach.consulServices, ['hello'], 'a stopped task no longer counts');
  t.same(reach.dnsNames, ['hello.service.consul']);
  t.same(
    reach.routes.map((r) => r.src),
    ['/hello'],
  );
  t.equal(dstHostPort('http://127.0.0.2:32771/'), '127.0.0.2:32771');
  t.equal(dstHostPort('not a url'), 'not a url');
});
