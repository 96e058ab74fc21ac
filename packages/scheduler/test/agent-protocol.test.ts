// The agent protocol with simulated agents: long-poll delivery within 50 ms, level-triggered
// and idempotent polls, forward-only reports, stopCodes, the agent grace period and lost agents.
import { sleep } from '@berth/daemon';
import { eventually } from '@berth/daemon/testing';
import t from 'tap';
import { SimulatedAgent } from '../src/testing/index.js';
import { EcsCallError } from '../src/client/ecs-json-client.js';
import { LOST_REASON } from '../src/core/task-transitions.js';
import { CREDS, startStack, webTaskDef } from './fixtures.js';

const s = await startStack({ agentGrace: 400, lostAfter: 900 });
t.teardown(() => s.close());
await s.json.ecs('CreateCluster', { clusterName: 'p' });
await s.json.ecs('RegisterTaskDefinition', webTaskDef('web'));

const mk = (opts: Partial<ConstructorParameters<typeof SimulatedAgent>[0]> = {}) =>
  new SimulatedAgent({
    endpoint: s.scheduler.url,
    credentials: CREDS,
    cluster: 'p',
    waitSeconds: 20,
    ...opts,
  });

interface TaskOut {
  taskArn: string;
  lastStatus: string;
  stopCode?: string;
  stoppedReason?: string;
}
const describe = async (arn: string): Promise<TaskOut> =>
  (await s.json.ecs<{ tasks: TaskOut[] }>('DescribeTasks', { cluster: 'p', tasks: [arn] }))
    .tasks[0]!;

t.test('an assignment reaches a polling agent (latency reported)', async (t) => {
  const a = mk({ autoRun: false, cpu: 100_000, memory: 100_000 });
  await a.register();
  a.start();
  await eventually('a.polls >= 1', () => a.polls >= 1, { timeoutMs: 2000 });
  const delays: number[] = [];
  for (let i = 0; i < 20; i++) {
    await sleep(30); // choreography, not a check: the agent's next poll is waiting
    const got = new Promise<number>((resolve) => a.once('task', () => resolve(performance.now())));
    const sent = performance.now();
    const r = await s.json.ecs<{ tasks: { taskArn: string }[] }>('RunTask', {
      cluster: 'p',
      taskDefinition: 'web',
      startedBy: `latency-${i}`,
    });
    const seen = await got;
    t.ok(a.tasks.has(r.tasks[0]!.taskArn));
    // From sending RunTask (placement, KV commit) to the agent holding the assignment.
    delays.push(seen - sent);
  }
  delays.sort((x, y) => x - y);
  const p50 = delays[10]!;
  // The 50 ms target is measured by bench/scheduler (assignments delivered); here only report.
  t.comment(
    `median RunTask-sent to agent-has-it ${p50.toFixed(1)} ms (max ${delays[19]!.toFixed(1)} ms)`,
  );
  await a.stop();
});

t.test('polls are level-triggered, idempotent, and versions only increase', async (t) => {
  const a = mk({ autoRun: false });
  const arn = await a.register();
  const first = await a.client.agent<{ version: number; tasks: unknown[] }>('PollAssignments', {
    cluster: 'p',
    containerInstance: arn,
    version: 0,
    waitSeconds: 0,
  });
  t.ok(first.version > 0, 'a registered instance has a version');
  const t0 = performance.now();
  const same = await a.client.agent<{ version: number }>('PollAssignments', {
    cluster: 'p',
    containerInstance: arn,
    version: first.version,
    waitSeconds: 1,
  });
  t.equal(same.version, first.version, 'no change: same version after the wait');
  t.ok(performance.now() - t0 >= 900, 'the poll was held');
  await s.json.ecs('StartTask', { cluster: 'p', taskDefinition: 'web', containerInstances: [arn] });
  const next = await a.client.agent<{ version: number; tasks: { taskArn: string }[] }>(
    'PollAssignments',
    {
      cluster: 'p',
      containerInstance: arn,
      version: first.version,
      waitSeconds: 5,
    },
  );
  t.ok(next.version > first.version);
  t.equal(next.tasks.length, 1);
  const again = await a.client.agent<{ version: number; tasks: { taskArn: string }[] }>(
    'PollAssignments',
    {
      cluster: 'p',
      containerInstance: arn,
      version: 0,
      waitSeconds: 0,
    },
  );
  t.same(again.tasks, next.tasks, 'the same list again (at-least-once)');
  const re = await a.register();
  t.equal(re, arn, 're-registration keeps the ARN');
  const after = await a.client.agent<{ version: number; tasks: unknown[] }>('PollAssignments', {
    cluster: 'p',
    containerInstance: arn,
    version: 0,
    waitSeconds: 0,
  });
  t.ok(after.version >= next.version, 'version never goes back');
  t.equal(after.tasks.length, 1, 'tasks survive a re-registration');
  const taskArn = next.tasks[0]!.taskArn;
  await a.report(taskArn, 'STOPPED', { reason: 'CannotPullContainerError: pull access denied' });
  const d = await describe(taskArn);
  t.equal(d.lastStatus, 'STOPPED');
  t.equal(d.stopCode, 'TaskFailedToStart');
  t.match(d.stoppedReason, /CannotPullContainerError/);
  const empty = await a.client.agent<{ tasks: unknown[] }>('PollAssignments', {
    cluster: 'p',
    containerInstance: arn,
    version: 0,
    waitSeconds: 0,
  });
  t.same(empty.tasks, [], 'a confirmed STOPPED task leaves the list');
  await a.stop();
});

t.test('reports: RUNNING, repeated, EssentialContainerExited', async (t) => {
  const a = mk({ autoRun: false });
  const arn = await a.register();
  const r = await s.json.ecs<{ tasks: { taskArn: string }[] }>('StartTask', {
    cluster: 'p',
    taskDefinition: 'web',
    containerInstances: [arn],
  });
  const taskArn = r.tasks[0]!.taskArn;
  await a.pollOnce(0);
  await a.report(taskArn, 'RUNNING');
  await a.report(taskArn, 'RUNNING');
  t.equal((await describe(taskArn)).lastStatus, 'RUNNING');
  await a.report(taskArn, 'STOPPED', { exitCode: 2 });
  const d = await describe(taskArn);
  t.equal(d.stopCode, 'EssentialContainerExited');
  t.equal(d.stoppedReason, 'Essential container in task exited');
  await a.stop();
});

t.test(
  'disconnected agents are skipped (AGENT); lost agents have their tasks stopped',
  async (t) => {
    const a = mk({ waitSeconds: 1 });
    const arn = await a.register();
    a.start();
    const r = await s.json.ecs<{ tasks: { taskArn: string }[] }>('StartTask', {
      cluster: 'p',
      taskDefinition: 'web',
      containerInstances: [arn],
    });
    const taskArn = r.tasks[0]!.taskArn;
    await eventually(
      "(await describe(taskArn)).lastStatus === 'RUNNING'",
      async () => (await describe(taskArn)).lastStatus === 'RUNNING',
      { timeoutMs: 3000 },
    );
    await a.stop();
    await eventually(
      'condition',
      async () => {
        const d = await s.json.ecs<{ containerInstances: { agentConnected: boolean }[] }>(
          'DescribeContainerInstances',
          { cluster: 'p', containerInstances: [arn] },
        );
        return d.containerInstances[0]!.agentConnected === false;
      },
      { timeoutMs: 3000 },
    );
    const skipped = await s.json.ecs<{
      tasks: unknown[];
      failures: { arn: string; reason: string }[];
    }>('StartTask', { cluster: 'p', taskDefinition: 'web', containerInstances: [arn] });
    t.same(skipped.tasks, []);
    t.same(
      skipped.failures.map((f) => f.reason),
      ['AGENT'],
    );
    await eventually(
      "(await describe(taskArn)).lastStatus === 'STOPPED'",
      async () => (await describe(taskArn)).lastStatus === 'STOPPED',
      { timeoutMs: 5000 },
    );
    const lost = await describe(taskArn);
    t.equal(lost.stoppedReason, LOST_REASON);
    // The agent comes back: it is told to stop the task, confirms, and the list empties.
    const back = mk({ containerInstanceArn: arn, instanceId: a.instanceId });
    await back.register();
    back.start();
    await eventually(
      "back.reported.get(taskArn) === 'STOPPED'",
      () => back.reported.get(taskArn) === 'STOPPED',
      { timeoutMs: 3000 },
    );
    await eventually(
      'condition',
      async () => {
        const p = await back.client.agent<{ tasks: unknown[] }>('PollAssignments', {
          cluster: 'p',
          containerInstance: arn,
          version: 0,
          waitSeconds: 0,
        });
        return p.tasks.length === 0;
      },
      { timeoutMs: 3000 },
    );
    t.pass('the returning agent confirmed the lost task stopped');
    await back.stop();
  },
);

t.test('bad agent input', async (t) => {
  const a = mk();
  const cases: {
    name: string;
    body: Record<string, unknown>;
    action: string;
    type: string;
    re: RegExp;
  }[] = [
    {
      name: 'unknown instance',
      action: 'PollAssignments',
      body: { cluster: 'p', containerInstance: 'nope' },
      type: 'InvalidParameterException',
      re: /container instance/,
    },
    {
      name: 'waitSeconds too long',
      action: 'PollAssignments',
      body: { cluster: 'p', containerInstance: 'x', waitSeconds: 61 },
      type: 'InvalidParameterException',
      re: /waitSeconds/,
    },
  ];
  for (const c of cases) {
    try {
      await a.client.agent(c.action, c.body);
      t.fail(c.name);
    } catch (e) {
      t.equal((e as EcsCallError).type, c.type, c.name);
      t.match((e as EcsCallError).message, c.re, c.name);
    }
  }
  try {
    await a.client.ecs('SubmitTaskStateChange', { cluster: 'p', task: 'nope', status: 'RUNNING' });
    t.fail('unknown task');
  } catch (e) {
    t.match((e as EcsCallError).message, /task was not found/);
  }
  try {
    await a.client.ecs('RegisterContainerInstance', { cluster: 'p', totalResources: [] });
    t.fail('no resources');
  } catch (e) {
    t.match((e as EcsCallError).message, /CPU/);
  }
  a.client.close();
});
