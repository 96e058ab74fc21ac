// Durability across a catalog restart: the catalog runs as a child process with --data-dir and
// is killed with SIGKILL and restarted on the same port. The running scheduler recovers (steps
// down, re-leads, reloads from KV) and a fresh scheduler reads the same state back.
import { eventually } from '@berth/daemon/testing';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { startScheduler, type RunningScheduler } from '../src/index.js';
import { SimulatedAgent } from '../src/testing/index.js';
import { EcsJsonClient } from '../src/client/ecs-json-client.js';
import { CREDS, webTaskDef, writeCredentials } from './fixtures.js';
import { recordAnswers } from './response-recorder.js';

const BERTH = fileURLToPath(new URL('../../cli/bin/berth.js', import.meta.url));
const dir = await mkdtemp(join(tmpdir(), 'berth-dur-'));
const dataDir = join(dir, 'catalog');
const credentials = await writeCredentials(dir);

const port = await new Promise<number>((resolve) => {
  const srv = createServer();
  srv.listen(0, '127.0.0.1', () => {
    const p = (srv.address() as { port: number }).port;
    srv.close(() => resolve(p));
  });
});
const consulUrl = `http://127.0.0.1:${port}`;

let catalog: ChildProcess | undefined;
async function startCatalogChild(): Promise<void> {
  catalog = spawn(
    process.execPath,
    [
      BERTH,
      'catalog',
      '--listen',
      `127.0.0.1:${port}`,
      '--data-dir',
      dataDir,
      '--log-level',
      'warn',
    ],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  await eventually(
    'condition',
    async () => {
      try {
        return (await fetch(`${consulUrl}/v1/status/leader`)).ok;
      } catch {
        return false;
      }
    },
    { timeoutMs: 15_000 },
  );
}

const schedulers: RunningScheduler[] = [];
t.teardown(async () => {
  for (const s of schedulers) await s.close();
  if (catalog && catalog.exitCode === null) catalog.kill('SIGKILL');
  await rm(dir, { recursive: true, force: true });
});

await startCatalogChild();
const start = async (): Promise<RunningScheduler> => {
  const s = await startScheduler({ consul: consulUrl, listen: '127.0.0.1:0', credentials });
  schedulers.push(s);
  await eventually('s.replica.isLeader', () => s.replica.isLeader, { timeoutMs: 20_000 });
  return s;
};
const s1 = await start();
// Every answer passes a recorder and is checked against botocore's shapes at the end.
const answers = await recordAnswers(s1.url);
t.teardown(() => answers.close());
const c1 = new EcsJsonClient({ endpoint: answers.url, credentials: CREDS });
t.teardown(() => c1.close());

t.test('state survives a catalog SIGKILL and restart', async (t) => {
  await c1.ecs('CreateCluster', { clusterName: 'dur' });
  await c1.ecs('RegisterTaskDefinition', webTaskDef('dur'));
  const agent = new SimulatedAgent({
    endpoint: answers.url,
    credentials: CREDS,
    cluster: 'dur',
    instanceId: 'i-dur',
    waitSeconds: 2,
  });
  const acked = new Map<string, string>();
  agent.on('reported', (r: { taskArn: string; status: string }) => acked.set(r.taskArn, r.status));
  await agent.register();
  agent.start();
  t.teardown(() => agent.stop());
  const run = await c1.ecs<{ tasks: { taskArn: string }[] }>('RunTask', {
    cluster: 'dur',
    taskDefinition: 'dur',
    count: 3,
  });
  const arns = run.tasks.map((x) => x.taskArn);
  // Wait for acknowledged reports, not sent ones (`reported` is set when a report is sent):
  // only an acknowledged report is committed, and only committed state must survive the kill.
  await eventually(
    "[...acked.values()].filter((v) => v === 'RUNNING').length === 3",
    () => [...acked.values()].filter((v) => v === 'RUNNING').length === 3,
    { timeoutMs: 5000 },
  );
  await c1.ecs('StopTask', { cluster: 'dur', task: arns[0], reason: 'before the crash' });
  await eventually(
    "agent.reported.get(arns[0]!) === 'STOPPED'",
    () => agent.reported.get(arns[0]!) === 'STOPPED',
    { timeoutMs: 5000 },
  );
  await eventually(
    'condition',
    async () => {
      const d = await c1.ecs<{ tasks: { lastStatus: string }[] }>('DescribeTasks', {
        cluster: 'dur',
        tasks: [arns[0]],
      });
      return d.tasks[0]!.lastStatus === 'STOPPED';
    },
    { timeoutMs: 5000 },
  );

  catalog!.kill('SIGKILL');
  await new Promise((r) => catalog!.once('exit', r));
  await startCatalogChild();

  // The running scheduler recovers by itself (its writes failed or its session is gone).
  await eventually(
    'condition',
    async () => {
      try {
        await c1.ecs('RunTask', {
          cluster: 'dur',
          taskDefinition: 'dur',
          clientToken: 'after-restart',
        });
        return true;
      } catch {
        return false;
      }
    },
    { timeoutMs: 30_000 },
  );
  const d = await c1.ecs<{
    tasks: { taskArn: string; lastStatus: string; stoppedReason?: string }[];
    failures: unknown[];
  }>('DescribeTasks', { cluster: 'dur', tasks: arns });
  t.same(d.failures, []);
  t.same(d.tasks.map((x) => x.lastStatus).sort(), ['RUNNING', 'RUNNING', 'STOPPED']);
  t.equal(d.tasks.find((x) => x.taskArn === arns[0])?.stoppedReason, 'before the crash');

  // A fresh scheduler (empty memory) reads the same state from the restarted catalog.
  await agent.stop();
  await s1.close();
  const s2 = await start();
  answers.recorder.target = s2.url;
  const c2 = new EcsJsonClient({ endpoint: answers.url, credentials: CREDS });
  const listed = await c2.ecs<{ taskArns: string[] }>('ListTasks', { cluster: 'dur' });
  t.equal(listed.taskArns.length, 3, 'two survivors plus the one run after the restart');
  const td = await c2.ecs<{ taskDefinition: { revision: number } }>('DescribeTaskDefinition', {
    taskDefinition: 'dur',
  });
  t.equal(td.taskDefinition.revision, 1);
  const inst = await c2.ecs<{ containerInstanceArns: string[] }>('ListContainerInstances', {
    cluster: 'dur',
  });
  t.same(inst.containerInstanceArns, [agent.arn]);
  const again = await c2.ecs<{ tasks: { taskArn: string }[] }>('RunTask', {
    cluster: 'dur',
    taskDefinition: 'dur',
    clientToken: 'after-restart',
  });
  t.equal(again.tasks.length, 1, 'the clientToken still names the task run before');
  t.ok(listed.taskArns.includes(again.tasks[0]!.taskArn), 'the same task, not a second one');
  c2.close();
});
