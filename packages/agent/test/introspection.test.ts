// The introspection answers (src/introspection.ts), pure: the ECS agent's v1 shapes, the
// DesiredStatus omission rule, taskarn / dockerid lookups (full and 12-character ids), 400
// with both parameters or an ambiguous short id, 404 with ECS's empty task for unknown ones.
import t from 'tap';
import { EMPTY_TASK, type TaskView, taskResponse, tasksAnswer } from '../src/index.js';

const id1 = 'a'.repeat(12) + '1'.repeat(52);
const id2 = 'a'.repeat(12) + '2'.repeat(52);
const id3 = 'b'.repeat(64);
const view = (arn: string, ids: string[], more: Partial<TaskView> = {}): TaskView => ({
  arn,
  family: 'web',
  version: '3',
  desiredStatus: 'RUNNING',
  knownStatus: 'RUNNING',
  state: 'RUNNING',
  containers: ids.map((id, i) => ({
    name: `c${i}`,
    dockerId: id,
    dockerName: `ecs-web-3-c${i}-x`,
    status: 'RUNNING',
    ports:
      i === 0 ? [{ containerPort: 8080, protocol: 'tcp', hostPort: 32768, hostIp: '0.0.0.0' }] : [],
    volumes: [],
    health: undefined,
    healthSince: undefined,
    exitCode: undefined,
    restarts: 0,
  })),
  ...more,
});
const tasks = [view('arn:t1', [id1, id3]), view('arn:t2', [id2])];
const q = (s: string): URLSearchParams => new URLSearchParams(s);

const cases: { name: string; input: string; want: [number, string | undefined] }[] = [
  { name: 'all tasks', input: '', want: [200, 'Tasks'] },
  { name: 'taskarn', input: 'taskarn=arn:t2', want: [200, 'arn:t2'] },
  { name: 'full dockerid', input: `dockerid=${id3}`, want: [200, 'arn:t1'] },
  { name: '12-character dockerid', input: `dockerid=${id3.slice(0, 12)}`, want: [200, 'arn:t1'] },
  {
    name: 'ambiguous 12-character dockerid → 400',
    input: `dockerid=${'a'.repeat(12)}`,
    want: [400, undefined],
  },
  {
    name: 'both parameters → 400',
    input: `taskarn=arn:t1&dockerid=${id3}`,
    want: [400, undefined],
  },
  { name: 'unknown taskarn → 404', input: 'taskarn=arn:nope', want: [404, ''] },
  { name: 'unknown dockerid → 404', input: `dockerid=${'c'.repeat(64)}`, want: [404, ''] },
];
for (const c of cases) {
  t.test(c.name, async (t) => {
    const a = tasksAnswer(tasks, q(c.input));
    t.equal(a.status, c.want[0]);
    if (c.want[1] === 'Tasks') t.equal((a.body as { Tasks: unknown[] }).Tasks.length, 2);
    else if (c.want[1] === undefined) t.equal(a.body, undefined);
    else t.equal((a.body as { Arn: string }).Arn, c.want[1]);
    if (c.want[0] === 404) t.same(a.body, EMPTY_TASK);
  });
}

t.test('v1 task shape, field by field', async (t) => {
  t.same(taskResponse(view('arn:t1', [id1])), {
    Arn: 'arn:t1',
    DesiredStatus: 'RUNNING',
    KnownStatus: 'RUNNING',
    Family: 'web',
    Version: '3',
    Containers: [
      {
        DockerId: id1,
        DockerName: 'ecs-web-3-c0-x',
        Name: 'c0',
        Ports: [{ ContainerPort: 8080, Protocol: 'tcp', HostPort: 32768, HostIp: '0.0.0.0' }],
      },
    ],
  });
});

const desired: { name: string; input: [string, string]; want: string | undefined }[] = [
  { name: 'RUNNING/RUNNING shown', input: ['RUNNING', 'RUNNING'], want: 'RUNNING' },
  {
    name: 'STOPPED known, RUNNING desired → omitted (ECS)',
    input: ['STOPPED', 'RUNNING'],
    want: undefined,
  },
  {
    name: 'RUNNING known, PENDING desired → omitted (ECS)',
    input: ['RUNNING', 'PENDING'],
    want: undefined,
  },
  { name: 'STOPPED/STOPPED shown', input: ['STOPPED', 'STOPPED'], want: 'STOPPED' },
  { name: 'RUNNING known, STOPPED desired shown', input: ['RUNNING', 'STOPPED'], want: 'STOPPED' },
];
for (const c of desired) {
  t.test(`DesiredStatus: ${c.name}`, async (t) => {
    const r = taskResponse(
      view('arn:x', [], { knownStatus: c.input[0], desiredStatus: c.input[1] }),
    );
    t.equal(r.DesiredStatus, c.want);
    t.equal('DesiredStatus' in r, c.want !== undefined);
  });
}

t.test('containers without a Docker id yet are not listed', async (t) => {
  const v = view('arn:x', [id1]);
  const pending = {
    ...v,
    containers: [{ ...(v.containers[0] as TaskView['containers'][number]), dockerId: undefined }],
  };
  t.same(taskResponse(pending).Containers, []);
});
