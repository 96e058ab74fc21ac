// Issue 18, points 1-8: where berth's answers differed from ECS's, each checked with the real
// AWS CLI (/usr/bin/aws) and @aws-sdk/client-ecs. Every one of these failed on the code before
// the issue (a cluster with services was deleted, services could not be tagged, cluster
// counts were hard-coded, tag propagation was ignored, list-tasks filters differed, foreign
// ARNs ran local resources, RunTask ignored or mis-took fields, answers carried members the
// model does not have).
import {
  CreateServiceCommand,
  DeleteClusterCommand,
  DeleteServiceCommand,
  DescribeClustersCommand,
  DescribeServicesCommand,
  DescribeTasksCommand,
  ListServicesCommand,
  ListTagsForResourceCommand,
  ListTasksCommand,
  RunTaskCommand,
  TagResourceCommand,
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
  cluster: 'i18',
  instanceId: 'i-i18',
  waitSeconds: 5,
  attributes: { stack: 'prod' },
});
t.teardown(async () => {
  await agent.stop();
  await s.close();
});

/** The ECS exception name an SDK call fails with. */
async function sdkError(client: ECSClient, command: object) {
  try {
    // Any ECS command: the error name is all that is read.
    await client.send(command as never);
    return undefined;
  } catch (e) {
    return (e as Error).name;
  }
}

const ARN = 'arn:aws:ecs:us-east-1:000000000000';
await s.json.ecs('CreateCluster', { clusterName: 'i18' });
await s.json.ecs('RegisterTaskDefinition', {
  ...webTaskDef('i18-web'),
  tags: [{ key: 'from', value: 'taskdef' }],
});
await agent.register();
agent.start();

t.test('point 1: DeleteCluster refuses a cluster with services', async (t) => {
  await s.json.ecs('CreateCluster', { clusterName: 'p1' });
  await s.json.ecs('CreateService', {
    cluster: 'p1',
    serviceName: 'svc',
    taskDefinition: 'i18-web',
    desiredCount: 0,
  });
  const [cli, sdk] = await Promise.all([
    awsEcs(s, ['delete-cluster', '--cluster', 'p1']),
    sdkError(s.sdk, new DeleteClusterCommand({ cluster: 'p1' })),
  ]);
  t.equal(cliErrorType(cli), 'ClusterContainsServicesException', cli.stderr);
  t.equal(sdk, 'ClusterContainsServicesException');
  await s.sdk.send(new DeleteServiceCommand({ cluster: 'p1', service: 'svc', force: true }));
  await eventually(
    'service svc INACTIVE',
    async () => {
      const r = await s.sdk.send(new DescribeServicesCommand({ cluster: 'p1', services: ['svc'] }));
      return r.services?.[0]?.status === 'INACTIVE';
    },
    { timeoutMs: 10_000 },
  );
  const del = await awsEcs(s, ['delete-cluster', '--cluster', 'p1']);
  t.equal(del.code, 0, del.stderr);
  t.equal(del.out.cluster.status, 'INACTIVE');
  // The old service does not come back with a new cluster of the same name.
  await s.json.ecs('CreateCluster', { clusterName: 'p1' });
  const list = await s.sdk.send(new ListServicesCommand({ cluster: 'p1' }));
  t.same(list.serviceArns, []);
  const old = await s.sdk.send(new DescribeServicesCommand({ cluster: 'p1', services: ['svc'] }));
  t.equal(old.failures?.[0]?.reason, 'MISSING');
});

t.test('point 2: services can be tagged after creation', async (t) => {
  const created = await s.sdk.send(
    new CreateServiceCommand({
      cluster: 'i18',
      serviceName: 'tagged',
      taskDefinition: 'i18-web',
      desiredCount: 0,
      tags: [{ key: 'team', value: 'a' }],
    }),
  );
  const arn = created.service?.serviceArn as string;
  t.equal(arn, `${ARN}:service/i18/tagged`);
  await s.sdk.send(
    new TagResourceCommand({ resourceArn: arn, tags: [{ key: 'env', value: 'prod' }] }),
  );
  const cli = await awsEcs(s, ['untag-resource', '--resource-arn', arn, '--tag-keys', 'team']);
  t.equal(cli.code, 0, cli.stderr);
  const listed = await awsEcs(s, ['list-tags-for-resource', '--resource-arn', arn]);
  t.same(listed.out.tags, [{ key: 'env', value: 'prod' }]);
  const sdk = await s.sdk.send(new ListTagsForResourceCommand({ resourceArn: arn }));
  t.same(sdk.tags, [{ key: 'env', value: 'prod' }]);
  // berth's rebalance option rides on a tag (point 8): set, shown with include TAGS, checked.
  const bad = await awsEcs(s, [
    'tag-resource',
    '--resource-arn',
    arn,
    '--tags',
    'key=berth:rebalance,value=sometimes',
  ]);
  t.equal(cliErrorType(bad), 'InvalidParameterException', bad.stderr);
  await s.sdk.send(
    new TagResourceCommand({
      resourceArn: arn,
      tags: [{ key: 'berth:rebalance', value: 'maxSkew=2' }],
    }),
  );
  const d = await s.json.ecs<{ services: Record<string, unknown>[] }>('DescribeServices', {
    cluster: 'i18',
    services: ['tagged'],
    include: ['TAGS'],
  });
  t.same(d.services[0]?.['tags'], [
    { key: 'env', value: 'prod' },
    { key: 'berth:rebalance', value: 'maxSkew=2' },
  ]);
  t.notOk('rebalance' in (d.services[0] ?? {}), 'no member outside ECS shapes');
  const ctx = s.scheduler.replica.context;
  t.same(ctx?.state.services.get('i18\0tagged')?.rebalance, { enable: true, maxSkew: 2 });
});

t.test(
  'point 3: describe-clusters counts services, gives statistics, settings, configuration',
  async (t) => {
    await s.sdk.send(
      new CreateServiceCommand({
        cluster: 'i18',
        serviceName: 'counted',
        taskDefinition: 'i18-web',
        desiredCount: 1,
      }),
    );
    await eventually(
      'service counted running 1 task',
      async () => {
        const r = await s.sdk.send(
          new DescribeServicesCommand({ cluster: 'i18', services: ['counted'] }),
        );
        return r.services?.[0]?.runningCount === 1;
      },
      { timeoutMs: 10_000 },
    );
    const conf = JSON.stringify({ executeCommandConfiguration: { logging: 'DEFAULT' } });
    const created = await awsEcs(s, [
      'create-cluster',
      '--cluster-name',
      'p3',
      '--settings',
      'name=containerInsights,value=enabled',
      '--configuration',
      conf,
    ]);
    t.equal(created.code, 0, created.stderr);
    t.same(created.out.cluster.settings, [{ name: 'containerInsights', value: 'enabled' }]);
    const [cli, sdk] = await Promise.all([
      awsEcs(s, [
        'describe-clusters',
        '--clusters',
        'i18',
        'p3',
        '--include',
        'STATISTICS',
        'SETTINGS',
        'CONFIGURATIONS',
      ]),
      s.sdk.send(new DescribeClustersCommand({ clusters: ['i18'] })),
    ]);
    t.equal(cli.code, 0, cli.stderr);
    const [i18, p3] = cli.out.clusters;
    t.equal(i18.activeServicesCount, 2, 'ACTIVE services: tagged and counted');
    const stat = Object.fromEntries(
      (i18.statistics as { name: string; value: string }[]).map((x) => [x.name, x.value]),
    );
    t.equal(stat['runningEC2TasksCount'], '1');
    t.equal(stat['activeEC2ServiceCount'], '2');
    t.same(p3.settings, [{ name: 'containerInsights', value: 'enabled' }]);
    t.same(p3.configuration, { executeCommandConfiguration: { logging: 'DEFAULT' } });
    t.equal(sdk.clusters?.[0]?.activeServicesCount, 2);
    t.same(sdk.clusters?.[0]?.statistics, [], 'statistics only when asked for');
    t.equal(sdk.clusters?.[0]?.settings, undefined, 'settings only when asked for');
  },
);

t.test('point 4: propagateTags and enableECSManagedTags reach the tasks', async (t) => {
  const cli = await awsEcs(s, [
    'create-service',
    '--cluster',
    'i18',
    '--service-name',
    'propagating',
    '--task-definition',
    'i18-web',
    '--desired-count',
    '1',
    '--tags',
    'key=owner,value=svc',
    '--propagate-tags',
    'SERVICE',
    '--enable-ecs-managed-tags',
  ]);
  t.equal(cli.code, 0, cli.stderr);
  t.equal(cli.out.service.propagateTags, 'SERVICE');
  t.equal(cli.out.service.enableECSManagedTags, true);
  await s.sdk.send(
    new CreateServiceCommand({
      cluster: 'i18',
      serviceName: 'from-td',
      taskDefinition: 'i18-web',
      desiredCount: 1,
      propagateTags: 'TASK_DEFINITION',
    }),
  );
  const tagsOf = async (service: string) => {
    let arns: string[] = [];
    await eventually(
      'one task of the service',
      async () => {
        const l = await s.sdk.send(new ListTasksCommand({ cluster: 'i18', serviceName: service }));
        arns = l.taskArns ?? [];
        return arns.length === 1;
      },
      { timeoutMs: 10_000 },
    );
    const d = await s.sdk.send(
      new DescribeTasksCommand({ cluster: 'i18', tasks: arns, include: ['TAGS'] }),
    );
    return d.tasks?.[0]?.tags;
  };
  t.same(await tagsOf('propagating'), [
    { key: 'owner', value: 'svc' },
    { key: 'aws:ecs:clusterName', value: 'i18' },
    { key: 'aws:ecs:serviceName', value: 'propagating' },
  ]);
  t.same(await tagsOf('from-td'), [{ key: 'from', value: 'taskdef' }]);
});

t.test('point 5: list-tasks filters as ECS documents them', async (t) => {
  const [cli, sdk] = await Promise.all([
    awsEcs(s, ['list-tasks', '--cluster', 'i18', '--service-name', 'nope']),
    sdkError(s.sdk, new ListTasksCommand({ cluster: 'i18', serviceName: 'nope' })),
  ]);
  t.equal(cliErrorType(cli), 'ServiceNotFoundException', cli.stderr);
  t.equal(sdk, 'ServiceNotFoundException');
  const [alone, combined] = await Promise.all([
    awsEcs(s, ['list-tasks', '--cluster', 'i18', '--started-by', 'x', '--family', 'i18-web']),
    sdkError(
      s.sdk,
      new ListTasksCommand({ cluster: 'i18', startedBy: 'x', containerInstance: 'i' }),
    ),
  ]);
  t.equal(cliErrorType(alone), 'InvalidParameterException', alone.stderr);
  t.equal(combined, 'InvalidParameterException');
  const both = await s.sdk.send(
    new ListTasksCommand({ cluster: 'i18', family: 'i18-web', serviceName: 'counted' }),
  );
  t.equal(both.taskArns?.length, 1, 'family with serviceName is a filter, not an error');
});

t.test('point 6: ARNs of another region or account are refused', async (t) => {
  const foreignRegion = 'arn:aws:ecs:eu-west-1:000000000000:task-definition/i18-web:1';
  const foreignAccount = 'arn:aws:ecs:us-east-1:111111111111:task-definition/i18-web:1';
  const [cli, sdk, cluster] = await Promise.all([
    awsEcs(s, ['run-task', '--cluster', 'i18', '--task-definition', foreignRegion]),
    sdkError(s.sdk, new RunTaskCommand({ cluster: 'i18', taskDefinition: foreignAccount })),
    sdkError(
      s.sdk,
      new DescribeServicesCommand({
        cluster: 'arn:aws:ecs:eu-west-1:000000000000:cluster/i18',
        services: ['x'],
      }),
    ),
  ]);
  t.equal(cliErrorType(cli), 'InvalidParameterException', cli.stderr);
  t.match(cli.stderr, /Invalid Region in ARN/);
  t.equal(sdk, 'AccessDeniedException');
  t.equal(cluster, 'InvalidParameterException');
});

t.test('point 7: RunTask refuses what it cannot honour, as ECS does', async (t) => {
  const run = (extra: Record<string, unknown>) =>
    sdkError(
      s.sdk,
      new RunTaskCommand({ cluster: 'i18', taskDefinition: 'i18-web', ...extra } as never),
    );
  const [cps, net, bothCli, memberOf, startedBy, startedByCli, serialization] = await Promise.all([
    run({ capacityProviderStrategy: [{ capacityProvider: 'FARGATE', weight: 1 }] }),
    run({ networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-1'] } } }),
    awsEcs(s, [
      'run-task',
      '--cluster',
      'i18',
      '--task-definition',
      'i18-web',
      '--launch-type',
      'EC2',
      '--capacity-provider-strategy',
      'capacityProvider=cp,weight=1',
    ]),
    run({ placementConstraints: [{ type: 'memberOf', expression: 'attribute:stack ===' }] }),
    run({ startedBy: 'a'.repeat(37) }),
    awsEcs(s, [
      'run-task',
      '--cluster',
      'i18',
      '--task-definition',
      'i18-web',
      '--started-by',
      'job #1',
    ]),
    run({ count: '1' }),
  ]);
  t.equal(cps, 'InvalidParameterException', 'capacityProviderStrategy');
  t.equal(net, 'InvalidParameterException', 'networkConfiguration without awsvpc');
  t.equal(cliErrorType(bothCli), 'InvalidParameterException', bothCli.stderr);
  t.match(bothCli.stderr, /Specifying both a launch type and capacity provider strategy/);
  t.equal(memberOf, 'InvalidParameterException', 'malformed memberOf expression');
  t.equal(startedBy, 'InvalidParameterException', 'startedBy over 36 characters');
  t.equal(cliErrorType(startedByCli), 'InvalidParameterException', startedByCli.stderr);
  t.equal(serialization, 'SerializationException', 'a string where the model has an integer');
  // Nothing was started by any of them.
  const l = await s.sdk.send(new ListTasksCommand({ cluster: 'i18', family: 'i18-web' }));
  t.equal(l.taskArns?.length, 3, 'only the services’ tasks');
});

t.test('point 8: answers carry only members the model has', async (t) => {
  const reg = await s.json.ecs<Record<string, Record<string, unknown>>>('RegisterTaskDefinition', {
    ...webTaskDef('p8'),
    tags: [{ key: 'k', value: 'v' }],
  });
  t.notOk('tags' in (reg['taskDefinition'] ?? {}), 'taskDefinition.tags is not a member');
  t.same(reg['tags'], [{ key: 'k', value: 'v' }], 'the response has its own tags member');
  const faults = s.recorder.faults();
  t.same(faults, [], 'every answer so far fits botocore’s output shapes');
  t.ok(s.recorder.records.length > 20, `${s.recorder.records.length} answers checked`);
});
