// Issue 8: `kill -9` of the agent (a real child process, dist/daemon/main.js, speaking signed HTTP to
// a scheduler) while tasks change, then a restart with the same --data-dir: same container
// instance, running containers adopted (no duplicates), a task that was being created
// finished once, containers that exited or vanished while it was down reported STOPPED.
// Children are killed by pid in teardown; only this run's containers are touched.
import { eventually } from '@berth/daemon/testing';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import type { TaskDefinition } from '@berth/protocol';
import { MemoryScheduler } from '../src/testing/index.js';
import { TEST_LABEL } from '../../../test/helpers/docker.js';
import { dockerRig, get } from './docker-helpers.js';
import { IMAGE, tempDir } from './helpers.js';
import { TEST_CREDENTIALS, serveScheduler } from './scheduler-server.js';

const MAIN = fileURLToPath(new URL('../dist/daemon/main.js', import.meta.url));

interface Child {
  readonly proc: ChildProcess;
  /** `host:port` of the introspection listener, once logged. */
  readonly listening: Promise<string>;
}

function spawnAgent(args: string[]): Child {
  const proc = spawn(process.execPath, [MAIN, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      AWS_ACCESS_KEY_ID: TEST_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: TEST_CREDENTIALS.secretAccessKey,
    },
  });
  const listening = new Promise<string>((resolve, reject) => {
    createInterface({ input: proc.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      try {
        const rec = JSON.parse(line) as { msg?: string; introspection?: string };
        if (rec.msg === 'introspection listening' && rec.introspection) resolve(rec.introspection);
      } catch {
        // not a log line
      }
    });
    proc.on('exit', (code) => reject(new Error(`agent exited with ${code}`)));
  });
  listening.catch(() => {});
  let stderr = '';
  proc.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  proc.on('exit', (code) => {
    if (code) process.stderr.write(`agent child exited ${code}: ${stderr}\n`);
  });
  return { proc, listening };
}

function kill(child: Child, signal: NodeJS.Signals): Promise<void> {
  return new Promise((resolve) => {
    if (child.proc.exitCode !== null || child.proc.signalCode !== null) return resolve();
    child.proc.once('exit', () => resolve());
    child.proc.kill(signal);
  });
}

t.test(
  'issue 8: kill -9 the agent while tasks change, restart → adoption, no duplicates',
  async (t) => {
    const rig = await dockerRig(t);
    if (!rig) return;
    if (!existsSync(MAIN)) {
      t.fail(`${MAIN} is missing: build first (npx tsc -b packages/agent)`);
      return;
    }
    const { docker, runId } = rig;
    const scheduler = new MemoryScheduler('dev');
    const server = await serveScheduler(scheduler);
    t.teardown(() => server.close());
    const args = [
      '--scheduler',
      server.url,
      '--cluster',
      'dev',
      '--instance-id',
      `i-${runId}`,
      '--data-dir',
      await tempDir(t),
      '--listen',
      '127.0.0.1:0',
      '--poll-wait',
      '2s',
      '--log-level',
      'info',
    ];
    const children: Child[] = [];
    t.teardown(async () => {
      for (const c of children) await kill(c, 'SIGKILL');
    });
    const td = (name: string): TaskDefinition => ({
      family: `${name}-${runId}`,
      revision: 1,
      containerDefinitions: [
        {
          name: 'web',
          image: IMAGE,
          portMappings: [{ containerPort: 8080 }],
          stopTimeout: 2,
          dockerLabels: { [TEST_LABEL]: runId },
        },
        {
          name: 'side',
          image: IMAGE,
          essential: false,
          command: ['sleep', '3600'],
          stopTimeout: 1,
          dockerLabels: { [TEST_LABEL]: runId },
        },
      ],
    });
    const containersOf = async (arn: string) =>
      docker.listContainers({
        all: true,
        filters: { label: [`com.amazonaws.ecs.task-arn=${arn}`] },
      });

    const first = spawnAgent(args);
    children.push(first);
    await first.listening;
    const instanceArn = [...scheduler.instances.keys()][0] as string;
    t.ok(instanceArn, 'registered');
    const keep = scheduler.runTask(instanceArn, td('keep'));
    const exits = scheduler.runTask(instanceArn, td('exits'));
    const vanishes = scheduler.runTask(instanceArn, td('vanishes'));
    for (const arn of [keep, exits, vanishes])
      await scheduler.waitForStatus(arn, 'RUNNING', 30_000);
    const keepIds = (await containersOf(keep)).map((c) => c.Id).sort();

    // A task being created when the agent dies: kill as soon as its first container exists.
    const midway = scheduler.runTask(instanceArn, td('midway'));
    await eventually(
      'the midway task has a container',
      async () => (await containersOf(midway)).length > 0,
      { timeoutMs: 10_000, intervalMs: 2 },
    ).catch(() => {}); // kill anyway: the test reports what existed at the kill
    await kill(first, 'SIGKILL');
    const atKill = await containersOf(midway);
    t.comment(
      `at kill -9: ${atKill.map((c) => `${c.Labels['com.amazonaws.ecs.container-name']}=${c.State}`).join(' ')}`,
    );

    // While no agent runs: one task's essential container exits, another's containers vanish.
    const exitsWeb = (await containersOf(exits)).find(
      (c) => c.Labels['com.amazonaws.ecs.container-name'] === 'web',
    );
    await docker.getContainer(exitsWeb?.Id as string).kill({ signal: 'SIGKILL' });
    for (const c of await containersOf(vanishes))
      await docker.getContainer(c.Id).remove({ force: true });

    const second = spawnAgent(args);
    children.push(second);
    const address = await second.listening;
    t.equal(scheduler.instances.size, 1, 'the same container instance');
    t.equal(scheduler.instances.get(instanceArn)?.registrations, 2, 're-registered with its ARN');

    const a = await scheduler.waitForStatus(exits, 'STOPPED', 30_000);
    t.equal(a.reports.at(-1)?.reason, 'Essential container in task exited');
    t.match(
      a.reports.at(-1)?.containers.find((c) => c.containerName === 'web'),
      { exitCode: 137 },
    );
    const b = await scheduler.waitForStatus(vanishes, 'STOPPED', 30_000);
    t.equal(
      b.reports.at(-1)?.reason,
      'Task containers vanished while the agent was not watching them',
    );
    await scheduler.waitForStatus(midway, 'RUNNING', 30_000);
    const midwayContainers = await containersOf(midway);
    t.same(
      midwayContainers.map((c) => c.Labels['com.amazonaws.ecs.container-name']).sort(),
      ['side', 'web'],
      'the task created midway has each container exactly once',
    );
    t.ok(midwayContainers.every((c) => c.State === 'running'));
    t.same(
      (await containersOf(keep)).map((c) => c.Id).sort(),
      keepIds,
      'running containers adopted, none new',
    );
    t.equal(scheduler.tasks.get(keep)?.lastStatus, 'RUNNING');

    const tasks = JSON.parse((await get(`http://${address}/v1/tasks`)).body) as {
      Tasks: { Arn: string; KnownStatus: string }[];
    };
    const known = new Map(tasks.Tasks.map((x) => [x.Arn, x.KnownStatus]));
    t.equal(known.get(keep), 'RUNNING', 'introspection shows the adopted task');
    t.equal(known.get(midway), 'RUNNING');

    // The restarted agent still follows the adopted task: stop it through the scheduler.
    scheduler.stopTask(keep, 'Task stopped by user');
    const k = await scheduler.waitForStatus(keep, 'STOPPED', 30_000);
    t.equal(k.reports.at(-1)?.reason, 'Task stopped by user');
    await kill(second, 'SIGTERM');
    t.equal(second.proc.exitCode, 0, 'SIGTERM: clean shutdown');
    const midwayAfter = await containersOf(midway);
    t.ok(
      midwayAfter.every((c) => c.State === 'running'),
      'agent shutdown leaves task containers running',
    );
  },
);
