// ECS services end to end: scheduler + catalog + simulated agents. CreateService places and
// keeps desiredCount RUNNING, killed and lost tasks are replaced, a rolling update stays within
// minimumHealthyPercent / maximumPercent at every observed step, DAEMON follows joins and
// drains, DeleteService drains to INACTIVE, bad input is refused with nothing half-created.
import { eventually } from '@berth/daemon/testing';
import t from 'tap';
import { SimulatedAgent } from '../src/testing/index.js';
import { EcsCallError } from '../src/client/ecs-json-client.js';
import type { TaskRt } from '../src/state/scheduler-state.js';
import { CREDS, startStack, webTaskDef, type Stack } from './fixtures.js';

interface Svc {
  status: string;
  desiredCount: number;
  runningCount: number;
  deployments: { status: string; taskDefinition: string; rolloutState: string }[];
  events: { message: string }[];
}

let stack: Stack;
const agents: SimulatedAgent[] = [];

async function agent(zone: string): Promise<SimulatedAgent> {
  const a = new SimulatedAgent({
    endpoint: stack.scheduler.url,
    credentials: CREDS,
    availabilityZone: zone,
    waitSeconds: 5,
  });
  await a.register();
  a.start();
  agents.push(a);
  return a;
}

function liveTasks(group: string): TaskRt[] {
  const ctx = stack.scheduler.replica.context;
  if (!ctx) return [];
  return [...ctx.state.tasks.values()].filter(
    (x) => x.committed && x.rec.group === group && x.rec.lastStatus !== 'STOPPED' && !x.rec.done,
  );
}
const running = (group: string): TaskRt[] =>
  liveTasks(group).filter(
    (x) => x.rec.lastStatus === 'RUNNING' && x.rec.desiredStatus === 'RUNNING',
  );

async function describe(name: string): Promise<Svc> {
  const r = await stack.json.ecs<{ services: Svc[] }>('DescribeServices', { services: [name] });
  return r.services[0] as Svc;
}

t.before(async () => {
  stack = await startStack({
    agentGrace: 1000,
    lostAfter: 2000,
    serviceIntervalMs: 300,
  });
  await stack.json.ecs('RegisterTaskDefinition', webTaskDef('web'));
  await stack.json.ecs('RegisterTaskDefinition', webTaskDef('web'));
  await stack.json.ecs('RegisterTaskDefinition', {
    family: 'mon',
    containerDefinitions: [{ name: 'mon', image: 'berth-test/busybox', cpu: 64, memory: 32 }],
  });
  for (const z of ['a', 'b', 'c']) await agent(`local-1${z}`);
});

t.teardown(async () => {
  for (const a of agents) await a.stop();
  await stack.close();
});

t.test('bad input is refused and nothing is created', async (t) => {
  const cases = [
    {
      name: 'unknown task definition',
      input: { serviceName: 'x1', taskDefinition: 'nope:1', desiredCount: 1 },
      want: { type: 'ClientException', msg: /TaskDefinition not found/ },
    },
    {
      name: 'DAEMON with desiredCount',
      input: {
        serviceName: 'x2',
        taskDefinition: 'web',
        desiredCount: 1,
        schedulingStrategy: 'DAEMON',
      },
      want: { type: 'InvalidParameterException', msg: /daemon scheduling strategy/ },
    },
    {
      name: 'maximumPercent below 100',
      input: {
        serviceName: 'x3',
        taskDefinition: 'web',
        desiredCount: 1,
        deploymentConfiguration: { maximumPercent: 50 },
      },
      want: { type: 'InvalidParameterException', msg: /maximumPercent/ },
    },
    {
      name: 'minimumHealthyPercent above 100',
      input: {
        serviceName: 'x4',
        taskDefinition: 'web',
        desiredCount: 1,
        deploymentConfiguration: { minimumHealthyPercent: 101 },
      },
      want: { type: 'InvalidParameterException', msg: /minimumHealthyPercent/ },
    },
  ];
  for (const c of cases) {
    const err = await stack.json.ecs('CreateService', c.input).then(
      () => undefined,
      (e: unknown) => e,
    );
    t.ok(err instanceof EcsCallError, c.name);
    if (err instanceof EcsCallError) {
      t.equal(err.type, c.want.type, `${c.name}: type`);
      t.match(err.message, c.want.msg, `${c.name}: message`);
    }
  }
  const list = await stack.json.ecs<{ serviceArns: string[] }>('ListServices', {});
  t.same(list.serviceArns, [], 'nothing half-created');
});

t.test(
  'REPLICA: create, replace a killed task, roll out within bounds, lose an agent',
  async (t) => {
    const created = await stack.json.ecs<{ service: Svc & { serviceArn: string } }>(
      'CreateService',
      {
        serviceName: 'web',
        taskDefinition: 'web:1',
        desiredCount: 3,
        deploymentConfiguration: { deploymentCircuitBreaker: { enable: false, rollback: false } },
      },
    );
    t.match(created.service.serviceArn, /:service\/default\/web$/);
    t.equal(created.service.status, 'ACTIVE');
    await eventually(
      "running('service:web').length === 3",
      () => running('service:web').length === 3,
      { timeoutMs: 10_000 },
    );
    const spread = new Set(running('service:web').map((x) => x.rec.instanceId));
    t.equal(spread.size, 3, 'spread over the three zones');
    await eventually(
      "(await describe('web')).events.some((e) => /steady state/.test(e.me...",
      async () => (await describe('web')).events.some((e) => /steady state/.test(e.message)),
      { timeoutMs: 10_000 },
    );
    const d = await describe('web');
    t.equal(d.runningCount, 3);
    t.equal(d.deployments[0]?.rolloutState, 'COMPLETED');

    const taken = await stack.json
      .ecs('CreateService', { serviceName: 'web', taskDefinition: 'web', desiredCount: 1 })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    t.ok(taken instanceof EcsCallError && taken.type === 'InvalidParameterException', 'name taken');

    // Kill one task: the agent reports it exited.
    const victim = running('service:web')[0] as TaskRt;
    const victimArn = `arn:aws:ecs:us-east-1:000000000000:task/default/${victim.rec.id}`;
    const owner = agents.find((a) => a.tasks.has(victimArn)) as SimulatedAgent;
    const t0 = Date.now();
    await owner.report(victimArn, 'STOPPED', { exitCode: 1, reason: 'killed' });
    await eventually(
      "running('service:web').length === 3 && !running('service:web').incl...",
      () => running('service:web').length === 3 && !running('service:web').includes(victim),
      { timeoutMs: 5000 },
    );
    // Speed is bench/services' job; the bounded wait above is the functional check.
    t.pass('the stopped task was replaced');
    t.comment(`replaced in ${Date.now() - t0} ms`);

    // Rolling update 200/100: never below 3 healthy, never above 6 tasks.
    let minSeen = Infinity;
    let maxSeen = 0;
    let steps = 0;
    const sample = setInterval(() => {
      minSeen = Math.min(minSeen, running('service:web').length);
      maxSeen = Math.max(maxSeen, liveTasks('service:web').length);
      steps++;
    }, 5);
    await stack.json.ecs('UpdateService', { service: 'web', taskDefinition: 'web:2' });
    await eventually(
      'condition',
      async () => {
        const s = await describe('web');
        return (
          s.deployments.length === 1 &&
          s.deployments[0]?.rolloutState === 'COMPLETED' &&
          running('service:web').every((x) => x.rec.taskDefinition === 'web:2') &&
          running('service:web').length === 3
        );
      },
      { timeoutMs: 15_000 },
    );
    clearInterval(sample);
    t.ok(minSeen >= 3, `never below minimumHealthyPercent (min ${minSeen} over ${steps} samples)`);
    t.ok(maxSeen <= 6, `never above maximumPercent (max ${maxSeen})`);

    // Lose an agent: its tasks are marked lost and replaced on the others.
    const lost = agents[2] as SimulatedAgent;
    const lostId = lost.arn?.slice(lost.arn.lastIndexOf('/') + 1);
    await lost.stop();
    await eventually(
      "running('service:web').length === 3 && running('service:web').every...",
      () =>
        running('service:web').length === 3 &&
        running('service:web').every((x) => x.rec.instanceId !== lostId),
      { timeoutMs: 15_000 },
    );
    t.pass('lost agent tasks moved');
  },
);

t.test('DAEMON: one per connected instance, on join, off a draining instance', async (t) => {
  await stack.json.ecs('CreateService', {
    serviceName: 'mon',
    taskDefinition: 'mon',
    schedulingStrategy: 'DAEMON',
  });
  const connected = (): number => agents.filter((a) => agents.indexOf(a) !== 2).length;
  await eventually(
    "running('service:mon').length === connected()",
    () => running('service:mon').length === connected(),
    { timeoutMs: 10_000 },
  );
  const d = await agent('local-1d');
  await eventually(
    "running('service:mon').length === connected()",
    () => running('service:mon').length === connected(),
    { timeoutMs: 10_000 },
  );
  t.ok(
    running('service:mon').some((x) => d.arn?.endsWith(x.rec.instanceId)),
    'started on the joining instance',
  );
  const drained = agents[0] as SimulatedAgent;
  await stack.json.ecs('UpdateContainerInstancesState', {
    containerInstances: [drained.arn],
    status: 'DRAINING',
  });
  await eventually(
    "running('service:mon').every((x) => !drained.arn?.endsWith(x.rec.in...",
    () =>
      running('service:mon').every((x) => !drained.arn?.endsWith(x.rec.instanceId)) &&
      running('service:web').every((x) => !drained.arn?.endsWith(x.rec.instanceId)) &&
      running('service:web').length === 3,
    { timeoutMs: 15_000 },
  );
  t.equal(running('service:mon').length, connected() - 1, 'stopped on the draining instance');
});

t.test('DeleteService needs force above 0 and drains to INACTIVE', async (t) => {
  const err = await stack.json.ecs('DeleteService', { service: 'web' }).then(
    () => undefined,
    (e: unknown) => e,
  );
  t.ok(err instanceof EcsCallError && err.type === 'InvalidParameterException', 'force needed');
  const r = await stack.json.ecs<{ service: Svc }>('DeleteService', {
    service: 'web',
    force: true,
  });
  t.equal(r.service.status, 'DRAINING');
  await eventually(
    "(await describe('web')).status === 'INACTIVE'",
    async () => (await describe('web')).status === 'INACTIVE',
    { timeoutMs: 10_000 },
  );
  t.equal(running('service:web').length, 0);
  const list = await stack.json.ecs<{ serviceArns: string[] }>('ListServices', {});
  t.same(
    list.serviceArns.map((a) => a.split('/').pop()),
    ['mon'],
  );
});
