// Issue 18: request members of the wrong JSON type are a SerializationException, as AWS
// answers them, decided by the input shapes of the CLI's botocore model, which
// src/core/request-shapes.ts holds in a compact form. This file checks that the copy matches
// the model for every implemented operation (UPDATE_REQUEST_SHAPES=1 rewrites it) and that
// the type check answers as AWS does.
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import * as prettier from 'prettier';
import t, { type Test } from 'tap';
import { ecsActions } from '../src/api/dispatch.js';
import { checkArnScope, checkRequestTypes } from '../src/core/check-request.js';
import { cliOperations, ecsModel, requestShapesSource } from './botocore-model.js';

const FILE = fileURLToPath(new URL('../src/core/request-shapes.ts', import.meta.url));

t.test(
  'src/core/request-shapes.ts is the model reduced to the implemented operations',
  async (t) => {
    const ops = Object.keys(ecsActions).filter((a) => ecsModel().operations[a]?.input);
    const config = (await prettier.resolveConfig(FILE)) ?? {};
    const want = await prettier.format(requestShapesSource(ops), { ...config, filepath: FILE });
    if (process.env['UPDATE_REQUEST_SHAPES']) await writeFile(FILE, want);
    const have = await readFile(FILE, 'utf8');
    t.equal(have, want, 'regenerate with UPDATE_REQUEST_SHAPES=1 when this fails');
  },
);

const serialization = (t: Test, fn: () => void, message: RegExp): void => {
  t.throws(fn, { type: 'SerializationException', message }, message.source);
};

t.test('wrong JSON types are SerializationException, worded as AWS words them', async (t) => {
  const cases: [string, Record<string, unknown>, RegExp][] = [
    [
      'RunTask',
      { taskDefinition: 'web', count: '3' },
      /^STRING_VALUE can not be converted to an Integer \(at count\)/,
    ],
    [
      'RunTask',
      { taskDefinition: 5 },
      /^NUMBER_VALUE can not be converted to a String \(at taskDefinition\)/,
    ],
    ['RunTask', { taskDefinition: 'web', placementConstraints: {} }, /^Expected list or null/],
    [
      'RunTask',
      { taskDefinition: 'web', placementConstraints: ['x'] },
      /^Expected null \(at placementConstraints\[0\]\)/,
    ],
    [
      'RunTask',
      { taskDefinition: 'web', overrides: [] },
      /^Start of list found where not expected/,
    ],
    [
      'RunTask',
      { taskDefinition: { family: 'web' } },
      /^Start of structure or map found where not expected/,
    ],
    [
      'CreateService',
      { serviceName: 'x', desiredCount: 1, deploymentConfiguration: { maximumPercent: true } },
      /^TRUE_VALUE can not be converted to an Integer \(at deploymentConfiguration.maximumPercent\)/,
    ],
    [
      'DeleteService',
      { service: 'x', force: 'yes' },
      /^STRING_VALUE can not be converted to a Boolean/,
    ],
    [
      'RegisterTaskDefinition',
      { family: 'f', containerDefinitions: [{ name: 'a', dockerLabels: { k: 1 } }] },
      /^NUMBER_VALUE can not be converted to a String \(at containerDefinitions\[0\].dockerLabels.k\)/,
    ],
    [
      'UpdateTaskSet',
      { cluster: 'c', service: 's', taskSet: 't', scale: { value: '50' } },
      /^STRING_VALUE can not be converted to a Double/,
    ],
  ];
  for (const [action, body, message] of cases)
    serialization(t, () => checkRequestTypes(action, body), message);
  // Right types pass, unknown members are ignored, null is absent.
  t.doesNotThrow(() =>
    checkRequestTypes('RunTask', { taskDefinition: 'web', count: 2, berthExtra: [1], group: null }),
  );
  t.doesNotThrow(() => checkRequestTypes('BerthAgentV1.PollAssignments', { version: 'x' }));
});

t.test('ARNs of another region or account are refused', async (t) => {
  const scope = { region: 'us-east-1', accountId: '000000000000' };
  const local = 'arn:aws:ecs:us-east-1:000000000000:task-definition/web:1';
  t.doesNotThrow(() =>
    checkArnScope('RunTask', { taskDefinition: local, cluster: 'default' }, scope),
  );
  t.throws(
    () =>
      checkArnScope(
        'RunTask',
        { taskDefinition: 'arn:aws:ecs:eu-west-1:000000000000:task-definition/web:1' },
        scope,
      ),
    { type: 'InvalidParameterException', message: 'Invalid Region in ARN' },
  );
  t.throws(
    () =>
      checkArnScope(
        'DescribeTasks',
        { tasks: ['x', 'arn:aws:ecs:us-east-1:111111111111:task/c/abc'] },
        scope,
      ),
    { type: 'AccessDeniedException', message: /not authorized to perform: ecs:DescribeTasks/ },
  );
  t.throws(
    () =>
      checkArnScope(
        'PutAttributes',
        {
          attributes: [
            { name: 'a', targetId: 'arn:aws:ecs:eu-west-1:000000000000:container-instance/c/i' },
          ],
        },
        scope,
      ),
    { type: 'InvalidParameterException', message: /Invalid Region in ARN/ },
    'a container instance ARN of another region in PutAttributes',
  );
});

t.test('coverage: operations of the CLI model berth implements', async (t) => {
  const model = cliOperations();
  const done = model.filter((op) => Object.hasOwn(ecsActions, op));
  const missing = model.filter((op) => !Object.hasOwn(ecsActions, op));
  t.comment(`${done.length} of ${model.length}; not implemented: ${missing.join(', ')}`);
  // Issue 18 took it from 32 to 45 (DeleteTaskDefinitions is newer than this model).
  t.ok(done.length >= 45, `${done.length} of ${model.length} operations`);
  t.ok(Object.hasOwn(ecsActions, 'DeleteTaskDefinitions'));
});
