// Issue 15: a registrator restarted after being down registers what started meanwhile before
// anything else (it is the one container clients cannot reach), and removes what stopped last.
import t from 'tap';
import { type ContainerInfo, Registrator, type RegistratorOptions } from '../src/index.js';
import { MemoryRegistry, MemoryRuntime } from '../src/testing/index.js';
import { reconcileOrder } from '../src/core/reconcile-order.js';
import { eventually } from '@berth/daemon/testing';

const BASE: RegistratorOptions = {
  hostname: 'h1',
  ip: '127.0.0.2',
  resync: 0,
  consulProbe: 0,
  retryInterval: 5,
  retryMaxMs: 20,
};

function box(id: string): ContainerInfo {
  return {
    id,
    name: `c-${id}`,
    image: 'web:1',
    env: [],
    labels: {},
    ports: [
      { port: 80, protocol: 'tcp', bindings: [{ hostIp: '', hostPort: 30000 + Number(id) }] },
    ],
    ip: '',
    state: 'running',
    exitCode: 0,
  };
}

t.test('reconcileOrder: new first, then registered, removals last', async (t) => {
  const cases = [
    {
      name: 'docker order kept within a rank',
      input: [
        { containerId: 'gone', desired: 0, running: false, registered: true },
        { containerId: 'a', desired: 0, running: true, registered: true },
        { containerId: 'new1', desired: 0, running: true, registered: false },
        { containerId: 'b', desired: 0, running: true, registered: true },
        { containerId: 'new2', desired: 0, running: true, registered: false },
      ],
      want: ['new1', 'new2', 'a', 'b', 'gone'],
    },
    { name: 'empty', input: [], want: [] },
  ];
  for (const c of cases) {
    t.same(
      reconcileOrder(c.input).map((i) => i.containerId),
      c.want,
      c.name,
    );
  }
});

t.test('restart: the container started while down is registered first', async (t) => {
  const rt = new MemoryRuntime();
  const reg = new MemoryRegistry();
  for (const id of ['1', '2', '3']) rt.set(box(id));
  const first = new Registrator(BASE, rt, reg);
  first.start();
  await eventually('three registered', () => reg.services.size === 3);
  await first.close();

  // While it is down: container 1's registration changes, 2 goes, 9 starts.
  rt.set({ ...box('1'), env: ['SERVICE_TAGS=changed'] });
  rt.containers.delete('2');
  rt.set(box('9'));
  reg.writes.length = 0;
  const second = new Registrator(BASE, rt, reg);
  second.start();
  t.teardown(() => second.close());
  await eventually(
    'the catalog matches Docker',
    () => [...reg.services.keys()].sort().join() === 'h1:c-1:80,h1:c-3:80,h1:c-9:80',
  );
  const ops = reg.writes.map((w) => `${w.op} ${w.id}`);
  t.equal(ops[0], 'register h1:c-9:80', `the new container first: ${ops.join(', ')}`);
  t.equal(ops.at(-1), 'deregister h1:c-2:80', 'the removal last');
});
