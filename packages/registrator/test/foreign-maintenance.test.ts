// Issue 15: the scheduler drains a task from the routers before stopping it by putting its
// services in maintenance. A full reconcile of the registrator must leave that maintenance
// alone (it is not the registrator's), while it still clears its own (a container unpaused).
import t from 'tap';
import { eventually } from '@berth/daemon/testing';
import { type ContainerInfo, Registrator } from '../src/index.js';
import { MemoryRegistry, MemoryRuntime } from '../src/testing/index.js';

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

t.test('a resync keeps maintenance someone else turned on', async (t) => {
  const rt = new MemoryRuntime();
  const reg = new MemoryRegistry();
  rt.set(box('1'));
  rt.set(box('2'));
  const r = new Registrator(
    {
      hostname: 'h1',
      ip: '127.0.0.2',
      resync: 0,
      consulProbe: 0,
      retryInterval: 5,
      retryMaxMs: 20,
    },
    rt,
    reg,
  );
  r.start();
  t.teardown(() => r.close());
  await eventually('registered', () => reg.services.size === 2);
  await reg.setMaintenance('h1:c-1:80', true, 'draining before stop (berth scheduler)');
  await reg.setMaintenance('h1:c-2:80', true, 'container paused (berth registrator)');
  await r.requestReconcile('periodic');
  t.equal(reg.services.get('h1:c-1:80')?.maintenance, true, "the scheduler's drain stays");
  t.equal(reg.services.get('h1:c-2:80')?.maintenance, false, 'its own, stale, is cleared');
});
