// SchedulerState's placement view: per-call cost bounded by the instances that changed
// (C1M), while resources, task lists and agent connection stay exact.
import t from 'tap';
import type { InstanceRec, TaskRec } from '../src/state/records.js';
import { SchedulerState, type TaskRt } from '../src/state/scheduler-state.js';

const GRACE = 1000;
const scope = { region: 'us-east-1', accountId: '000000000000' };

const inst = (id: string): InstanceRec => ({
  id,
  cluster: 'c',
  ec2InstanceId: `i-${id}`,
  status: 'ACTIVE',
  registeredAt: 0,
  attributes: {},
  total: { cpu: 1000, memory: 1000, tcpPorts: [], udpPorts: [] },
  versionInfo: {},
  tags: [],
});

const task = (id: string, instanceId: string, group?: string): TaskRt => {
  const rec: TaskRec = {
    id,
    cluster: 'c',
    instanceId,
    taskDefinition: 'web:1',
    createdAt: 0,
    lastStatus: 'PROVISIONING',
    desiredStatus: 'RUNNING',
    version: 1,
    ...(group !== undefined ? { group } : {}),
  };
  return {
    rec,
    resources: { cpu: 100, memory: 50, tcpPorts: [], udpPorts: [] },
    family: 'web',
    committed: true,
  };
};

/** A cluster of instances a, b, c registered at time 0, with the list built once. */
function setup(): { s: SchedulerState } {
  const s = new SchedulerState(scope);
  for (const id of ['a', 'b', 'c']) s.putInstance(inst(id), 0);
  s.placementList('c', 0, GRACE);
  return { s };
}

t.test('placementList follows each change and reuses what did not change', async (t) => {
  const cases: {
    name: string;
    act: (s: SchedulerState) => number;
    want: { cpu: number[]; tasks: number[]; connected: boolean[]; same: boolean[] };
  }[] = [
    {
      name: 'no change: the same objects, connected within the grace',
      act: () => 500,
      want: {
        cpu: [1000, 1000, 1000],
        tasks: [0, 0, 0],
        connected: [true, true, true],
        same: [true, true, true],
      },
    },
    {
      name: 'a task added: only its instance is rebuilt',
      act: (s) => {
        s.addTask(task('t1', 'b'));
        return 10;
      },
      want: {
        cpu: [1000, 900, 1000],
        tasks: [0, 1, 0],
        connected: [true, true, true],
        same: [true, false, true],
      },
    },
    {
      name: 'a stop request removes the task from placement but keeps its resources',
      act: (s) => {
        const rt = task('t1', 'b');
        s.addTask(rt);
        s.placementList('c', 5, GRACE);
        s.updateTask(rt, { ...rt.rec, desiredStatus: 'STOPPED' });
        return 10;
      },
      want: {
        cpu: [1000, 900, 1000],
        tasks: [0, 0, 0],
        connected: [true, true, true],
        same: [true, false, true],
      },
    },
    {
      name: 'a task done frees its resources',
      act: (s) => {
        const rt = task('t1', 'a');
        s.addTask(rt);
        s.placementList('c', 5, GRACE);
        s.updateTask(rt, {
          ...rt.rec,
          lastStatus: 'STOPPED',
          desiredStatus: 'STOPPED',
          done: true,
        });
        return 10;
      },
      want: {
        cpu: [1000, 1000, 1000],
        tasks: [0, 0, 0],
        connected: [true, true, true],
        same: [false, true, true],
      },
    },
    {
      name: 'past the grace every agent counts as disconnected',
      act: () => GRACE + 1,
      want: {
        cpu: [1000, 1000, 1000],
        tasks: [0, 0, 0],
        connected: [false, false, false],
        same: [true, true, true],
      },
    },
    {
      name: 'a contact after the grace reconnects that agent only',
      act: (s) => {
        s.placementList('c', GRACE + 1, GRACE);
        const c = s.instances.get('c')!;
        c.lastContact = GRACE + 2;
        s.contacted(c);
        return GRACE + 3;
      },
      want: {
        cpu: [1000, 1000, 1000],
        tasks: [0, 0, 0],
        connected: [false, false, true],
        same: [true, true, true],
      },
    },
    {
      name: 'an agent with a poll in flight stays connected past the grace',
      act: (s) => {
        const b = s.instances.get('b')!;
        b.pollsInFlight = 1;
        s.contacted(b);
        return GRACE * 5;
      },
      want: {
        cpu: [1000, 1000, 1000],
        tasks: [0, 0, 0],
        connected: [false, true, false],
        same: [true, true, true],
      },
    },
  ];
  for (const c of cases) {
    const { s } = setup();
    const before = s.placementList('c', 0, GRACE);
    const now = c.act(s);
    const after = s.placementList('c', now, GRACE);
    t.same(
      {
        cpu: after.map((p) => p.remaining.cpu),
        tasks: after.map((p) => p.tasks.length),
        connected: after.map((p) => p.agentConnected),
        same: after.map((p, i) => p === before[i]),
      },
      c.want,
      c.name,
    );
  }
});

t.test('task lists are replaced, never changed in place, and carry the task group', async (t) => {
  const { s } = setup();
  const l0 = s.placementList('c', 1, GRACE);
  const tasks0 = l0[0]!.tasks;
  s.addTask(task('t1', 'a', 'service:web'));
  s.addTask(task('t2', 'a'));
  const l1 = s.placementList('c', 2, GRACE);
  t.equal(tasks0.length, 0, 'the earlier snapshot is untouched');
  t.not(l1, l0, 'a new list when an instance changed');
  t.same(
    l1[0]!.tasks.map((x) => [x.group, x.family, x.taskArn]),
    [
      ['service:web', 'web', 'arn:aws:ecs:us-east-1:000000000000:task/c/t1'],
      [undefined, 'web', 'arn:aws:ecs:us-east-1:000000000000:task/c/t2'],
    ],
  );
  t.equal(s.placementList('c', 3, GRACE), l1, 'the same list when nothing changed');
  s.dropTask(s.tasks.get('t1')!);
  t.same(
    s.placementList('c', 4, GRACE)[0]!.tasks.map((x) => x.taskArn),
    ['arn:aws:ecs:us-east-1:000000000000:task/c/t2'],
  );
});

t.test('placementOf outside the list (StartTask) does not leave the list stale', async (t) => {
  const { s } = setup();
  s.addTask(task('t1', 'a'));
  const direct = s.placementOf(s.instances.get('a')!, 1, GRACE);
  const list = s.placementList('c', 2, GRACE);
  t.equal(list[0], direct);
  t.equal(list[0]!.remaining.cpu, 900);
});
