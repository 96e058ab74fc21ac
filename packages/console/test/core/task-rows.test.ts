import t from 'tap';
import {
  arnId,
  bindingText,
  instanceRow,
  sortTaskRows,
  taskDetail,
  taskRow,
  taskTone,
} from '../../src/core/task-rows.js';
import { instance, task } from './fixtures.js';

const instances = new Map([
  [instance('i1', { host: 'h1' }).containerInstanceArn!, instance('i1', { host: 'h1' })],
]);

t.test('task rows: tone by status, stop code and health', async (t) => {
  const cases = [
    { name: 'running healthy', input: task('a'), want: 'ok' },
    { name: 'pending', input: task('a', { status: 'PENDING' }), want: 'warn' },
    { name: 'unhealthy', input: task('a', { health: 'UNHEALTHY' }), want: 'bad' },
    { name: 'stopping', input: task('a', { desired: 'STOPPED' }), want: 'warn' },
    {
      name: 'stopped by a person',
      input: task('a', { status: 'STOPPED', desired: 'STOPPED', stopCode: 'UserInitiated' }),
      want: 'idle',
    },
    {
      name: 'stopped by the service',
      input: task('a', { status: 'STOPPED', stopCode: 'ServiceSchedulerInitiated' }),
      want: 'idle',
    },
    {
      name: 'container exited',
      input: task('a', { status: 'STOPPED', stopCode: 'EssentialContainerExited' }),
      want: 'bad',
    },
  ] as const;
  for (const c of cases) t.equal(taskTone(c.input), c.want, c.name);
});

t.test('a task row names its service, host and ports on the host IP', async (t) => {
  const row = taskRow(task('abc', { port: 32771, startedAt: 5000 }), instances);
  t.match(row, {
    id: 'abc',
    cluster: 'default',
    service: 'hello',
    taskDefinition: 'hello:1',
    host: 'h1',
    instanceId: 'i1',
    ports: ['127.0.0.2:32771→8080/tcp'],
    startedAt: 5000,
    exits: [],
  });
  t.equal(
    taskRow(task('x', { group: 'family:hello' }), instances).service,
    undefined,
    'RunTask tasks have no service',
  );
  t.equal(taskRow(task('x', { instance: 'gone' }), instances).host, 'gone', 'unknown host: its id');
  const stopped = taskRow(
    task('s', { status: 'STOPPED', exitCode: 137, stoppedReason: 'killed' }),
    instances,
  );
  t.same(stopped.exits, ['hello: 137']);
  t.equal(stopped.stoppedReason, 'killed');
});

t.test('tasks sort live first, newest first', async (t) => {
  const rows = [
    task('old', { startedAt: 1 }),
    task('stopped-early', { status: 'STOPPED', stoppedAt: 10 }),
    task('new', { startedAt: 9 }),
    task('stopped-late', { status: 'STOPPED', stoppedAt: 20 }),
  ].map((x) => taskRow(x, instances));
  t.same(
    sortTaskRows(rows).map((r) => r.id),
    ['new', 'old', 'stopped-late', 'stopped-early'],
  );
});

t.test('task detail lists containers with exit codes and ports', async (t) => {
  const d = taskDetail(task('abc', { port: 32000, status: 'STOPPED', exitCode: 1 }), instances);
  t.match(d.containers, [{ name: 'hello', exitCode: 1, ports: ['127.0.0.2:32000→8080/tcp'] }]);
  t.equal(d.instanceArn, instance('i1').containerInstanceArn);
});

t.test(
  'an instance row: resources used of total, ports used beyond the reserved ones',
  async (t) => {
    const r = instanceRow(instance('i1', { host: 'h1', cpuLeft: 1920, memLeft: 3872 }));
    t.match(r, {
      id: 'i1',
      host: 'h1',
      ip: '127.0.0.2',
      cpu: { used: 128, total: 2048 },
      memory: { used: 128, total: 4000 },
      portsUsed: ['8080', '32771'],
      portsReserved: ['22', '51678'],
      tone: 'ok',
    });
    t.equal(instanceRow(instance('i2', { connected: false })).tone, 'bad', 'agent disconnected');
    t.equal(instanceRow(instance('i3', { status: 'DRAINING' })).tone, 'warn', 'draining');
    t.equal(instanceRow(instance('i4')).host, 'dev-h-i4', 'no berth.host: the EC2 instance id');
  },
);

t.test('small helpers', async (t) => {
  t.equal(arnId('arn:aws:ecs:r:1:task/default/abc'), 'abc');
  t.equal(arnId(undefined), '');
  t.equal(bindingText({ bindIP: '0.0.0.0', hostPort: 1, containerPort: 2 }), '1→2/tcp');
  t.equal(
    bindingText({ bindIP: '127.0.0.1', hostPort: 1, containerPort: 2, protocol: 'udp' }),
    '127.0.0.1:1→2/udp',
  );
});
