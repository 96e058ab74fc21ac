// Issue 18: the ECS operations a deployment pipeline reaches for next, which answered
// UnknownOperationException before: DeleteTaskDefinitions, UpdateCluster /
// UpdateClusterSettings, the account settings, Get/UpdateTaskProtection (and the service
// reconciler keeping protected tasks through a scale-in), each with the real AWS CLI and
// @aws-sdk/client-ecs. Task sets have their own file (task-sets.test.ts).
import {
  CreateServiceCommand,
  DeleteTaskDefinitionsCommand,
  DeregisterTaskDefinitionCommand,
  DescribeTaskDefinitionCommand,
  GetTaskProtectionCommand,
  ListAccountSettingsCommand,
  ListTasksCommand,
  PutAccountSettingCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  UpdateClusterCommand,
  UpdateServiceCommand,
  UpdateTaskProtectionCommand,
  type ECSClient,
} from '@aws-sdk/client-ecs';
import { eventually } from '@berth/daemon/testing';
import t from 'tap';
import { SimulatedAgent } from '../src/testing/index.js';
import { awsEcs, cliErrorType } from './aws-cli.js';
import { CREDS, startStack, webTaskDef } from './fixtures.js';

const s = await startStack({ serviceIntervalMs: 300 });
const agent = new SimulatedAgent({
  endpoint: s.scheduler.url,
  credentials: CREDS,
  cluster: 'ops',
  instanceId: 'i-ops',
  waitSeconds: 5,
});
t.teardown(async () => {
  await agent.stop();
  await s.close();
});
await s.json.ecs('CreateCluster', { clusterName: 'ops' });
await agent.register();
agent.start();

async function sdkError(client: ECSClient, command: object) {
  try {
    // Any ECS command: the error name is all that is read.
    await client.send(command as never);
    return undefined;
  } catch (e) {
    return (e as Error).name;
  }
}

const ROOT = 'arn:aws:iam::000000000000:root';
const ME = 'arn:aws:iam::000000000000:user/default';

t.test('DeleteTaskDefinitions (SDK; the CLI model predates it)', async (t) => {
  for (let i = 0; i < 3; i++) {
    await s.sdk.send(new RegisterTaskDefinitionCommand(webTaskDef('gone') as never));
  }
  await s.sdk.send(new DeregisterTaskDefinitionCommand({ taskDefinition: 'gone:1' }));
  await s.sdk.send(new DeregisterTaskDefinitionCommand({ taskDefinition: 'gone:3' }));
  const r = await s.sdk.send(
    new DeleteTaskDefinitionsCommand({
      taskDefinitions: [
        'gone:1',
        'gone:2',
        'arn:aws:ecs:us-east-1:000000000000:task-definition/gone:3',
        'gone:9',
      ],
    }),
  );
  t.same(
    r.taskDefinitions?.map((d) => [d.revision, d.status]),
    [
      [1, 'DELETE_IN_PROGRESS'],
      [3, 'DELETE_IN_PROGRESS'],
    ],
  );
  t.same(
    r.failures?.map((f) => f.arn),
    [
      'arn:aws:ecs:us-east-1:000000000000:task-definition/gone:2',
      'arn:aws:ecs:us-east-1:000000000000:task-definition/gone:9',
    ],
  );
  t.match(r.failures?.[0]?.reason, /still in ACTIVE status/);
  // Nothing uses them: gone at once; the highest revision number is never reused.
  t.equal(
    await sdkError(s.sdk, new DescribeTaskDefinitionCommand({ taskDefinition: 'gone:1' })),
    'ClientException',
  );
  const next = await s.sdk.send(new RegisterTaskDefinitionCommand(webTaskDef('gone') as never));
  t.equal(next.taskDefinition?.revision, 4);
  t.equal(
    await sdkError(s.sdk, new DeleteTaskDefinitionsCommand({ taskDefinitions: [] })),
    'InvalidParameterException',
  );
  const cli = await awsEcs(s, ['delete-task-definitions', '--task-definitions', 'gone:2']);
  t.not(cli.code, 0, 'awscli 2.9.19 has no delete-task-definitions command');
});

t.test('UpdateCluster and UpdateClusterSettings store and show settings', async (t) => {
  const cli = await awsEcs(s, [
    'update-cluster-settings',
    '--cluster',
    'ops',
    '--settings',
    'name=containerInsights,value=enabled',
  ]);
  t.equal(cli.code, 0, cli.stderr);
  t.same(cli.out.cluster.settings, [{ name: 'containerInsights', value: 'enabled' }]);
  const sdk = await s.sdk.send(
    new UpdateClusterCommand({
      cluster: 'ops',
      configuration: { executeCommandConfiguration: { logging: 'NONE' } },
    }),
  );
  t.same(sdk.cluster?.configuration, { executeCommandConfiguration: { logging: 'NONE' } });
  t.same(sdk.cluster?.settings, [{ name: 'containerInsights', value: 'enabled' }]);
  const bad = await awsEcs(s, [
    'update-cluster',
    '--cluster',
    'ops',
    '--configuration',
    'executeCommandConfiguration={logging=OVERRIDE}',
  ]);
  t.equal(cliErrorType(bad), 'InvalidParameterException', bad.stderr);
  t.equal(
    await sdkError(s.sdk, new UpdateClusterCommand({ cluster: 'nope' })),
    'ClusterNotFoundException',
  );
  const d = await awsEcs(s, ['describe-clusters', '--clusters', 'ops', '--include', 'SETTINGS']);
  t.same(d.out.clusters[0].settings, [{ name: 'containerInsights', value: 'enabled' }]);
});

t.test('account settings: per principal, account defaults, effective settings', async (t) => {
  const put = await awsEcs(s, [
    'put-account-setting',
    '--name',
    'awsvpcTrunking',
    '--value',
    'enabled',
  ]);
  t.equal(put.code, 0, put.stderr);
  t.same(put.out.setting, { name: 'awsvpcTrunking', value: 'enabled', principalArn: ME });
  const def = await awsEcs(s, [
    'put-account-setting-default',
    '--name',
    'containerInsights',
    '--value',
    'enabled',
  ]);
  t.same(def.out.setting, { name: 'containerInsights', value: 'enabled', principalArn: ROOT });
  const mine = await s.sdk.send(new ListAccountSettingsCommand({}));
  t.same(mine.settings, [{ name: 'awsvpcTrunking', value: 'enabled', principalArn: ME }]);
  const eff = await awsEcs(s, ['list-account-settings', '--effective-settings']);
  const byName = Object.fromEntries(
    (eff.out.settings as { name: string; value: string; principalArn: string }[]).map((x) => [
      x.name,
      `${x.value} ${x.principalArn}`,
    ]),
  );
  t.same(byName, {
    serviceLongArnFormat: `enabled ${ROOT}`,
    taskLongArnFormat: `enabled ${ROOT}`,
    containerInstanceLongArnFormat: `enabled ${ROOT}`,
    awsvpcTrunking: `enabled ${ME}`,
    containerInsights: `enabled ${ROOT}`,
  });
  // The account's containerInsights default reaches new clusters.
  const c = await awsEcs(s, ['create-cluster', '--cluster-name', 'insightful']);
  t.same(c.out.cluster.settings, [{ name: 'containerInsights', value: 'enabled' }]);
  const del = await awsEcs(s, ['delete-account-setting', '--name', 'awsvpcTrunking']);
  t.same(del.out.setting, { name: 'awsvpcTrunking', value: 'enabled', principalArn: ME });
  const after = await s.sdk.send(new ListAccountSettingsCommand({ name: 'awsvpcTrunking' }));
  t.same(after.settings, []);
  t.equal(
    await sdkError(
      s.sdk,
      new PutAccountSettingCommand({ name: 'taskLongArnFormat', value: 'disabled' }),
    ),
    'InvalidParameterException',
    'long ARNs can no longer be disabled',
  );
  const other = await awsEcs(s, [
    'put-account-setting',
    '--name',
    'awsvpcTrunking',
    '--value',
    'enabled',
    '--principal-arn',
    'arn:aws:iam::111111111111:user/x',
  ]);
  t.equal(cliErrorType(other), 'InvalidParameterException', other.stderr);
});

t.test('task protection: set, read, and kept through a scale-in until it ends', async (t) => {
  await s.sdk.send(new RegisterTaskDefinitionCommand(webTaskDef('guarded') as never));
  await s.sdk.send(
    new CreateServiceCommand({
      cluster: 'ops',
      serviceName: 'guarded',
      taskDefinition: 'guarded',
      desiredCount: 3,
    }),
  );
  let arns: string[] = [];
  await eventually(
    'three guarded tasks RUNNING',
    async () => {
      const l = await s.sdk.send(new ListTasksCommand({ cluster: 'ops', serviceName: 'guarded' }));
      arns = l.taskArns ?? [];
      return arns.length === 3 && arns.every((a) => agent.reported.get(a) === 'RUNNING');
    },
    { timeoutMs: 15_000 },
  );
  const [keep1, keep2, free] = arns as [string, string, string];
  const cli = await awsEcs(s, [
    'update-task-protection',
    '--cluster',
    'ops',
    '--tasks',
    keep1,
    keep2,
    '--protection-enabled',
    '--expires-in-minutes',
    '60',
  ]);
  t.equal(cli.code, 0, cli.stderr);
  t.same(
    (cli.out.protectedTasks as { protectionEnabled: boolean }[]).map((p) => p.protectionEnabled),
    [true, true],
  );
  // The CLI prints timestamps as ISO 8601.
  const exp = Date.parse(cli.out.protectedTasks[0].expirationDate as string);
  t.ok(Math.abs(exp - (Date.now() + 3_600_000)) < 120_000, 'expires in an hour');
  const standalone = await s.sdk.send(
    new RunTaskCommand({ cluster: 'ops', taskDefinition: 'guarded' }),
  );
  const got = await s.sdk.send(
    new GetTaskProtectionCommand({
      cluster: 'ops',
      tasks: [keep1, free, standalone.tasks?.[0]?.taskArn as string, 'no-such-task'],
    }),
  );
  t.same(
    got.protectedTasks?.map((p) => [p.taskArn, p.protectionEnabled]),
    [
      [keep1, true],
      [free, false],
    ],
  );
  t.same(
    got.failures?.map((f) => f.reason),
    ['TASK_NOT_VALID', 'MISSING'],
  );

  // Scale in to 1: the unprotected task goes; the protected ones stay while protected.
  await s.sdk.send(
    new UpdateServiceCommand({ cluster: 'ops', service: 'guarded', desiredCount: 1 }),
  );
  const live = async () =>
    (await s.sdk.send(new ListTasksCommand({ cluster: 'ops', serviceName: 'guarded' }))).taskArns ??
    [];
  await eventually('(await live()).length === 2', async () => (await live()).length === 2, {
    timeoutMs: 10_000,
  });
  t.same((await live()).sort(), [keep1, keep2].sort(), 'the protected tasks were kept');
  const off = await s.sdk.send(
    new UpdateTaskProtectionCommand({ cluster: 'ops', tasks: [keep2], protectionEnabled: false }),
  );
  t.equal(off.protectedTasks?.[0]?.protectionEnabled, false);
  await eventually('(await live()).length === 1', async () => (await live()).length === 1, {
    timeoutMs: 10_000,
  });
  t.same(await live(), [keep1], 'the task whose protection ended went');
});
