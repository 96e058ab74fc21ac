// Issue 8: a dockerd restart during the test. The agent's event stream drops and reconnects
// with backoff, it resyncs, reports the task whose container died with the engine as STOPPED,
// runs new tasks afterwards, and /health returns to ok. The engine is restarted exactly as
// scripts/ensure-docker started it and is running again at the end, even on failure.
//
// scripts/ensure-docker starts the engine with --live-restore, so containers outlive the
// restart (and other test files running at the same time keep theirs): then the agent must
// resync and keep the task RUNNING. On an engine without --live-restore the container dies
// with the engine and the agent must report the task STOPPED.
import { eventually } from '@berth/daemon/testing';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { MemoryScheduler } from '../src/testing/index.js';
import { dockerRig, get } from './docker-helpers.js';
import { dockerdCommand, ensureDockerd, restartDockerd } from './dockerd.js';
import { IMAGE } from './helpers.js';

const REPO = fileURLToPath(new URL('../../..', import.meta.url));

/** The answer of the task's published port, once it answers. */
const answers = (what: string, port: number | undefined) =>
  eventually(what, () => get(`http://127.0.0.1:${port}/`).catch(() => undefined), {
    timeoutMs: 15_000,
  });

t.test('issue 8: dockerd restarts under a running agent', async (t) => {
  const rig = await dockerRig(t);
  if (!rig) return;
  const cmd = await dockerdCommand();
  if (!cmd) {
    t.fail('no dockerd process found (pgrep -x dockerd): this test restarts the local engine');
    return;
  }
  t.teardown(() => ensureDockerd(rig.docker, cmd, REPO));
  t.comment(`dockerd pid ${cmd.pid}: ${cmd.argv.join(' ')}`);
  const scheduler = new MemoryScheduler('dev');
  const agent = await rig.start(scheduler, { retryMaxMs: 500 });
  const docker: boolean[] = [];
  agent.agent.on('docker', (up) => docker.push(up));
  const task = (name: string) => ({
    family: `${name}-${rig.runId}`,
    revision: 1,
    containerDefinitions: [
      { name: 'web', image: IMAGE, portMappings: [{ containerPort: 8080 }], stopTimeout: 2 },
    ],
  });
  const before = scheduler.runTask(agent.instanceArn, task('before'));
  const started = await scheduler.waitForStatus(before, 'RUNNING', 30_000);
  const liveRestore = (await rig.docker.info()).LiveRestoreEnabled === true;
  t.comment(`engine live-restore: ${liveRestore}`);

  await restartDockerd(rig.docker, cmd);
  const after = await dockerdCommand();
  t.not(after?.pid, cmd.pid, 'a new dockerd');
  t.same(after?.argv, cmd.argv, 'started with the same command line');

  await eventually(
    'the event stream dropped and reconnected',
    () => docker.includes(false) && docker.at(-1) === true,
    { timeoutMs: 60_000 },
  );
  t.pass('the event stream dropped and reconnected');
  await eventually('healthy again', async () => (await get(`${agent.url}/health`)).status === 200, {
    timeoutMs: 30_000,
  });

  if (liveRestore) {
    // The container outlived the engine: after the resync the task is still RUNNING, with no
    // STOPPED report, and its port still answers.
    const current = await scheduler.waitForStatus(before, 'RUNNING', 1000);
    t.equal(current.lastStatus, 'RUNNING', 'the task survived the engine restart');
    t.notOk(
      current.reports.some((r) => r.status === 'STOPPED'),
      'no STOPPED report for a container that kept running',
    );
    const kept = started.reports[0]?.containers[0]?.networkBindings[0]?.hostPort;
    const res = await answers('HTTP on the surviving task', kept);
    t.equal(res.status, 200, 'the surviving container still answers');
  } else {
    const stopped = await scheduler.waitForStatus(before, 'STOPPED', 60_000);
    t.equal(
      stopped.reports.at(-1)?.reason,
      'Essential container in task exited',
      'the container died with the engine',
    );
    t.equal(stopped.reports.at(-1)?.containers[0]?.status, 'STOPPED');
  }

  const next = scheduler.runTask(agent.instanceArn, task('after'));
  const running = await scheduler.waitForStatus(next, 'RUNNING', 60_000);
  const port = running.reports[0]?.containers[0]?.networkBindings[0]?.hostPort;
  const res = await answers('HTTP on the new task', port);
  t.equal(res.status, 200, 'a task placed after the restart runs and answers');
  // An exit after the restart is seen too (the event stream is live again).
  const id = agent.agent.runner(next)?.containers[0]?.dockerId as string;
  await rig.docker.getContainer(id).kill({ signal: 'SIGKILL' });
  const gone = await scheduler.waitForStatus(next, 'STOPPED', 30_000);
  t.match(gone.reports.at(-1)?.containers[0], { exitCode: 137 });
});
