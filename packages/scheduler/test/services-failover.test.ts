// Rebalancing (berth's extension) after scale-out, and failover: a second replica takes over
// and resumes the service from KV, replacing a task killed after the leader went away.
import { eventually } from '@berth/daemon/testing';
import t from 'tap';
import { startScheduler } from '../src/index.js';
import { SimulatedAgent } from '../src/testing/index.js';
import type { TaskRt } from '../src/state/scheduler-state.js';
import type { RunningScheduler } from '../src/daemon/start.js';
import { CREDS, startStack, webTaskDef, type Stack } from './fixtures.js';

let stack: Stack;
const agents: SimulatedAgent[] = [];
let second: RunningScheduler | undefined;

function running(s: RunningScheduler, group: string): TaskRt[] {
  const ctx = s.replica.context;
  return [...(ctx?.state.tasks.values() ?? [])].filter(
    (x) =>
      x.committed &&
      x.rec.group === group &&
      x.rec.lastStatus === 'RUNNING' &&
      x.rec.desiredStatus === 'RUNNING',
  );
}
const perInstance = (ts: TaskRt[]): number[] => {
  const m = new Map<string, number>();
  for (const x of ts) m.set(x.rec.instanceId, (m.get(x.rec.instanceId) ?? 0) + 1);
  return [...m.values()].sort();
};

async function agent(
  url: string,
  zone: string,
  known?: { arn: string | undefined; instanceId: string },
): Promise<SimulatedAgent> {
  const a = new SimulatedAgent({
    endpoint: url,
    credentials: CREDS,
    availabilityZone: zone,
    waitSeconds: 2,
    ...(known?.arn ? { containerInstanceArn: known.arn, instanceId: known.instanceId } : {}),
  });
  await a.register();
  a.start();
  agents.push(a);
  return a;
}

t.before(async () => {
  stack = await startStack({ serviceIntervalMs: 300, lockTtl: 10_000, leaderProbe: 200 });
  await stack.json.ecs('RegisterTaskDefinition', webTaskDef('web'));
});

t.teardown(async () => {
  for (const a of agents) await a.stop();
  await second?.close();
  await stack.close();
});

t.test('rebalance evens tasks out after a scale-out, within the percentages', async (t) => {
  await agent(stack.scheduler.url, 'local-1a');
  await stack.json.ecs('CreateService', {
    serviceName: 'web',
    taskDefinition: 'web',
    desiredCount: 4,
    rebalance: { enable: true, maxSkew: 1 },
  });
  await eventually(
    "running(stack.scheduler, 'service:web').length === 4",
    () => running(stack.scheduler, 'service:web').length === 4,
    { timeoutMs: 10_000 },
  );
  t.same(perInstance(running(stack.scheduler, 'service:web')), [4], 'all on the only instance');
  await agent(stack.scheduler.url, 'local-1a');
  let minSeen = Infinity;
  const sample = setInterval(() => {
    minSeen = Math.min(minSeen, running(stack.scheduler, 'service:web').length);
  }, 5);
  await eventually(
    'condition',
    () => {
      const r = running(stack.scheduler, 'service:web');
      return r.length === 4 && perInstance(r).join() === '2,2';
    },
    { timeoutMs: 20_000 },
  );
  clearInterval(sample);
  t.ok(minSeen >= 4, `never below minimumHealthyPercent 100 (min ${minSeen})`);
  const d = await stack.json.ecs<{ services: { events: { message: string }[] }[] }>(
    'DescribeServices',
    { services: ['web'] },
  );
  t.ok(
    d.services[0]?.events.some((e) => /is not balanced with/.test(e.message)),
    'rebalancing event',
  );
});

t.test('a new leader resumes the service from KV', async (t) => {
  second = await startScheduler({
    consul: stack.catalog.url,
    listen: '127.0.0.1:0',
    credentials: stack.credentialsFile,
    serviceIntervalMs: 300,
    leaderProbe: 200,
  });
  await eventually(
    'second?.replica.leaderUrl === stack.scheduler.url',
    () => second?.replica.leaderUrl === stack.scheduler.url,
    { timeoutMs: 10_000 },
  );
  const before = running(stack.scheduler, 'service:web').map((x) => x.rec.id);
  // The agents come back against the follower (it forwards, then leads) with their ARNs.
  const known = agents.map((a) => ({ arn: a.arn, instanceId: a.instanceId }));
  for (const a of agents) await a.stop();
  agents.length = 0;
  await stack.scheduler.close();
  await eventually('second?.replica.isLeader === true', () => second?.replica.isLeader === true, {
    timeoutMs: 30_000,
  });
  const s2 = second;
  const a1 = await agent(s2.url, 'local-1a', known[0]);
  await agent(s2.url, 'local-1a', known[1]);
  await eventually(
    "running(s2, 'service:web').length === 4",
    () => running(s2, 'service:web').length === 4,
    { timeoutMs: 10_000 },
  );
  t.same(
    running(s2, 'service:web')
      .map((x) => x.rec.id)
      .sort(),
    [...before].sort(),
    'same tasks, nothing placed twice',
  );
  t.equal(s2.replica.context?.state.instances.size, 2, 'the same two instances');
  await eventually('a1.tasks.size > 0', () => a1.tasks.size > 0, { timeoutMs: 10_000 });
  const victimArn = [...a1.tasks.keys()][0] as string;
  await a1.report(victimArn, 'STOPPED', { exitCode: 1 });
  await eventually(
    "running(s2, 'service:web').length === 4 && !running(s2, 'service:we...",
    () =>
      running(s2, 'service:web').length === 4 &&
      !running(s2, 'service:web').some((x) => victimArn.endsWith(x.rec.id)),
    { timeoutMs: 10_000 },
  );
  t.pass('the killed task was replaced by the new leader');
});
