import t from 'tap';
import { ActionInputError, describeAction, parseAction } from '../../src/core/actions.js';

t.test('actions from the page are checked field by field', async (t) => {
  const ok = [
    { kind: 'scale', cluster: 'default', service: 'hello', desiredCount: 5, from: 3 },
    { kind: 'update-service', cluster: 'default', service: 'hello', taskDefinition: 'hello:2' },
    { kind: 'update-service', cluster: 'default', service: 'hello', forceNewDeployment: true },
    { kind: 'stop-task', cluster: 'default', task: 'abc' },
    { kind: 'instance-state', cluster: 'default', instance: 'i1', status: 'DRAINING' },
    { kind: 'run-task', cluster: 'default', taskDefinition: 'hello:1', count: 2 },
    { kind: 'register-task-definition', definition: { family: 'x' } },
  ];
  for (const a of ok) t.equal(parseAction(a).kind, a.kind, `${a.kind} accepted`);
  const bad = [
    { name: 'not an object', input: 'scale', field: '' },
    { name: 'unknown kind', input: { kind: 'rm -rf' }, field: 'kind' },
    {
      name: 'negative count',
      input: { kind: 'scale', cluster: 'default', service: 'hello', desiredCount: -1 },
      field: 'desiredCount',
    },
    {
      name: 'fractional count',
      input: { kind: 'scale', cluster: 'default', service: 'hello', desiredCount: 1.5 },
      field: 'desiredCount',
    },
    {
      name: 'missing service',
      input: { kind: 'scale', cluster: 'default', desiredCount: 1 },
      field: 'service',
    },
    {
      name: 'odd name',
      input: { kind: 'stop-task', cluster: 'default', task: '../x y' },
      field: 'task',
    },
    {
      name: 'update without change',
      input: { kind: 'update-service', cluster: 'default', service: 'hello' },
      field: 'taskDefinition',
    },
    {
      name: 'bad status',
      input: { kind: 'instance-state', cluster: 'default', instance: 'i', status: 'GONE' },
      field: 'status',
    },
    {
      name: 'too many tasks',
      input: { kind: 'run-task', cluster: 'default', taskDefinition: 'x:1', count: 11 },
      field: 'count',
    },
    {
      name: 'definition not an object',
      input: { kind: 'register-task-definition', definition: [] },
      field: '',
    },
    {
      name: 'long reason',
      input: { kind: 'stop-task', cluster: 'default', task: 'a', reason: 'x'.repeat(300) },
      field: 'reason',
    },
  ];
  for (const c of bad) {
    try {
      parseAction(c.input);
      t.fail(`${c.name}: accepted`);
    } catch (e) {
      t.ok(e instanceof ActionInputError, c.name);
      t.equal((e as ActionInputError).field, c.field, `${c.name} names ${c.field || 'no field'}`);
    }
  }
});

t.test('every action says what it will do', async (t) => {
  const cases = [
    {
      input: { kind: 'scale', cluster: 'default', service: 'hello', desiredCount: 5, from: 3 },
      want: /from 3 to 5: the scheduler starts 2 tasks\.$/,
    },
    {
      input: { kind: 'scale', cluster: 'default', service: 'hello', desiredCount: 2, from: 3 },
      want: /stops 1 task\.$/,
    },
    {
      input: { kind: 'scale', cluster: 'default', service: 'hello', desiredCount: 2 },
      want: /to 2\.$/,
    },
    {
      input: {
        kind: 'update-service',
        cluster: 'default',
        service: 'hello',
        taskDefinition: 'hello:2',
      },
      want: /to hello:2: a rolling deployment/,
    },
    {
      input: {
        kind: 'update-service',
        cluster: 'default',
        service: 'hello',
        forceNewDeployment: true,
      },
      want: /^Force a new deployment/,
    },
    { input: { kind: 'stop-task', cluster: 'default', task: 'abc' }, want: /starts a replacement/ },
    {
      input: { kind: 'instance-state', cluster: 'default', instance: 'i1', status: 'DRAINING' },
      want: /^Drain container instance i1/,
    },
    {
      input: { kind: 'instance-state', cluster: 'default', instance: 'i1', status: 'ACTIVE' },
      want: /^Activate/,
    },
    {
      input: { kind: 'run-task', cluster: 'default', taskDefinition: 'hello:1', count: 1 },
      want: /^Run 1 task of hello:1/,
    },
    {
      input: { kind: 'register-task-definition', definition: { family: 'web' } },
      want: /family web/,
    },
  ];
  for (const c of cases) t.match(describeAction(parseAction(c.input)), c.want, String(c.want));
});
