import t from 'tap';
import type { Task } from '@aws-sdk/client-ecs';
import { agentUrlFor, newLines } from '../src/verbs/agent-logs.js';
import { renderTable } from '../src/verbs/table.js';
import { formatAge, serviceRows, shortArn, taskPorts, taskRows } from '../src/verbs/task-rows.js';
import { parseVerbArgs, positiveInt } from '../src/verbs/verb-args.js';
import { progressLine } from '../src/verbs/wait-tasks.js';

t.test('renderTable pads columns', async (t) => {
  t.equal(
    renderTable(
      ['A', 'LONG'],
      [
        ['xyz', '1'],
        ['q', ''],
      ],
    ),
    'A    LONG\nxyz  1\nq\n',
  );
});

t.test('formatAge', async (t) => {
  const cases = [
    { name: 'seconds', input: 12_400, want: '12s' },
    { name: 'minutes', input: 125_000, want: '2m' },
    { name: 'hours', input: 7_300_000, want: '2h' },
    { name: 'days', input: 3 * 86_400_000, want: '3d' },
    { name: 'negative clamps', input: -5, want: '0s' },
  ];
  for (const c of cases) t.equal(formatAge(c.input), c.want, c.name);
});

const arn = (kind: string, id: string): string =>
  `arn:aws:ecs:us-east-1:000000000000:${kind}/${id}`;

t.test('taskRows', async (t) => {
  const now = Date.parse('2026-01-01T00:01:00Z');
  const tasks: Task[] = [
    {
      taskArn: arn('task', 'default/b'),
      taskDefinitionArn: arn('task-definition', 'hello:2'),
      lastStatus: 'RUNNING',
      desiredStatus: 'RUNNING',
      containerInstanceArn: arn('container-instance', 'default/ci1'),
      createdAt: new Date('2026-01-01T00:00:30Z'),
      containers: [
        {
          networkBindings: [
            { bindIP: '127.0.0.2', hostPort: 32768, containerPort: 8080, protocol: 'tcp' },
          ],
        },
      ],
    },
    {
      taskArn: arn('task', 'default/a'),
      taskDefinitionArn: arn('task-definition', 'hello:1'),
      lastStatus: 'STOPPED',
      desiredStatus: 'STOPPED',
      stoppedReason: 'gone',
      createdAt: new Date('2026-01-01T00:00:00Z'),
    },
  ];
  const instances = new Map([
    [arn('container-instance', 'default/ci1'), { ec2InstanceId: 'dev-8500-h2' }],
  ]);
  const rows = taskRows(tasks, instances, now);
  t.same(
    rows.map((r) => [r.id, r.taskDefinition, r.status, r.host, r.ports, r.age]),
    [
      ['a', 'hello:1', 'STOPPED', '', '', '1m'],
      ['b', 'hello:2', 'RUNNING', 'dev-8500-h2', '127.0.0.2:32768->8080/tcp', '30s'],
    ],
  );
  t.equal(rows[0]!.stoppedReason, 'gone');
  t.equal(taskPorts({}), '');
  t.equal(shortArn(undefined), '');
});

t.test('serviceRows', async (t) => {
  const rows = serviceRows([
    {
      serviceName: 'web',
      status: 'ACTIVE',
      desiredCount: 3,
      runningCount: 2,
      pendingCount: 1,
      taskDefinition: arn('task-definition', 'web:4'),
      deployments: [{}, {}],
    },
    { serviceName: 'api', schedulingStrategy: 'DAEMON' },
  ]);
  t.same(
    rows.map((r) => [r.name, r.desired, r.running, r.taskDefinition, r.strategy, r.deployments]),
    [
      ['api', 0, 0, '', 'DAEMON', 0],
      ['web', 3, 2, 'web:4', 'REPLICA', 2],
    ],
  );
});

t.test('progressLine orders statuses', async (t) => {
  t.equal(
    progressLine([
      { lastStatus: 'RUNNING' },
      { lastStatus: 'PROVISIONING' },
      { lastStatus: 'RUNNING' },
    ]),
    '1 PROVISIONING, 2 RUNNING',
  );
  t.equal(progressLine([]), '');
});

t.test('newLines finds what follows the previous tail', async (t) => {
  const cases = [
    {
      name: 'appended',
      input: [
        ['a', 'b'],
        ['a', 'b', 'c'],
      ],
      want: ['c'],
    },
    {
      name: 'window moved',
      input: [
        ['a', 'b', 'c'],
        ['b', 'c', 'd', 'e'],
      ],
      want: ['d', 'e'],
    },
    {
      name: 'nothing new',
      input: [
        ['a', 'b'],
        ['a', 'b'],
      ],
      want: [],
    },
    { name: 'no overlap', input: [['x'], ['y', 'z']], want: ['y', 'z'] },
    { name: 'first read', input: [[], ['a']], want: ['a'] },
  ];
  for (const c of cases) t.same(newLines(c.input[0]!, c.input[1]!), c.want, c.name);
});

t.test('agentUrlFor', async (t) => {
  const dev = {
    endpoint: '',
    region: '',
    cluster: '',
    credentialsFile: '',
    catalog: '',
    hosts: [
      {
        name: 'h2',
        instanceId: 'i-2',
        ip: '127.0.0.3',
        agent: 'http://127.0.0.3:8803',
        router: '',
        dns: '',
      },
    ],
  };
  t.equal(agentUrlFor({ ec2InstanceId: 'i-2' }, dev), 'http://127.0.0.3:8803', 'from the dev file');
  t.equal(
    agentUrlFor(
      { ec2InstanceId: 'i-9', attributes: [{ name: 'berth.advertise-ip', value: '127.0.0.9' }] },
      dev,
    ),
    'http://127.0.0.9:51678',
    'from the advertise attribute',
  );
  t.throws(() => agentUrlFor({ ec2InstanceId: 'i-9' }, undefined), { code: 'NOT_FOUND' });
  t.throws(() => agentUrlFor(undefined, dev), { code: 'NOT_FOUND' });
});

t.test('verb arguments', async (t) => {
  const a = parseVerbArgs(
    ['hello', '--count', '3', '--json', '--endpoint', 'http://127.0.0.1:1'],
    { count: { type: 'string' } },
    'usage',
  );
  t.same(a.positionals, ['hello']);
  t.equal(a.values.count, '3');
  t.equal(a.json, true);
  t.equal(a.connect.endpoint, 'http://127.0.0.1:1');
  t.throws(() => parseVerbArgs(['--nope'], {}, 'usage'), { code: 'BAD_ARGS' });
  const cases = [
    { name: 'absent: the fallback', input: undefined, want: 1 },
    { name: 'digits', input: '7', want: 7 },
    { name: 'zero', input: '0', want: 0 },
    { name: 'surrounding space', input: ' 3 ', want: 3 },
    { name: 'word', input: 'x', want: 'BAD_ARGS' },
    { name: 'empty (scale web=)', input: '', want: 'BAD_ARGS' },
    { name: 'blank', input: '  ', want: 'BAD_ARGS' },
    { name: 'negative', input: '-1', want: 'BAD_ARGS' },
    { name: 'fraction', input: '1.5', want: 'BAD_ARGS' },
    { name: 'hex', input: '0x10', want: 'BAD_ARGS' },
    { name: 'exponent', input: '1e3', want: 'BAD_ARGS' },
    { name: 'boolean flag value', input: true, want: 'BAD_ARGS' },
  ];
  for (const c of cases) {
    if (typeof c.want === 'number') t.equal(positiveInt(c.input, '--count', 1), c.want, c.name);
    else t.throws(() => positiveInt(c.input, '--count', 1), { code: c.want }, c.name);
  }
});
