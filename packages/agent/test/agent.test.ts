// The agent engine (src/agent.ts, src/task-runner.ts) on the in-memory runtime and scheduler:
// convergence and idempotence, essential exits, kills, bad input, restart policy, reports
// queued while the scheduler is down, adoption after a restart, vanished tasks, cleanup,
// image cleanup and /health's scheduler threshold. Docker itself is covered by the
// docker-*.test.ts files.
import { sleep } from '@berth/daemon';
import { eventually, stays } from '@berth/daemon/testing';
import t, { type Test } from 'tap';
import { Agent, type AgentOptions } from '../src/index.js';
import { MemoryRuntime, MemoryScheduler } from '../src/testing/index.js';
import { IMAGE, tempDir, webTask } from './helpers.js';

interface Rig {
  runtime: MemoryRuntime;
  scheduler: MemoryScheduler;
  agent: Agent;
  dataDir: string;
}

async function rig(
  t: Test,
  options: Partial<AgentOptions> = {},
  shared?: { runtime: MemoryRuntime; scheduler: MemoryScheduler; dataDir: string },
): Promise<Rig> {
  const runtime = shared?.runtime ?? new MemoryRuntime([IMAGE]);
  const scheduler = shared?.scheduler ?? new MemoryScheduler('dev');
  const dataDir = shared?.dataDir ?? (await tempDir(t));
  const agent = new Agent(
    {
      cluster: 'dev',
      advertiseIp: '127.0.0.2',
      dataDir,
      housekeepingIntervalMs: 3_600_000,
      retryBaseMs: 10,
      retryMaxMs: 50,
      pollWait: 5_000,
      ...options,
    },
    runtime,
    scheduler.client(),
  );
  t.teardown(() => agent.close());
  await agent.start();
  return { runtime, scheduler, agent, dataDir };
}

t.test(
  'a task runs, is reported RUNNING with its bindings, and the same list changes nothing',
  async (t) => {
    const { scheduler, agent, runtime } = await rig(t);
    const arn = scheduler.runTask(agent.instanceArn, webTask('web'));
    const task = await scheduler.waitForStatus(arn, 'RUNNING');
    const report = task.reports[0];
    t.equal(report?.status, 'RUNNING');
    t.match(report?.containers, [
      {
        containerName: 'web',
        status: 'RUNNING',
        networkBindings: [
          { bindIP: '0.0.0.0', containerPort: 8080, hostPort: 32768, protocol: 'tcp' },
        ],
      },
    ]);
    t.equal(runtime.calls.filter((c) => c.startsWith('create')).length, 1);
    const polls = scheduler.polls;
    await agent.apply([
      ...(
        await scheduler.poll({ containerInstance: agent.instanceArn, version: 0, waitSeconds: 0 })
      ).tasks,
    ]);
    await agent.runner(arn)?.settled();
    t.ok(scheduler.polls > polls);
    t.equal(runtime.calls.filter((c) => c.startsWith('create')).length, 1, 'no second create');
    t.equal(runtime.calls.filter((c) => c.startsWith('start')).length, 1, 'no second start');
  },
);

t.test('an essential container exits → task STOPPED with reason and exit code', async (t) => {
  const { scheduler, agent, runtime } = await rig(t);
  const td = webTask('two');
  const arn = scheduler.runTask(agent.instanceArn, {
    ...td,
    containerDefinitions: [
      ...td.containerDefinitions,
      { name: 'side', image: IMAGE, essential: false },
    ],
  });
  await scheduler.waitForStatus(arn, 'RUNNING');
  const runner = agent.runner(arn);
  const side = runner?.containers.find((c) => c.name === 'side')?.dockerId as string;
  runtime.exit(side, 3);
  await eventually(
    'side container report',
    () => scheduler.tasks.get(arn)?.containerReports.length,
    { timeoutMs: 15_000 },
  );
  t.match(scheduler.tasks.get(arn)?.containerReports[0], {
    containerName: 'side',
    status: 'STOPPED',
    exitCode: 3,
  });
  t.equal(scheduler.tasks.get(arn)?.lastStatus, 'RUNNING', 'a non-essential exit keeps the task');
  const web = runner?.containers.find((c) => c.name === 'web')?.dockerId as string;
  runtime.exit(web, 2);
  const task = await scheduler.waitForStatus(arn, 'STOPPED');
  const stopped = task.reports.at(-1);
  t.equal(stopped?.reason, 'Essential container in task exited');
  t.match(stopped?.containers, [
    { containerName: 'web', status: 'STOPPED', exitCode: 2 },
    { containerName: 'side', status: 'STOPPED', exitCode: 3 },
  ]);
  t.ok((stopped?.executionStoppedAt ?? 0) > 0, 'executionStoppedAt set');
});

t.test('StopTask → containers stopped, STOPPED with the scheduler reason', async (t) => {
  const { scheduler, agent, runtime } = await rig(t);
  const arn = scheduler.runTask(agent.instanceArn, webTask('stopme'));
  await scheduler.waitForStatus(arn, 'RUNNING');
  scheduler.stopTask(arn, 'Task stopped by user');
  const task = await scheduler.waitForStatus(arn, 'STOPPED');
  t.equal(task.reports.at(-1)?.reason, 'Task stopped by user');
  t.match(task.reports.at(-1)?.containers, [{ status: 'STOPPED', exitCode: 143 }]);
  t.ok(runtime.calls.some((c) => c.startsWith('stop')));
});

t.test(
  'bad input: pull failure, taken port, bad definition → STOPPED with reasons, others unaffected',
  async (t) => {
    const { scheduler, agent } = await rig(t);
    const good = scheduler.runTask(
      agent.instanceArn,
      webTask('good', { portMappings: [{ containerPort: 8080, hostPort: 18080 }] }),
    );
    await scheduler.waitForStatus(good, 'RUNNING');
    const noImage = scheduler.runTask(
      agent.instanceArn,
      webTask('noimage', { image: 'berth/missing:1' }),
    );
    const portTaken = scheduler.runTask(
      agent.instanceArn,
      webTask('port', { portMappings: [{ containerPort: 8080, hostPort: 18080 }] }),
    );
    const badDef = scheduler.runTask(
      agent.instanceArn,
      webTask('bad', {}, { networkMode: 'awsvpc' }),
    );
    const r1 = await scheduler.waitForStatus(noImage, 'STOPPED');
    const r2 = await scheduler.waitForStatus(portTaken, 'STOPPED');
    const r3 = await scheduler.waitForStatus(badDef, 'STOPPED');
    t.match(
      r1.reports.at(-1)?.reason,
      /^CannotPullContainerError: pull access denied for berth\/missing:1/,
    );
    t.match(
      r2.reports.at(-1)?.reason,
      /^CannotStartContainerError: port is already allocated: 18080/,
    );
    t.match(
      r3.reports.at(-1)?.reason,
      /^CannotCreateContainerError: networkMode: "awsvpc" is not supported/,
    );
    t.same(
      [r1, r2, r3].map((r) => r.reports.map((x) => x.status)),
      [['STOPPED'], ['STOPPED'], ['STOPPED']],
      'failures before RUNNING are reported STOPPED only (TaskFailedToStart)',
    );
    t.equal(scheduler.tasks.get(good)?.lastStatus, 'RUNNING', 'the good task keeps running');
    const late = scheduler.runTask(agent.instanceArn, webTask('late'));
    await scheduler.waitForStatus(late, 'RUNNING');
    t.pass('the agent keeps working');
  },
);

t.test(
  'restart policy: restarted when it ran long enough, not when too short or ignored',
  async (t) => {
    const { scheduler, agent, runtime } = await rig(t);
    const arn = scheduler.runTask(
      agent.instanceArn,
      webTask('restarts', {
        restartPolicy: { enabled: true, ignoredExitCodes: [7], restartAttemptPeriod: 0 },
      }),
    );
    await scheduler.waitForStatus(arn, 'RUNNING');
    const rec = agent.runner(arn)?.containers[0];
    const id = rec?.dockerId as string;
    runtime.exit(id, 1);
    await eventually('restarted', () => rec?.restarts === 1 && rec.status === 'RUNNING', {
      timeoutMs: 15_000,
    });
    await eventually(
      'container report after restart',
      () => scheduler.tasks.get(arn)?.containerReports.length,
      { timeoutMs: 15_000 },
    );
    t.match(scheduler.tasks.get(arn)?.containerReports[0], {
      status: 'RUNNING',
      networkBindings: [{ containerPort: 8080 }],
    });
    t.equal(scheduler.tasks.get(arn)?.lastStatus, 'RUNNING', 'task stays RUNNING across a restart');
    runtime.exit(id, 7);
    const task = await scheduler.waitForStatus(arn, 'STOPPED');
    t.equal(
      task.reports.at(-1)?.reason,
      'Essential container in task exited',
      'ignored exit code → no restart',
    );
    t.equal(rec?.restarts, 1);

    const short = scheduler.runTask(
      agent.instanceArn,
      webTask('short', { restartPolicy: { enabled: true, restartAttemptPeriod: 3600 } }),
    );
    await scheduler.waitForStatus(short, 'RUNNING');
    runtime.exit(agent.runner(short)?.containers[0]?.dockerId as string, 1);
    await scheduler.waitForStatus(short, 'STOPPED');
    t.equal(
      agent.runner(short)?.containers[0]?.restarts,
      0,
      'ran less than restartAttemptPeriod → not restarted',
    );
  },
);

t.test(
  'scheduler down: reports are retried, in order, nothing lost; /health degrades past the threshold',
  async (t) => {
    const { scheduler, agent, runtime } = await rig(t, { degradedAfter: 200 });
    const health: (readonly string[])[] = [];
    agent.on('health', (r) => health.push(r));
    const arn = scheduler.runTask(agent.instanceArn, webTask('down'));
    await scheduler.waitForStatus(arn, 'RUNNING');
    scheduler.down = true;
    const id = agent.runner(arn)?.containers[0]?.dockerId as string;
    runtime.exit(id, 9);
    await eventually('the agent noticed', () => agent.runner(arn)?.state === 'STOPPED', {
      timeoutMs: 15_000,
    });
    await eventually(
      'retries happened',
      () =>
        scheduler.received.length >= 1 && agent.pendingReports === 1 && !agent.schedulerReachable,
      { timeoutMs: 15_000 },
    );
    await eventually(
      'degraded',
      () => agent.healthReasons.some((r) => r.startsWith('scheduler unreachable since')),
      { timeoutMs: 5000 },
    );
    t.equal(scheduler.tasks.get(arn)?.lastStatus, 'RUNNING', 'not yet told');
    scheduler.down = false;
    const task = await scheduler.waitForStatus(arn, 'STOPPED');
    t.same(
      task.reports.map((r) => r.status),
      ['RUNNING', 'STOPPED'],
      'in order, each once accepted',
    );
    t.match(task.reports[1]?.containers, [{ exitCode: 9 }]);
    await eventually('healthy again', () => agent.healthReasons.length === 0, {
      timeoutMs: 15_000,
    });
    t.ok(
      health.some((r) => r.length > 0) && health.at(-1)?.length === 0,
      'health went degraded then ok',
    );
  },
);

t.test(
  'agent restart: same identity, containers adopted (no duplicates), exits still reported',
  async (t) => {
    const first = await rig(t);
    const { scheduler, runtime, dataDir } = first;
    const arn = scheduler.runTask(first.agent.instanceArn, webTask('adopt'));
    await scheduler.waitForStatus(arn, 'RUNNING');
    const creates = runtime.calls.filter((c) => c.startsWith('create')).length;
    await first.agent.close();
    t.equal(runtime.containers.size, 1, 'shutdown leaves the container running');
    t.ok([...runtime.containers.values()][0]?.info.running);

    const second = await rig(t, {}, { runtime, scheduler, dataDir });
    t.equal(second.agent.instanceArn, first.agent.instanceArn, 'same container instance ARN');
    t.equal(second.agent.instanceId, first.agent.instanceId, 'same instance id');
    await eventually('adopted', () => second.agent.runner(arn)?.state === 'RUNNING', {
      timeoutMs: 15_000,
    });
    t.equal(
      runtime.calls.filter((c) => c.startsWith('create')).length,
      creates,
      'no new container',
    );
    runtime.exit(second.agent.runner(arn)?.containers[0]?.dockerId as string, 4);
    const task = await scheduler.waitForStatus(arn, 'STOPPED');
    t.match(task.reports.at(-1), { status: 'STOPPED', containers: [{ exitCode: 4 }] });
  },
);

t.test(
  'containers that exited or vanished while the agent was down are reported STOPPED',
  async (t) => {
    const first = await rig(t);
    const { scheduler, runtime, dataDir } = first;
    const exited = scheduler.runTask(first.agent.instanceArn, webTask('exited'));
    const gone = scheduler.runTask(first.agent.instanceArn, webTask('gone'));
    await scheduler.waitForStatus(exited, 'RUNNING');
    await scheduler.waitForStatus(gone, 'RUNNING');
    const exitedId = first.agent.runner(exited)?.containers[0]?.dockerId as string;
    const goneId = first.agent.runner(gone)?.containers[0]?.dockerId as string;
    await first.agent.close();
    runtime.exit(exitedId, 5);
    await runtime.remove(goneId);

    await rig(t, {}, { runtime, scheduler, dataDir });
    const a = await scheduler.waitForStatus(exited, 'STOPPED');
    const b = await scheduler.waitForStatus(gone, 'STOPPED');
    t.match(a.reports.at(-1), {
      reason: 'Essential container in task exited',
      containers: [{ exitCode: 5 }],
    });
    t.equal(
      b.reports.at(-1)?.reason,
      'Task containers vanished while the agent was not watching them',
    );
  },
);

t.test('cleanup after --cleanup-wait, oldest first, task volumes too', async (t) => {
  const { scheduler, agent, runtime } = await rig(t, { cleanupWait: 0 });
  const arns: string[] = [];
  for (const name of ['c1', 'c2', 'c3']) {
    const arn = scheduler.runTask(
      agent.instanceArn,
      webTask(
        name,
        { mountPoints: [{ sourceVolume: 'tmp', containerPath: '/tmp/x' }] },
        { volumes: [{ name: 'tmp' }] },
      ),
    );
    await scheduler.waitForStatus(arn, 'RUNNING');
    arns.push(arn);
  }
  for (const arn of [arns[1], arns[0], arns[2]] as string[]) {
    scheduler.stopTask(arn);
    await scheduler.waitForStatus(arn, 'STOPPED');
    await eventually('acknowledged', () => agent.runner(arn)?.acked === 'STOPPED', {
      timeoutMs: 15_000,
    });
  }
  t.equal(runtime.containers.size, 3, 'stopped containers stay until cleanup');
  const cleaned: string[] = [];
  agent.on('cleanup', (arn) => cleaned.push(arn));
  await agent.housekeeping();
  t.same(cleaned, [arns[1], arns[0], arns[2]], 'oldest stop first');
  t.equal(runtime.containers.size, 0, 'containers removed');
  t.equal(runtime.volumes.size, 0, 'task volumes removed');
  t.same(agent.tasks(), [], 'forgotten');
});

t.test('a stopped task is kept while --cleanup-wait has not passed', async (t) => {
  const { scheduler, agent, runtime } = await rig(t, { cleanupWait: 60_000 });
  const arn = scheduler.runTask(agent.instanceArn, webTask('keep'));
  await scheduler.waitForStatus(arn, 'RUNNING');
  scheduler.stopTask(arn);
  await scheduler.waitForStatus(arn, 'STOPPED');
  await agent.housekeeping();
  t.equal(runtime.containers.size, 1);
});

t.test('image cleanup over the disk threshold removes unused task images, LRU first', async (t) => {
  const runtime = new MemoryRuntime([IMAGE, 'app:old', 'app:new']);
  runtime.disk = { usedBytes: 95, totalBytes: 100 };
  const { scheduler, agent } = await rig(
    t,
    { imageGcThreshold: 90, imageGcMinAge: 0 },
    {
      runtime,
      scheduler: new MemoryScheduler('dev'),
      dataDir: await tempDir(t),
    },
  );
  for (const image of ['app:old', 'app:new', IMAGE]) {
    const arn = scheduler.runTask(
      agent.instanceArn,
      webTask(image.replace(/\W/g, ''), { image, portMappings: [] }),
    );
    await scheduler.waitForStatus(arn, 'RUNNING');
    if (image !== IMAGE) {
      scheduler.stopTask(arn);
      await scheduler.waitForStatus(arn, 'STOPPED');
      await eventually('acked', () => agent.runner(arn)?.acked === 'STOPPED', {
        timeoutMs: 15_000,
      });
      for (const c of agent.runner(arn)?.containers ?? [])
        await runtime.remove(c.dockerId as string);
    }
    await sleep(5); // the next image is used later (least-recently-used order)
  }
  const removed: string[] = [];
  agent.on('image-removed', (ref) => removed.push(ref));
  const remove = runtime.removeImage.bind(runtime);
  runtime.removeImage = async (ref) => {
    const ok = await remove(ref);
    runtime.disk = { usedBytes: 50, totalBytes: 100 }; // one removal frees enough
    return ok;
  };
  await agent.imageGc();
  t.same(removed, ['app:old'], 'least recently used first, stops once under the threshold');
  t.ok(runtime.images.has(IMAGE), 'an image in use is never removed');
  t.ok(runtime.images.has('app:new'));
});

t.test(
  "Docker health changes are reported to the scheduler as the container's healthStatus",
  async (t) => {
    const { scheduler, agent, runtime } = await rig(t);
    const arn = scheduler.runTask(
      agent.instanceArn,
      webTask('hc', { healthCheck: { command: ['CMD-SHELL', 'true'] } }),
    );
    await scheduler.waitForStatus(arn, 'RUNNING');
    const id = agent.runner(arn)?.containers.find((c) => c.name === 'web')?.dockerId as string;
    const cases = [
      { name: 'healthy', input: 'healthy', want: 'HEALTHY' },
      { name: 'unhealthy', input: 'unhealthy', want: 'UNHEALTHY' },
    ];
    for (const [i, c] of cases.entries()) {
      runtime.setHealth(id, c.input);
      await eventually(c.name, () => (scheduler.tasks.get(arn)?.containerReports.length ?? 0) > i, {
        timeoutMs: 15_000,
      });
      t.match(scheduler.tasks.get(arn)?.containerReports[i], {
        containerName: 'web',
        status: 'RUNNING',
        healthStatus: c.want,
      });
    }
    runtime.setHealth(id, 'unhealthy');
    await stays(
      'an unchanged status is not re-sent',
      () => scheduler.tasks.get(arn)?.containerReports.length === 2,
    ).catch(() => {});
    t.equal(
      scheduler.tasks.get(arn)?.containerReports.length,
      2,
      'an unchanged status is not re-sent',
    );
  },
);
