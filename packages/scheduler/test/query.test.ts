import t from 'tap';
import {
  formatClusterQuery,
  matchesQuery,
  parseClusterQuery,
  QueryError,
  type QueryInstance,
} from '../src/core/query/index.js';

t.test('parses the expressions of the ECS documentation into canonical form', async (t) => {
  const cases: { name: string; input: string; want: string }[] = [
    {
      name: 'string equality',
      input: 'attribute:ecs.instance-type == t2.small',
      want: 'attribute:ecs.instance-type == t2.small',
    },
    {
      name: 'argument list',
      input: 'attribute:ecs.availability-zone in [us-east-1a, us-east-1b]',
      want: 'attribute:ecs.availability-zone in [us-east-1a, us-east-1b]',
    },
    {
      name: 'compound expression',
      input:
        'attribute:ecs.instance-type =~ g2.* and attribute:ecs.availability-zone != us-east-1d',
      want: 'attribute:ecs.instance-type =~ g2.* and attribute:ecs.availability-zone != us-east-1d',
    },
    {
      name: 'task affinity',
      input: 'task:group == service:production',
      want: 'task:group == service:production',
    },
    {
      name: 'task anti-affinity',
      input: 'not(task:group == database)',
      want: 'not(task:group == database)',
    },
    { name: 'running task count', input: 'runningTasksCount == 1', want: 'runningTasksCount == 1' },
    { name: 'agent version', input: 'agentVersion < 1.14.5', want: 'agentVersion < 1.14.5' },
    {
      name: 'registration time',
      input: 'registeredAt < 2018-02-13',
      want: 'registeredAt < 2018-02-13',
    },
    {
      name: 'quoted instance ids',
      input: "ec2InstanceId in ['i-abcd1234', 'i-wxyx7890']",
      want: "ec2InstanceId in ['i-abcd1234', 'i-wxyx7890']",
    },
    {
      name: 'word operators',
      input:
        'attribute:a equals 1 and attribute:b not_equals 2 and attribute:c greater_than 3 and attribute:d greater_than_equal 4 and attribute:e less_than 5 and attribute:f less_than_equal 6',
      want: 'attribute:a == 1 and attribute:b != 2 and attribute:c > 3 and attribute:d >= 4 and attribute:e < 5 and attribute:f <= 6',
    },
    {
      name: 'exists, not_exists, not_in, matches, not_matches',
      input:
        'attribute:a exists and attribute:b not_exists and attribute:c not_in [x] and attribute:d matches x.* and attribute:e not_matches y',
      want: 'attribute:a exists and attribute:b !exists and attribute:c !in [x] and attribute:d =~ x.* and attribute:e !~ y',
    },
    {
      name: 'symbolic boolean operators and precedence (not > and > or)',
      input: 'attribute:a !exists || attribute:b exists && !attribute:c == 1',
      want: 'attribute:a !exists or (attribute:b exists and not(attribute:c == 1))',
    },
    {
      name: 'parentheses override precedence',
      input: '(attribute:a == 1 or attribute:b == 2) and attribute:c == 3',
      want: '(attribute:a == 1 or attribute:b == 2) and attribute:c == 3',
    },
    {
      name: 'parenthesised list, no spaces, keywords in upper case',
      input: 'attribute:stack !in(prod,staging) AND NOT attribute:x exists',
      want: 'attribute:stack !in [prod, staging] and not(attribute:x exists)',
    },
    {
      name: 'double quotes, escapes and spaces in values',
      input: `attribute:note == "it's here" or attribute:path == 'a\\'b'`,
      want: `attribute:note == 'it\\'s here' or attribute:path == 'a\\'b'`,
    },
    {
      name: 'dates with time and offset',
      input: 'registeredAt >= 2018-06-18T22:28:28+00:00 and registeredAt <= 2018-06-18T22:28:28Z',
      want: 'registeredAt >= 2018-06-18T22:28:28+00:00 and registeredAt <= 2018-06-18T22:28:28Z',
    },
    {
      name: 'agentConnected with in',
      input: 'agentConnected in [true]',
      want: 'agentConnected in [true]',
    },
  ];
  for (const c of cases) {
    const q = parseClusterQuery(c.input);
    t.equal(formatClusterQuery(q), c.want, c.name);
    t.equal(
      formatClusterQuery(parseClusterQuery(formatClusterQuery(q))),
      c.want,
      `${c.name}: round trip`,
    );
    t.ok(Object.isFrozen(q.root), `${c.name}: frozen`);
  }
});

t.test('rejects bad expressions naming the position and what was expected', async (t) => {
  const cases: { name: string; input: string; want: { position: number; message: RegExp } }[] = [
    { name: 'empty', input: '  ', want: { position: 2, message: /expected an expression/ } },
    {
      name: 'unknown subject',
      input: 'foo == 1',
      want: {
        position: 0,
        message: /position 0: expected a subject \(attribute:<name>, task:group/,
      },
    },
    {
      name: 'single equals',
      input: 'attribute:x = 1',
      want: { position: 12, message: /position 12: expected an operator \(==, !=, >/ },
    },
    {
      name: 'missing value',
      input: 'attribute:x ==',
      want: { position: 14, message: /expected a value, found the end of the expression/ },
    },
    {
      name: 'unclosed parenthesis',
      input: '(attribute:a == 1',
      want: { position: 17, message: /expected '\)'/ },
    },
    {
      name: 'in without a list',
      input: 'attribute:a in b',
      want: { position: 15, message: /expected an argument list such as '\[a, b\]'/ },
    },
    {
      name: 'unterminated list',
      input: 'attribute:a in [b c]',
      want: { position: 18, message: /expected ',' or '\]'/ },
    },
    {
      name: 'unterminated quote',
      input: "attribute:a == 'b",
      want: { position: 15, message: /unterminated quoted value/ },
    },
    {
      name: 'operator not valid for the subject',
      input: 'agentConnected exists',
      want: { position: 15, message: /operator exists is not valid for agentConnected/ },
    },
    {
      name: 'ordering on ec2InstanceId',
      input: 'ec2InstanceId > i-1',
      want: { position: 14, message: /operator > is not valid for ec2InstanceId/ },
    },
    {
      name: 'count that is not a number',
      input: 'runningTasksCount > x',
      want: {
        position: 20,
        message: /runningTasksCount expects a non-negative integer, found "x"/,
      },
    },
    {
      name: 'impossible date',
      input: 'registeredAt < 2018-02-30',
      want: { position: 15, message: /registeredAt expects a date such as 2018-06-18/ },
    },
    {
      name: 'bad agent version',
      input: 'agentVersion >= latest',
      want: { position: 16, message: /agentVersion expects a version such as 1.14.5/ },
    },
    {
      name: 'agentConnected that is not a boolean',
      input: 'agentConnected == yes',
      want: { position: 18, message: /agentConnected expects 'true' or 'false'/ },
    },
    {
      name: 'bad regular expression',
      input: "attribute:a =~ '('",
      want: { position: 15, message: /invalid regular expression "\("/ },
    },
    {
      name: 'bad attribute name',
      input: 'attribute:a$b == 1',
      want: { position: 0, message: /invalid attribute name "a\$b"/ },
    },
    {
      name: 'trailing garbage',
      input: 'attribute:a == 1 attribute:b == 2',
      want: { position: 17, message: /expected 'and', 'or' or the end of the expression/ },
    },
    {
      name: 'too deep',
      input: `${'('.repeat(100)}attribute:a == 1${')'.repeat(100)}`,
      want: { position: 64, message: /at most 64 levels of nesting/ },
    },
    {
      name: 'too long',
      input: `attribute:a in [${'x,'.repeat(1000)}x]`,
      want: { position: 2000, message: /the limit is 2000/ },
    },
  ];
  for (const c of cases) {
    const err = catchError(() => parseClusterQuery(c.input));
    t.ok(err instanceof QueryError, `${c.name}: QueryError`);
    if (!(err instanceof QueryError)) continue;
    t.equal(err.code, 'BERTH_SCHEDULER_QUERY', `${c.name}: code`);
    t.equal(err.ecsType, 'InvalidParameterException', `${c.name}: ECS type`);
    t.equal(err.position, c.want.position, `${c.name}: position`);
    t.match(err.message, c.want.message, `${c.name}: message`);
  }
});

const day = (s: string): number => Date.parse(s);
const instances: QueryInstance[] = [
  {
    ec2InstanceId: 'i-1',
    attributes: {
      'ecs.instance-type': 't2.small',
      'ecs.availability-zone': 'us-east-1a',
      stack: 'prod',
      slots: '8',
    },
    registeredAt: day('2018-02-12T10:00:00Z'),
    runningTasksCount: 0,
    agentConnected: true,
    agentVersion: '1.14.4',
    status: 'ACTIVE',
    taskGroups: [],
  },
  {
    ec2InstanceId: 'i-2',
    attributes: {
      'ecs.instance-type': 't2.medium',
      'ecs.availability-zone': 'us-east-1b',
      stack: 'dev',
      slots: '10',
    },
    registeredAt: day('2018-02-13T00:00:00Z'),
    runningTasksCount: 1,
    agentConnected: true,
    agentVersion: '1.14.5',
    status: 'ACTIVE',
    taskGroups: ['service:production'],
  },
  {
    ec2InstanceId: 'i-3',
    attributes: { 'ecs.instance-type': 'g2.2xlarge', 'ecs.availability-zone': 'us-east-1d' },
    registeredAt: day('2018-02-13T23:59:59Z'),
    runningTasksCount: 3,
    agentConnected: false,
    status: 'ACTIVE',
    taskGroups: ['database', 'family:web'],
  },
  {
    ec2InstanceId: 'i-4',
    attributes: {
      'ecs.instance-type': 'g2.8xlarge',
      'ecs.availability-zone': 'us-east-1a',
      'weird/x': 'a*b',
    },
    registeredAt: day('2018-06-18T22:28:28Z'),
    runningTasksCount: 2,
    agentConnected: true,
    agentVersion: '1.80.0',
    status: 'DRAINING',
    taskGroups: ['family:web'],
  },
];

t.test('matches container instances as ECS selects them', async (t) => {
  const cases: { name: string; input: string; want: string[] }[] = [
    { name: 'string equality', input: 'attribute:ecs.instance-type == t2.small', want: ['i-1'] },
    {
      name: 'argument list',
      input: 'attribute:ecs.availability-zone in [us-east-1a, us-east-1b]',
      want: ['i-1', 'i-2', 'i-4'],
    },
    {
      name: 'G2 instances not in us-east-1d',
      input:
        'attribute:ecs.instance-type =~ g2.* and attribute:ecs.availability-zone != us-east-1d',
      want: ['i-4'],
    },
    {
      name: '!= lists only instances that have the attribute',
      input: 'attribute:stack != prod',
      want: ['i-2'],
    },
    { name: 'exists', input: 'attribute:stack exists', want: ['i-1', 'i-2'] },
    { name: '!exists', input: 'attribute:stack !exists', want: ['i-3', 'i-4'] },
    { name: '!in', input: 'attribute:stack !in [prod]', want: ['i-2'] },
    { name: 'regex is a full match', input: 'attribute:ecs.instance-type =~ t2', want: [] },
    {
      name: 'regex mismatch',
      input: 'attribute:ecs.instance-type !~ t2\\..*',
      want: ['i-3', 'i-4'],
    },
    {
      name: 'wildcard in an unquoted value',
      input: 'attribute:ecs.instance-type == g2.*',
      want: ['i-3', 'i-4'],
    },
    { name: 'quoted * is literal', input: "attribute:weird/x == 'a*'", want: [] },
    { name: 'quoted value with a literal *', input: "attribute:weird/x == 'a*b'", want: ['i-4'] },
    {
      name: 'wildcard in a list',
      input: 'attribute:ecs.instance-type in [t2.*, x]',
      want: ['i-1', 'i-2'],
    },
    { name: 'numeric attribute order', input: 'attribute:slots > 9', want: ['i-2'] },
    { name: 'task affinity', input: 'task:group == service:production', want: ['i-2'] },
    {
      name: 'task anti-affinity',
      input: 'not(task:group == database)',
      want: ['i-1', 'i-2', 'i-4'],
    },
    {
      name: 'task:group != means no task of the group',
      input: 'task:group != family:web',
      want: ['i-1', 'i-2'],
    },
    { name: 'task:group in', input: 'task:group in [database, nothing]', want: ['i-3'] },
    { name: 'task:group =~', input: 'task:group =~ family:.*', want: ['i-3', 'i-4'] },
    { name: 'task:group exists', input: 'task:group exists', want: ['i-2', 'i-3', 'i-4'] },
    { name: 'running task count', input: 'runningTasksCount == 1', want: ['i-2'] },
    { name: 'running task count <=', input: 'runningTasksCount <= 1', want: ['i-1', 'i-2'] },
    { name: 'agent version below 1.14.5', input: 'agentVersion < 1.14.5', want: ['i-1'] },
    {
      name: 'agent version >= (missing version never matches)',
      input: 'agentVersion >= 1.14.5',
      want: ['i-2', 'i-4'],
    },
    { name: 'registered before a date', input: 'registeredAt < 2018-02-13', want: ['i-1'] },
    {
      name: 'registered on a date (whole UTC day)',
      input: 'registeredAt == 2018-02-13',
      want: ['i-2', 'i-3'],
    },
    { name: 'registered after a date', input: 'registeredAt > 2018-02-13', want: ['i-4'] },
    {
      name: 'registered at an exact second, with offset',
      input: 'registeredAt == 2018-06-19T00:28:28+02:00',
      want: ['i-4'],
    },
    { name: 'ec2 instance ids', input: "ec2InstanceId in ['i-1', 'i-3']", want: ['i-1', 'i-3'] },
    { name: 'ec2 instance id regex', input: 'ec2InstanceId =~ i-[23]', want: ['i-2', 'i-3'] },
    { name: 'disconnected agents', input: 'agentConnected == false', want: ['i-3'] },
    {
      name: 'or of and',
      input: '(attribute:stack == prod and runningTasksCount == 0) or agentConnected != true',
      want: ['i-1', 'i-3'],
    },
  ];
  for (const c of cases) {
    const q = parseClusterQuery(c.input);
    const got = instances.filter((i) => matchesQuery(q, i)).map((i) => i.ec2InstanceId);
    t.same(got, c.want, c.name);
  }
});

t.test('dynamic marks queries that placement must re-evaluate', async (t) => {
  const cases: { name: string; input: string; want: boolean }[] = [
    { name: 'attribute only', input: 'attribute:a == 1', want: false },
    { name: 'task group', input: 'attribute:a == 1 or not(task:group == x)', want: true },
    { name: 'running tasks', input: 'runningTasksCount < 3', want: true },
  ];
  for (const c of cases) t.equal(parseClusterQuery(c.input).dynamic, c.want, c.name);
});

function catchError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  return undefined;
}
