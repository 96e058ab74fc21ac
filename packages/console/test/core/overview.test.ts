import t from 'tap';
import { buildDiscovery, catalogEndpoints } from '../../src/core/discovery.js';
import { buildOverview, stoppedTaskEvent } from '../../src/core/overview.js';
import { instance, service, task } from './fixtures.js';
import type { CatalogSnapshot, ServiceInstance } from '@berth/consul';

t.test(
  'the overview counts instances, services and tasks by state and merges events',
  async (t) => {
    const o = buildOverview({
      cluster: 'default',
      clusters: ['prod', 'default'],
      instances: [
        instance('i1'),
        instance('i2', { status: 'DRAINING' }),
        instance('i3', { connected: false }),
      ],
      services: [
        service({ events: [{ at: 1000, message: '(service hello) has reached a steady state.' }] }),
        { ...service({ status: 'INACTIVE' }), serviceName: 'old' },
      ],
      tasks: [
        task('a'),
        task('b', { status: 'PENDING' }),
        task('c', {
          status: 'STOPPED',
          stopCode: 'EssentialContainerExited',
          stoppedAt: 2000,
          exitCode: 1,
          stoppedReason: 'Essential container in task exited',
        }),
      ],
      actions: [
        { time: 1500, source: 'console', message: 'AK: scaled', tone: 'idle', link: undefined },
      ],
    });
    t.same(o.clusters, ['default', 'prod']);
    t.same(o.instances, { total: 3, active: 2, draining: 1, disconnected: 1 });
    t.same(
      o.services,
      { total: 1, steady: 1, deploying: 0, degraded: 0 },
      'INACTIVE services are gone',
    );
    t.same(o.tasks, { RUNNING: 1, PENDING: 1, STOPPED: 1 });
    t.same(
      o.events.map((e) => e.source),
      ['task', 'console', 'service'],
      'newest first',
    );
    t.match(o.events[0], {
      tone: 'bad',
      message: /^Task c \(hello:1\) stopped: Essential container in task exited; hello exited 1$/,
      link: '/c/default/tasks/c',
    });
    t.equal(stoppedTaskEvent(task('r'), 'default'), undefined, 'running tasks are no event');
  },
);

const inst = (id: string, port: number, status: 'passing' | 'critical'): ServiceInstance => ({
  id,
  service: 'hello',
  node: 'vm',
  nodeAddress: '127.0.0.1',
  address: '127.0.0.1',
  port,
  tags: ['urlprefix-/hello'],
  meta: {},
  checks: [{ id: 'c', name: 'http', status, serviceId: id, output: 'ok' }],
  status,
  maintenance: false,
  modifyIndex: 1,
});

t.test('discovery: health per instance, DNS answers and router tables', async (t) => {
  const snapshot: CatalogSnapshot = {
    index: 5n,
    datacenter: 'dc1',
    services: new Map([
      ['hello', [inst('a', 1, 'passing'), inst('b', 2, 'critical')]],
      ['consul', []],
    ]),
    nodes: new Map(),
    fetchedAt: 0,
  };
  const d = buildDiscovery(
    snapshot,
    [
      {
        router: 'http://r',
        routes: [
          { src: '/hello', targets: [{ service: 'hello', dst: 'http://127.0.0.1:1/', weight: 1 }] },
        ],
        error: undefined,
      },
    ],
    new Map([
      [
        'hello',
        { name: 'hello.service.consul', answers: ['vm.node.dc1.consul:1'], error: undefined },
      ],
    ]),
    undefined,
  );
  t.equal(d.services.length, 1, "consul's own service is left out");
  t.match(d.services[0], {
    name: 'hello',
    passing: 1,
    total: 2,
    dns: { answers: ['vm.node.dc1.consul:1'] },
  });
  t.same(d.routers[0]?.routes[0]?.src, '/hello');
  t.same(
    catalogEndpoints(snapshot).map((e) => e.port),
    [1, 2],
  );
  t.same(buildDiscovery(undefined, [], new Map(), 7).staleSince, 7);
});
