// Issue 4, points 2-4: the reconciler against in-memory Docker and Consul. Subscribe before
// listing, full sync at start / after reconnects / periodically, ownership, orphans, no flap on
// resync, lifecycle events, per-container serial processing, Consul outages and restarts.
import { eventually, stays } from '@berth/daemon/testing';
import { RetryExhaustedError } from '@berth/daemon';
import t, { type Test } from 'tap';
import {
  type ContainerInfo,
  OWNER_META,
  Registrator,
  type RegistratorOptions,
} from '../src/index.js';
import { MemoryRegistry, MemoryRuntime } from '../src/testing/index.js';

const BASE: RegistratorOptions = {
  hostname: 'h1',
  ip: '127.0.0.2',
  resync: 0,
  consulProbe: 0,
  retryInterval: 5,
  retryMaxMs: 20,
};

function box(id: string, over: Partial<ContainerInfo> = {}): ContainerInfo {
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
    ...over,
  };
}

function setup(
  t: Test,
  options: Partial<RegistratorOptions> = {},
  prepare?: (rt: MemoryRuntime, reg: MemoryRegistry) => void,
): { rt: MemoryRuntime; reg: MemoryRegistry; r: Registrator } {
  const rt = new MemoryRuntime();
  const reg = new MemoryRegistry();
  prepare?.(rt, reg);
  const r = new Registrator({ ...BASE, ...options }, rt, reg);
  r.start();
  t.teardown(() => r.close());
  return { rt, reg, r };
}

const ids = (reg: MemoryRegistry): string[] => [...reg.services.keys()].sort();

t.test('start: registers running containers with ownership Meta, skips stopped ones', async (t) => {
  const { reg, r } = setup(t, {}, (rt) => {
    rt.set(box('1'));
    rt.set(box('2', { state: 'exited' }));
    rt.set(box('3', { state: 'paused' }));
  });
  await r.synced;
  t.same(ids(reg), ['h1:c-1:80', 'h1:c-3:80']);
  const s = reg.services.get('h1:c-1:80');
  t.equal(s?.service.meta[OWNER_META.owner], 'h1');
  t.equal(s?.service.meta[OWNER_META.container], '1');
  t.match(s?.service.meta[OWNER_META.hash], /^[0-9a-f]{16}$/);
  t.equal(reg.services.get('h1:c-3:80')?.maintenance, true, 'a paused container is in maintenance');
});

t.test('a resync with nothing changed writes nothing', async (t) => {
  const { reg, r } = setup(t, {}, (rt) => {
    rt.set(box('1'));
    rt.set(box('2', { state: 'paused', env: ['SERVICE_CHECK_HTTP=/h', 'SERVICE_TAGS=a,b'] }));
  });
  await r.synced;
  const before = reg.writes.length;
  const reports: unknown[] = [];
  r.on('reconcile', (rep) => reports.push(rep));
  for (let i = 0; i < 3; i++) await r.requestReconcile('periodic');
  t.equal(reg.writes.length, before, 'no register, deregister or maintenance call');
  t.match(reports, [
    { registered: 0, deregistered: 0, maintenance: 0, unchanged: 2 },
    { registered: 0, deregistered: 0, maintenance: 0, unchanged: 2 },
    { registered: 0, deregistered: 0, maintenance: 0, unchanged: 2 },
  ]);
});

t.test(
  'orphans: a previous run’s leftovers go, other owners and unowned services stay',
  async (t) => {
    const { reg, r } = setup(t, {}, (rt, reg) => {
      rt.set(box('1'));
      const svc = (id: string, meta: Record<string, string>) =>
        reg.services.set(id, {
          service: { id, name: 'x', address: '127.0.0.2', port: 1, tags: [], meta, checks: [] },
          maintenance: false,
        });
      svc('h1:gone:80', { [OWNER_META.owner]: 'h1', [OWNER_META.container]: '99' });
      svc('h2:other:80', { [OWNER_META.owner]: 'h2', [OWNER_META.container]: '98' });
      svc('h1:legacy:80', {});
      svc('manual', {});
    });
    await r.synced;
    t.same(ids(reg), ['h1:c-1:80', 'h1:legacy:80', 'h2:other:80', 'manual']);
  },
);

t.test('--cleanup also removes unowned <hostname>: services without a container', async (t) => {
  const { reg, r } = setup(t, { cleanup: true }, (rt, reg) => {
    rt.set(box('1'));
    for (const id of ['h1:legacy:80', 'h10:x:80', 'manual']) {
      reg.services.set(id, {
        service: { id, name: 'x', address: '127.0.0.2', port: 1, tags: [], meta: {}, checks: [] },
        maintenance: false,
      });
    }
  });
  await r.synced;
  t.same(ids(reg), ['h10:x:80', 'h1:c-1:80', 'manual']);
});

t.test('a service edited behind our back is re-registered by the next resync', async (t) => {
  const { reg, r } = setup(t, {}, (rt) => rt.set(box('1')));
  await r.synced;
  const s = reg.services.get('h1:c-1:80');
  if (!s) throw new Error('not registered');
  s.service = { ...s.service, port: 1 };
  await r.requestReconcile('periodic');
  t.equal(reg.services.get('h1:c-1:80')?.service.port, 30001);
});

t.test('lifecycle events: start, die, destroy, rename, pause, unpause', async (t) => {
  const { rt, reg, r } = setup(t);
  await r.synced;

  rt.set(box('1'));
  rt.emit('start', '1');
  await eventually('registered', () => reg.services.has('h1:c-1:80'));

  rt.set(box('1', { name: 'renamed' }));
  rt.emit('rename', '1', { oldName: '/c-1', name: 'renamed' });
  await eventually(
    'renamed',
    () => reg.services.has('h1:renamed:80') && !reg.services.has('h1:c-1:80'),
  );

  rt.set(box('1', { name: 'renamed', state: 'paused' }));
  rt.emit('pause', '1');
  await eventually('maintenance on', () => reg.services.get('h1:renamed:80')?.maintenance === true);
  rt.set(box('1', { name: 'renamed' }));
  rt.emit('unpause', '1');
  await eventually(
    'maintenance off',
    () => reg.services.get('h1:renamed:80')?.maintenance === false,
  );
  t.same(
    reg.writes.filter((w) => w.id === 'h1:renamed:80').map((w) => w.op),
    ['register', 'maintenance', 'maintenance'],
    'pause/unpause toggle maintenance without re-registering',
  );

  rt.emit('kill', '1');
  rt.set(box('1', { name: 'renamed', state: 'exited', exitCode: 137 }));
  rt.emit('die', '1', { exitCode: '137' });
  await eventually('deregistered', () => reg.services.size === 0);

  rt.set(box('2'));
  rt.emit('start', '2');
  await eventually('second registered', () => reg.services.has('h1:c-2:80'));
  rt.containers.delete('2');
  rt.emit('destroy', '2');
  await eventually('destroyed', () => reg.services.size === 0);
  t.pass('the registry followed every event');
});

t.test('--deregister on-success keeps non-zero exits, also across resyncs', async (t) => {
  const { rt, reg, r } = setup(t, { deregister: 'on-success' }, (rt) => {
    rt.set(box('1'));
    rt.set(box('2'));
  });
  await r.synced;
  rt.set(box('1', { state: 'exited', exitCode: 3 }));
  rt.emit('die', '1', { exitCode: '3' });
  rt.set(box('2', { state: 'exited', exitCode: 0 }));
  rt.emit('die', '2'); // no exitCode attribute: inspect decides
  await eventually('clean exit deregistered', () => !reg.services.has('h1:c-2:80'));
  await r.requestReconcile('periodic');
  t.ok(reg.services.has('h1:c-1:80'), 'the failed container stays registered');

  // A new registrator (restart) keeps it too; destroying the container removes it.
  await r.close();
  const r2 = new Registrator({ ...BASE, deregister: 'on-success' }, rt, reg);
  r2.start();
  t.teardown(() => r2.close());
  await r2.synced;
  t.ok(reg.services.has('h1:c-1:80'), 'kept after a restart');
  rt.containers.delete('1');
  rt.emit('destroy', '1');
  await eventually('destroyed', () => !reg.services.has('h1:c-1:80'));
});

t.test('racing events of one container never leave a stale entry', async (t) => {
  const { rt, reg, r } = setup(t);
  await r.synced;
  for (let round = 0; round < 20; round++) {
    const running = round % 2 === 0;
    rt.set(box('7', { state: running ? 'running' : 'exited' }));
    rt.emit(running ? 'start' : 'die', '7');
    rt.set(box('7', { state: running ? 'exited' : 'running' }));
    rt.emit(running ? 'die' : 'start', '7');
    // Last write wins in Docker; the registry must follow it once the queue settles.
    const want = !running;
    await eventually(`round ${round}`, () => reg.services.has('h1:c-7:80') === want);
  }
  t.pass('20 rounds of start/die races settled on Docker’s final state');
  const inspects = rt.inspects;
  for (let i = 0; i < 50; i++) rt.emit('start', '7');
  await eventually('burst handled', () => rt.inspects > inspects);
  await stays('fewer syncs than events', () => rt.inspects - inspects < 50);
  t.pass(`a burst of 50 events was coalesced (${rt.inspects - inspects} syncs)`);
});

t.test(
  'events older than the last full listing are skipped (replays after reconnect)',
  async (t) => {
    const { rt, reg, r } = setup(t, {}, (rt) => rt.set(box('1')));
    await r.synced;
    const inspects = rt.inspects;
    rt.emit('die', '1', { exitCode: '0' }, Date.now() - 1500);
    rt.emit('start', '1', {}, Date.now() - 1000);
    await stays(
      'a replayed die does not deregister a running container, nothing is inspected',
      () => reg.services.has('h1:c-1:80') && rt.inspects === inspects,
    );
    t.pass('replayed events were skipped');
  },
);

t.test('missed events: after a Docker reconnect the resync catches up', async (t) => {
  const { rt, reg, r } = setup(t, {}, (rt) => rt.set(box('1')));
  await r.synced;
  rt.disconnect();
  t.equal(r.runtimeConnected, false);
  rt.containers.delete('1'); // died and was removed while we were not listening
  rt.set(box('2'));
  rt.emit('start', '2'); // lost
  t.same(ids(reg), ['h1:c-1:80']);
  rt.reconnect();
  await eventually('caught up', () => ids(reg).join() === 'h1:c-2:80');
  t.equal(r.runtimeConnected, true);
});

t.test('Consul down: writes retry, and once back everything is re-registered', async (t) => {
  const { rt, reg, r } = setup(t, {}, (rt) => rt.set(box('1')));
  await r.synced;
  const states: boolean[] = [];
  r.on('registry', (e) => states.push(e.reachable));
  reg.down = true;
  reg.wipe(); // Consul restarted without its state
  rt.set(box('2'));
  rt.emit('start', '2');
  await eventually('unreachable seen', () => states.includes(false));
  t.equal(r.registryReachable, false);
  reg.down = false;
  await eventually('all back', () => ids(reg).join() === 'h1:c-1:80,h1:c-2:80');
  t.same(states, [false, true]);
});

t.test('Consul restarted between calls: the probe notices and re-registers', async (t) => {
  const { reg, r } = setup(t, { consulProbe: 20 }, (rt) => {
    rt.set(box('1'));
    rt.set(box('2'));
  });
  await r.synced;
  reg.wipe();
  await eventually('re-registered', () => reg.services.size === 2);
  const writes = reg.writes.length;
  await stays('the probe does not write when nothing changed', () => reg.writes.length === writes);
  t.pass('no write while nothing changed');
});

t.test('periodic resync repairs what the events missed', async (t) => {
  const { rt, reg, r } = setup(t, { resync: 20 }, (rt) => rt.set(box('1')));
  await r.synced;
  rt.set(box('2')); // no event
  await eventually('found by resync', () => reg.services.has('h1:c-2:80'));
});

t.test('a container replaced under the same name with new checks is re-registered', async (t) => {
  const { rt, reg, r } = setup(t, {}, (rt) => rt.set(box('1')));
  await r.synced;
  rt.containers.delete('1');
  rt.set(box('5', { name: 'c-1', env: ['SERVICE_CHECK_TTL=10s'] }));
  rt.emit('destroy', '1');
  rt.emit('start', '5');
  await eventually('new checks', () => reg.services.get('h1:c-1:80')?.service.checks.length === 1);
  await r.requestReconcile('periodic');
  t.equal(reg.services.get('h1:c-1:80')?.service.meta[OWNER_META.container], '5');
});

t.test('warnings are emitted once per container, not on every resync', async (t) => {
  const { r } = setup(t, {}, (rt) =>
    rt.set(box('1', { env: ['SERVICE_CHECK_INTERVAL=x', 'SERVICE_CHECK_TCP=1'] })),
  );
  const warnings: string[] = [];
  r.on('warning', (w) => warnings.push(`${w.container} ${w.key}`));
  await r.synced;
  await r.requestReconcile('periodic');
  await r.requestReconcile('periodic');
  t.same(warnings, ['c-1 SERVICE_CHECK_INTERVAL']);
});

t.test('--retry-attempts N: startup gives up when Consul stays down', async (t) => {
  const { r } = setup(t, { retryAttempts: 2 }, (_rt, reg) => {
    reg.down = true;
  });
  await t.rejects(r.synced, RetryExhaustedError);
});

t.test('bad options throw naming the flag', async (t) => {
  const rt = new MemoryRuntime();
  const reg = new MemoryRegistry();
  const table: { input: Partial<RegistratorOptions>; want: RegExp }[] = [
    { input: { retryAttempts: -2 }, want: /--retry-attempts/ },
    { input: { resync: -1 }, want: /--resync/ },
    { input: { hostname: '' }, want: /--hostname/ },
  ];
  for (const c of table) {
    t.throws(() => new Registrator({ ...BASE, ...c.input }, rt, reg), {
      code: 'REGISTRATOR_BAD_OPTION',
      message: c.want,
    });
  }
});
