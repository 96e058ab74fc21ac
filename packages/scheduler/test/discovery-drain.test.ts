// Issue 15: a rolling update or scale-in takes a task out of discovery before stopping it.
// Its Consul service (registered as the registrator would, Meta berth-container = the task's
// container) goes into maintenance, the catalog stops listing it as passing, and only after
// the drain delay does the scheduler ask the agent to stop the task.
import t from 'tap';
import { eventually } from '@berth/daemon/testing';
import { SimulatedAgent } from '../src/testing/index.js';
import { CREDS, startStack, webTaskDef } from './fixtures.js';

t.test('scale-in: maintenance in Consul first, the stop after the drain delay', async (t) => {
  const stack = await startStack({ serviceIntervalMs: 200, discoveryDrain: 500 });
  t.teardown(() => stack.close());
  const agent = new SimulatedAgent({
    endpoint: stack.scheduler.url,
    credentials: CREDS,
    waitSeconds: 2,
  });
  await agent.register();
  agent.start();
  t.teardown(() => agent.stop());
  await stack.json.ecs('RegisterTaskDefinition', webTaskDef('web'));
  await stack.json.ecs('CreateService', {
    serviceName: 'web',
    taskDefinition: 'web',
    desiredCount: 1,
  });
  const ctx = () => stack.scheduler.replica.context!;
  const task = await eventually('the task runs', () =>
    [...ctx().state.tasks.values()].find((x) => x.rec.lastStatus === 'RUNNING'),
  );
  const runtimeId = task.rec.containers?.[0]?.runtimeId;
  t.ok(runtimeId, 'the agent reported its container');
  // What the registrator registers for it.
  const res = await fetch(`${stack.catalog.url}/v1/agent/service/register`, {
    method: 'PUT',
    body: JSON.stringify({
      ID: 'h1:web-1:80',
      Name: 'web',
      Port: 30001,
      Meta: { 'berth-container': runtimeId, 'berth-registrator': 'h1' },
    }),
  });
  t.equal(res.status, 200);
  const passing = async (): Promise<number> =>
    (
      (await (
        await fetch(`${stack.catalog.url}/v1/health/service/web?passing`)
      ).json()) as unknown[]
    ).length;
  t.equal(await passing(), 1, 'listed before');

  const events: string[] = [];
  let watching = true;
  const sample = async (): Promise<void> => {
    // The stop first: a sample must never see the stop before the listing it came after.
    const stopRequested = task.rec.desiredStatus === 'STOPPED';
    const p = await passing();
    const e = `${p === 0 ? 'unlisted' : 'listed'} ${stopRequested ? 'stopping' : 'running'}`;
    if (events.at(-1) !== e) events.push(e);
  };
  const watcher = (async () => {
    while (watching) {
      await sample();
      await new Promise((r) => setTimeout(r, 20));
    }
    await sample();
  })();
  await stack.json.ecs('UpdateService', { service: 'web', desiredCount: 0 });
  await eventually('the stop was requested', () => task.rec.desiredStatus === 'STOPPED', {
    timeoutMs: 10_000,
  });
  watching = false;
  await watcher;
  t.same(
    events,
    ['listed running', 'unlisted running', 'unlisted stopping'],
    'unlisted, then stopped',
  );
  const checks = (await (await fetch(`${stack.catalog.url}/v1/agent/checks`)).json()) as Record<
    string,
    { Notes: string }
  >;
  t.match(checks['_service_maintenance:h1:web-1:80']?.Notes, /draining before the task stops/);
});
