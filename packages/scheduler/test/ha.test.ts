// Two scheduler replicas as child processes sharing one catalog. Requests and agents go
// through the follower (forwarded to the leader). The leader is killed with SIGKILL in the
// middle of a RunTask load: another replica leads within 15 s, every acknowledged task is
// still there, and retries with the same clientToken never place a task twice.
import { sleep } from '@berth/daemon';
import { eventually } from '@berth/daemon/testing';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import t from 'tap';
import { startCatalog } from '@berth/catalog';
import { createConsul } from '@berth/consul';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SimulatedAgent } from '../src/testing/index.js';
import { EcsJsonClient } from '../src/client/ecs-json-client.js';
import { CREDS, webTaskDef, writeCredentials } from './fixtures.js';
import { recordAnswers } from './response-recorder.js';

const MAIN = fileURLToPath(new URL('../dist/daemon/main.js', import.meta.url));

interface Child {
  proc: ChildProcess;
  url: Promise<string>;
  leading: boolean;
  leadingAt: number;
}

const dir = await mkdtemp(join(tmpdir(), 'berth-ha-'));
const credentials = await writeCredentials(dir);
const catalog = await startCatalog({ listen: '127.0.0.1:0' });
const children: Child[] = [];
t.teardown(async () => {
  for (const c of children) if (c.proc.exitCode === null) c.proc.kill('SIGKILL');
  await catalog.close();
  await rm(dir, { recursive: true, force: true });
});

function replica(name: string): Child {
  const proc = spawn(
    process.execPath,
    [
      MAIN,
      '--consul',
      catalog.url,
      '--listen',
      '127.0.0.1:0',
      '--credentials',
      credentials,
      '--agent-grace',
      '30s',
    ],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, BERTH_SCHEDULER_LOG_LEVEL: 'info' },
    },
  );
  const child: Child = { proc, url: Promise.resolve(''), leading: false, leadingAt: 0 };
  child.url = new Promise((resolve) => {
    createInterface({ input: proc.stdout! }).on('line', (line) => {
      let m: { msg?: string; url?: string };
      try {
        m = JSON.parse(line) as typeof m;
      } catch {
        return;
      }
      if (m.msg === 'listening' && m.url) resolve(m.url);
      if (m.msg === 'leading') {
        child.leading = true;
        child.leadingAt = Date.now();
      }
      if (m.msg === 'steppedDown') child.leading = false;
    });
  });
  void name;
  children.push(child);
  return child;
}

const a = replica('a');
const urlA = await a.url;
await eventually('a.leading', () => a.leading, { timeoutMs: 15_000 });
const b = replica('b');
const urlB = await b.url;
await eventually(
  '(await fetch(`${urlB}/health`)).status === 200',
  async () => (await fetch(`${urlB}/health`)).status === 200,
  { timeoutMs: 15_000 },
);
const leader = a;
const follower = b;
// Every answer the clients get passes a recorder and is checked against botocore's shapes.
const answers = await recordAnswers(urlB);
t.teardown(() => answers.close());
const viaFollower = new EcsJsonClient({
  endpoint: answers.url,
  credentials: CREDS,
  maxSockets: 16,
});
t.teardown(() => viaFollower.close());
void urlA;

t.test('the follower forwards every request to the leader', async (t) => {
  const c = await viaFollower.ecs<{ cluster: { clusterName: string } }>('CreateCluster', {
    clusterName: 'ha',
  });
  t.equal(c.cluster.clusterName, 'ha');
  await viaFollower.ecs(
    'RegisterTaskDefinition',
    webTaskDef('ha', { containerDefinitions: [{ name: 'c', image: 'x', cpu: 1, memory: 4 }] }),
  );
  t.notOk(follower.leading, 'b follows');
});

t.test(
  'kill -9 of the leader under load: failover, nothing lost, nothing placed twice',
  async (t) => {
    const agents: SimulatedAgent[] = [];
    for (let i = 0; i < 3; i++) {
      const ag = new SimulatedAgent({
        endpoint: answers.url,
        credentials: CREDS,
        cluster: 'ha',
        instanceId: `i-ha-${i}`,
        cpu: 1_000_000,
        memory: 1_000_000,
        waitSeconds: 5,
      });
      await ag.register();
      ag.start();
      agents.push(ag);
    }
    const acked = new Map<string, string[]>(); // clientToken -> task ARNs
    let stop = false;
    let killedAt = 0;
    let firstOkAfterKill = 0;
    // Requests whose last attempt failed when the load stopped: they may have been committed
    // without an answer, so the client finishes them (same clientToken) before the KV check.
    const unfinished: string[] = [];
    const runTask = async (token: string): Promise<boolean> => {
      try {
        const r = await viaFollower.ecs<{ tasks: { taskArn: string }[] }>('RunTask', {
          cluster: 'ha',
          taskDefinition: 'ha',
          count: 2,
          clientToken: token,
        });
        acked.set(
          token,
          r.tasks.map((x) => x.taskArn),
        );
        if (killedAt && !firstOkAfterKill) firstOkAfterKill = Date.now();
        return true;
      } catch {
        await sleep(100); // the load's own pause between retries of one request
        return false;
      }
    };
    const worker = async (w: number): Promise<void> => {
      for (let i = 0; !stop && i < 10_000; i++) {
        const token = `w${w}-${i}`;
        // Retry the same request (same clientToken) until it is acknowledged.
        let done = false;
        while (!stop && !done) done = await runTask(token);
        if (!done) unfinished.push(token);
      }
    };
    const workers = [0, 1, 2, 3].map(worker);
    t.teardown(async () => {
      stop = true;
      await Promise.all(workers);
      for (const ag of agents) await ag.stop();
    });
    await eventually('acked.size >= 40', () => acked.size >= 40, { timeoutMs: 20_000 });
    killedAt = Date.now();
    leader.proc.kill('SIGKILL');
    await eventually('follower.leading', () => follower.leading, { timeoutMs: 15_000 });
    const failoverMs = follower.leadingAt - killedAt;
    t.ok(failoverMs < 15_000, `new leader after ${failoverMs} ms`);
    await eventually('firstOkAfterKill > 0', () => firstOkAfterKill > 0, { timeoutMs: 15_000 });
    t.ok(
      firstOkAfterKill - killedAt < 15_000,
      `first acknowledged RunTask ${firstOkAfterKill - killedAt} ms after the kill`,
    );
    const before = acked.size;
    await eventually('acked.size >= before + 20', () => acked.size >= before + 20, {
      timeoutMs: 20_000,
    });
    stop = true;
    await Promise.all(workers);
    for (const token of unfinished) {
      await eventually('runTask(token)', () => runTask(token), { timeoutMs: 15_000 });
    }

    // Every acknowledged task exists, once.
    const all = [...acked.values()].flat();
    t.equal(new Set(all).size, all.length, 'no task ARN acknowledged twice');
    for (let i = 0; i < all.length; i += 100) {
      const d = await viaFollower.ecs<{ tasks: unknown[]; failures: unknown[] }>('DescribeTasks', {
        cluster: 'ha',
        tasks: all.slice(i, i + 100),
      });
      t.same(
        d.failures,
        [],
        `batch ${i / 100}: every acknowledged task is known to the new leader`,
      );
    }
    // KV holds exactly the acknowledged tasks: retries never placed a second copy.
    const consul = createConsul({ url: catalog.url });
    const keys = await consul.kv.keys('berth/scheduler/tasks/ha/');
    consul.close();
    t.equal(
      keys.length,
      all.length,
      `KV holds ${keys.length} tasks for ${acked.size} acknowledged RunTasks x 2`,
    );
    // Agents converge on the new leader: every task reported RUNNING.
    await eventually(
      'agents.reduce( (n, ag) => n + [...ag.reported.values()].filter((v) ...',
      () =>
        agents.reduce(
          (n, ag) => n + [...ag.reported.values()].filter((v) => v === 'RUNNING').length,
          0,
        ) >= all.length,
      { timeoutMs: 20_000 },
    );
    t.pass('every acknowledged task reached an agent and was reported RUNNING');
  },
);
