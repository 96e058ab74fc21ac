// Every ECS action through the real AWS SDK (@aws-sdk/client-ecs) against a scheduler and an
// in-process catalog: shapes, pagination, errors, SigV4 refusal. Agents are simulated.
import { eventually } from '@berth/daemon/testing';
import t, { type Test } from 'tap';
import {
  CreateClusterCommand,
  DeleteAttributesCommand,
  DeleteClusterCommand,
  DeregisterContainerInstanceCommand,
  DeregisterTaskDefinitionCommand,
  DescribeClustersCommand,
  DescribeContainerInstancesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ECSClient,
  ListAttributesCommand,
  ListClustersCommand,
  ListContainerInstancesCommand,
  ListTagsForResourceCommand,
  ListTaskDefinitionFamiliesCommand,
  ListTaskDefinitionsCommand,
  ListTasksCommand,
  PutAttributesCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  StartTaskCommand,
  StopTaskCommand,
  SubmitContainerStateChangeCommand,
  SubmitTaskStateChangeCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateContainerInstancesStateCommand,
  paginateListClusters,
  paginateListTasks,
} from '@aws-sdk/client-ecs';
import { SimulatedAgent } from '../src/testing/index.js';
import { EcsCallError } from '../src/client/ecs-json-client.js';
import { CREDS, CREDS2, startStack, webTaskDef } from './fixtures.js';

const s = await startStack();
t.teardown(() => s.close());
const { sdk } = s;

async function rejects(
  t: Test,
  p: Promise<unknown>,
  want: { name: string; message?: RegExp; status?: number },
  label: string,
): Promise<void> {
  try {
    await p;
    t.fail(`${label}: succeeded`);
  } catch (e) {
    const err = e as { name: string; message: string; $metadata?: { httpStatusCode?: number } };
    t.equal(err.name, want.name, `${label}: ${err.message}`);
    if (want.message) t.match(err.message, want.message, `${label}: message`);
    t.equal(err.$metadata?.httpStatusCode, want.status ?? 400, `${label}: status`);
  }
}

const agents: SimulatedAgent[] = [];
t.teardown(async () => {
  for (const a of agents) await a.stop();
});
async function agent(
  cluster: string,
  opts: Partial<ConstructorParameters<typeof SimulatedAgent>[0]> = {},
) {
  const a = new SimulatedAgent({
    endpoint: s.scheduler.url,
    credentials: CREDS,
    cluster,
    waitSeconds: 5,
    ...opts,
  });
  await a.register();
  a.start();
  agents.push(a);
  return a;
}

t.test('clusters: create, describe, list (paginated), delete', async (t) => {
  const c = await sdk.send(
    new CreateClusterCommand({ clusterName: 'alpha', tags: [{ key: 'team', value: 'a' }] }),
  );
  t.equal(c.cluster?.clusterArn, 'arn:aws:ecs:us-east-1:000000000000:cluster/alpha');
  t.equal(c.cluster?.status, 'ACTIVE');
  const again = await sdk.send(new CreateClusterCommand({ clusterName: 'alpha' }));
  t.equal(again.cluster?.clusterArn, c.cluster?.clusterArn, 'CreateCluster is idempotent');
  for (const n of ['beta', 'gamma', 'delta'])
    await sdk.send(new CreateClusterCommand({ clusterName: n }));
  const d = await sdk.send(
    new DescribeClustersCommand({ clusters: ['alpha', 'nope'], include: ['TAGS'] }),
  );
  t.same(d.clusters?.[0]?.tags, [{ key: 'team', value: 'a' }]);
  t.same(d.failures, [
    { arn: 'arn:aws:ecs:us-east-1:000000000000:cluster/nope', reason: 'MISSING' },
  ]);
  const seen: string[] = [];
  let pages = 0;
  for await (const page of paginateListClusters({ client: sdk, pageSize: 2 }, {})) {
    pages++;
    seen.push(...(page.clusterArns ?? []));
  }
  t.ok(pages >= 2, 'several pages');
  t.same(
    seen.map((a) => a.split('/')[1]),
    ['alpha', 'beta', 'delta', 'gamma'],
    'every cluster once, in order',
  );
  const del = await sdk.send(new DeleteClusterCommand({ cluster: 'delta' }));
  t.equal(del.cluster?.status, 'INACTIVE');
  await rejects(
    t,
    sdk.send(new DeleteClusterCommand({ cluster: 'delta' })),
    { name: 'ClusterNotFoundException' },
    'delete twice',
  );
  await rejects(
    t,
    sdk.send(new CreateClusterCommand({ clusterName: 'bad name!' })),
    { name: 'InvalidParameterException', message: /clusterName/ },
    'bad cluster name',
  );
});

t.test(
  'task definitions: register, describe, list, families, deregister, validation',
  async (t) => {
    const r1 = await sdk.send(
      new RegisterTaskDefinitionCommand({ ...webTaskDef('web'), tags: [{ key: 'k', value: 'v' }] }),
    );
    t.equal(
      r1.taskDefinition?.taskDefinitionArn,
      'arn:aws:ecs:us-east-1:000000000000:task-definition/web:1',
    );
    t.equal(r1.taskDefinition?.status, 'ACTIVE');
    const r2 = await sdk.send(new RegisterTaskDefinitionCommand(webTaskDef('web')));
    t.equal(r2.taskDefinition?.revision, 2);
    await sdk.send(new RegisterTaskDefinitionCommand(webTaskDef('worker')));
    const latest = await sdk.send(
      new DescribeTaskDefinitionCommand({ taskDefinition: 'web', include: ['TAGS'] }),
    );
    t.equal(latest.taskDefinition?.revision, 2, 'family alone = latest ACTIVE');
    const first = await sdk.send(
      new DescribeTaskDefinitionCommand({ taskDefinition: 'web:1', include: ['TAGS'] }),
    );
    t.same(first.tags, [{ key: 'k', value: 'v' }]);
    t.equal(first.taskDefinition?.containerDefinitions?.[0]?.image, 'berth-test/busybox');
    const list = await sdk.send(
      new ListTaskDefinitionsCommand({ familyPrefix: 'web', sort: 'DESC' }),
    );
    t.same(
      list.taskDefinitionArns?.map((a) => a.split('/')[1]),
      ['web:2', 'web:1'],
    );
    const page1 = await sdk.send(new ListTaskDefinitionsCommand({ maxResults: 2 }));
    t.equal(page1.taskDefinitionArns?.length, 2);
    t.ok(page1.nextToken);
    const page2 = await sdk.send(
      new ListTaskDefinitionsCommand({ maxResults: 2, nextToken: page1.nextToken }),
    );
    t.same(
      page2.taskDefinitionArns?.map((a) => a.split('/')[1]),
      ['worker:1'],
    );
    const dereg = await sdk.send(new DeregisterTaskDefinitionCommand({ taskDefinition: 'web:2' }));
    t.equal(dereg.taskDefinition?.status, 'INACTIVE');
    const now = await sdk.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'web' }));
    t.equal(now.taskDefinition?.revision, 1, 'latest ACTIVE after deregistering 2');
    const inactive = await sdk.send(new ListTaskDefinitionsCommand({ status: 'INACTIVE' }));
    t.same(
      inactive.taskDefinitionArns?.map((a) => a.split('/')[1]),
      ['web:2'],
    );
    const fams = await sdk.send(new ListTaskDefinitionFamiliesCommand({ familyPrefix: 'w' }));
    t.same(fams.families, ['web', 'worker']);
    const r3 = await sdk.send(new RegisterTaskDefinitionCommand(webTaskDef('web')));
    t.equal(r3.taskDefinition?.revision, 3, 'revisions are never reused');

    await rejects(
      t,
      sdk.send(
        new RegisterTaskDefinitionCommand({
          family: 'bad',
          containerDefinitions: [{ name: 'c', image: '', memory: 64 }],
        }),
      ),
      { name: 'ClientException', message: /image/ },
      'empty image',
    );
    await rejects(
      t,
      sdk.send(
        new RegisterTaskDefinitionCommand({
          family: 'big',
          containerDefinitions: [
            {
              name: 'c',
              image: 'x',
              memory: 64,
              environment: [{ name: 'BIG', value: 'x'.repeat(70_000) }],
            },
          ],
        }),
      ),
      { name: 'ClientException' },
      'over 64 KiB',
    );
    await rejects(
      t,
      sdk.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'nope:1' })),
      { name: 'ClientException', message: /Unable to describe task definition/ },
      'unknown task definition',
    );
    await rejects(
      t,
      sdk.send(new DeregisterTaskDefinitionCommand({ taskDefinition: 'web' })),
      { name: 'InvalidParameterException', message: /revision/ },
      'deregister without revision',
    );
  },
);

t.test('container instances, attributes, filter', async (t) => {
  await sdk.send(new CreateClusterCommand({ clusterName: 'ci' }));
  const a1 = await agent('ci', {
    instanceId: 'i-one',
    attributes: { stack: 'prod' },
    availabilityZone: 'az-a',
  });
  const a2 = await agent('ci', {
    instanceId: 'i-two',
    attributes: { stack: 'dev' },
    availabilityZone: 'az-b',
  });
  t.match(a1.arn, /^arn:aws:ecs:us-east-1:000000000000:container-instance\/ci\/[0-9a-f]{32}$/);
  const again = await a1.register();
  t.equal(again, a1.arn, 're-registering keeps the identity');
  const d = await sdk.send(
    new DescribeContainerInstancesCommand({
      cluster: 'ci',
      containerInstances: [a1.arn!, 'missing'],
    }),
  );
  const ci = d.containerInstances?.[0];
  t.equal(ci?.ec2InstanceId, 'i-one');
  t.equal(ci?.status, 'ACTIVE');
  t.equal(ci?.agentConnected, true);
  t.same(
    ci?.registeredResources?.map((r) => [
      r.name,
      r.type === 'INTEGER' ? r.integerValue : r.stringSetValue,
    ]),
    [
      ['CPU', 2048],
      ['MEMORY', 4096],
      ['PORTS', ['22']],
      ['PORTS_UDP', []],
    ],
  );
  t.equal(d.failures?.[0]?.reason, 'MISSING');

  const put = await sdk.send(
    new PutAttributesCommand({
      cluster: 'ci',
      attributes: [{ name: 'rack', value: 'r1', targetId: a1.arn }],
    }),
  );
  t.equal(put.attributes?.[0]?.targetId, a1.arn);
  const listed = await sdk.send(
    new ListAttributesCommand({
      cluster: 'ci',
      targetType: 'container-instance',
      attributeName: 'rack',
    }),
  );
  t.same(
    listed.attributes?.map((a) => [a.name, a.value, a.targetId]),
    [['rack', 'r1', a1.arn]],
  );
  const all = await sdk.send(
    new ListAttributesCommand({ cluster: 'ci', targetType: 'container-instance', maxResults: 3 }),
  );
  t.equal(all.attributes?.length, 3);
  t.ok(all.nextToken, 'attributes paginate');
  const prod = await sdk.send(
    new ListContainerInstancesCommand({ cluster: 'ci', filter: 'attribute:stack == prod' }),
  );
  t.same(prod.containerInstanceArns, [a1.arn]);
  const both = await sdk.send(
    new ListContainerInstancesCommand({
      cluster: 'ci',
      filter: 'attribute:ecs.availability-zone in [az-a, az-b] and not(attribute:rack exists)',
    }),
  );
  t.same(both.containerInstanceArns, [a2.arn]);
  await rejects(
    t,
    sdk.send(new ListContainerInstancesCommand({ cluster: 'ci', filter: 'attribute:stack ==' })),
    { name: 'InvalidParameterException' },
    'bad filter',
  );
  await sdk.send(
    new DeleteAttributesCommand({
      cluster: 'ci',
      attributes: [{ name: 'rack', targetId: a1.arn }],
    }),
  );
  const gone = await sdk.send(
    new ListAttributesCommand({
      cluster: 'ci',
      targetType: 'container-instance',
      attributeName: 'rack',
    }),
  );
  t.same(gone.attributes, []);
  await rejects(
    t,
    sdk.send(
      new PutAttributesCommand({
        cluster: 'ci',
        attributes: [{ name: 'x', value: 'y', targetId: 'nope' }],
      }),
    ),
    { name: 'TargetNotFoundException' },
    'unknown target',
  );
  const tooMany = Array.from({ length: 10 }, (_, i) => ({
    name: `c${i}`,
    value: 'v',
    targetId: a2.arn,
  }));
  await sdk.send(new PutAttributesCommand({ cluster: 'ci', attributes: tooMany.slice(0, 9) }));
  await rejects(
    t,
    sdk.send(new PutAttributesCommand({ cluster: 'ci', attributes: tooMany.slice(8, 10) })),
    { name: 'AttributeLimitExceededException' },
    'more than 10 custom attributes',
  );

  const drained = await sdk.send(
    new UpdateContainerInstancesStateCommand({
      cluster: 'ci',
      containerInstances: [a2.arn!],
      status: 'DRAINING',
    }),
  );
  t.equal(drained.containerInstances?.[0]?.status, 'DRAINING');
  const draining = await sdk.send(
    new ListContainerInstancesCommand({ cluster: 'ci', status: 'DRAINING' }),
  );
  t.same(draining.containerInstanceArns, [a2.arn]);
  await rejects(
    t,
    sdk.send(
      new UpdateContainerInstancesStateCommand({
        cluster: 'ci',
        containerInstances: [a2.arn!],
        status: 'REGISTERING',
      }),
    ),
    { name: 'InvalidParameterException', message: /status/ },
    'bad state',
  );
  await a2.stop();
  const dereg = await sdk.send(
    new DeregisterContainerInstanceCommand({
      cluster: 'ci',
      containerInstance: a2.arn!,
      force: true,
    }),
  );
  t.equal(dereg.containerInstance?.status, 'INACTIVE');
  const left = await sdk.send(new ListContainerInstancesCommand({ cluster: 'ci' }));
  t.same(left.containerInstanceArns, [a1.arn]);
  await rejects(
    t,
    sdk.send(new DeleteClusterCommand({ cluster: 'ci' })),
    { name: 'ClusterContainsContainerInstancesException' },
    'delete a cluster with instances',
  );
});

t.test('tasks: RunTask, StartTask, ListTasks, DescribeTasks, StopTask, reports', async (t) => {
  await sdk.send(new CreateClusterCommand({ clusterName: 'run' }));
  await sdk.send(
    new RegisterTaskDefinitionCommand(
      webTaskDef('fixed', {
        containerDefinitions: [
          {
            name: 'app',
            image: 'x',
            cpu: 512,
            memory: 256,
            portMappings: [{ containerPort: 8080, hostPort: 8080 }],
          },
        ],
      }),
    ),
  );
  const a = await agent('run', { instanceId: 'i-run-a', cpu: 1024, memory: 1024 });
  const b = await agent('run', { instanceId: 'i-run-b', cpu: 1024, memory: 1024 });
  const run = await sdk.send(
    new RunTaskCommand({
      cluster: 'run',
      taskDefinition: 'fixed',
      count: 2,
      startedBy: 'tester',
      placementConstraints: [{ type: 'distinctInstance' }],
      tags: [{ key: 'job', value: 'x' }],
    }),
  );
  t.equal(run.tasks?.length, 2);
  t.same(run.failures, []);
  const placedOn = new Set(run.tasks?.map((x) => x.containerInstanceArn));
  t.equal(placedOn.size, 2, 'distinctInstance');
  const task = run.tasks![0]!;
  t.match(task.taskArn, /^arn:aws:ecs:us-east-1:000000000000:task\/run\/[0-9a-f]{32}$/);
  t.equal(task.lastStatus, 'PROVISIONING');
  t.equal(task.desiredStatus, 'RUNNING');
  t.equal(task.group, 'family:fixed');
  t.equal(task.launchType, 'EC2');
  t.ok(task.createdAt instanceof Date);

  // Fixed host port 8080 is now taken on both instances.
  const full = await sdk.send(new RunTaskCommand({ cluster: 'run', taskDefinition: 'fixed' }));
  t.same(full.tasks, []);
  t.same(full.failures?.map((f) => f.reason).sort(), ['RESOURCE:PORTS', 'RESOURCE:PORTS']);
  await eventually(
    'a.reported.size + b.reported.size === 2',
    () => a.reported.size + b.reported.size === 2,
    { timeoutMs: 5000 },
  );
  await eventually(
    'condition',
    async () => {
      const d = await sdk.send(
        new DescribeTasksCommand({ cluster: 'run', tasks: run.tasks!.map((x) => x.taskArn!) }),
      );
      return d.tasks?.every((x) => x.lastStatus === 'RUNNING') ?? false;
    },
    { timeoutMs: 5000 },
  );
  const desc = await sdk.send(
    new DescribeTasksCommand({ cluster: 'run', tasks: [task.taskArn!, 'nope'], include: ['TAGS'] }),
  );
  t.equal(desc.tasks?.[0]?.lastStatus, 'RUNNING');
  t.ok(desc.tasks?.[0]?.startedAt);
  t.same(desc.tasks?.[0]?.tags, [{ key: 'job', value: 'x' }]);
  t.equal(desc.tasks?.[0]?.containers?.[0]?.networkBindings?.[0]?.hostPort, 8080);
  t.equal(desc.failures?.[0]?.reason, 'MISSING');

  const byInstance = await sdk.send(
    new ListTasksCommand({ cluster: 'run', containerInstance: a.arn }),
  );
  t.equal(byInstance.taskArns?.length, 1);
  const byStarted = await sdk.send(new ListTasksCommand({ cluster: 'run', startedBy: 'tester' }));
  t.equal(byStarted.taskArns?.length, 2);
  const byFamily = await sdk.send(new ListTasksCommand({ cluster: 'run', family: 'other' }));
  t.same(byFamily.taskArns, []);

  const stop = await sdk.send(
    new StopTaskCommand({ cluster: 'run', task: task.taskArn!, reason: 'enough' }),
  );
  t.equal(stop.task?.desiredStatus, 'STOPPED');
  t.equal(stop.task?.stopCode, 'UserInitiated');
  await eventually(
    'condition',
    async () => {
      const d = await sdk.send(
        new DescribeTasksCommand({ cluster: 'run', tasks: [task.taskArn!] }),
      );
      return d.tasks?.[0]?.lastStatus === 'STOPPED';
    },
    { timeoutMs: 5000 },
  );
  const stopped = await sdk.send(
    new DescribeTasksCommand({ cluster: 'run', tasks: [task.taskArn!] }),
  );
  t.equal(stopped.tasks?.[0]?.stoppedReason, 'enough');
  t.equal(stopped.tasks?.[0]?.stopCode, 'UserInitiated');
  t.equal(stopped.tasks?.[0]?.containers?.[0]?.exitCode, 137);
  const listStopped = await sdk.send(
    new ListTasksCommand({ cluster: 'run', desiredStatus: 'STOPPED' }),
  );
  t.same(listStopped.taskArns, [task.taskArn]);

  // StartTask on the freed instance; a missing instance is a failure.
  const freed = task.containerInstanceArn!;
  const start = await sdk.send(
    new StartTaskCommand({
      cluster: 'run',
      taskDefinition: 'fixed:1',
      containerInstances: [freed, 'nope'],
    }),
  );
  t.equal(start.tasks?.length, 1);
  t.equal(start.tasks?.[0]?.containerInstanceArn, freed);
  t.same(
    start.failures?.map((f) => f.reason),
    ['MISSING'],
  );

  // Pagination over ListTasks.
  await sdk.send(
    new RegisterTaskDefinitionCommand(
      webTaskDef('small', {
        containerDefinitions: [{ name: 'c', image: 'x', cpu: 10, memory: 10 }],
      }),
    ),
  );
  for (let i = 0; i < 3; i++)
    await sdk.send(new RunTaskCommand({ cluster: 'run', taskDefinition: 'small', count: 5 }));
  const arns: string[] = [];
  for await (const page of paginateListTasks(
    { client: sdk, pageSize: 4 },
    { cluster: 'run', family: 'small' },
  )) {
    arns.push(...(page.taskArns ?? []));
  }
  t.equal(arns.length, 15);
  t.equal(new Set(arns).size, 15, 'no task twice across pages');

  // The agent-facing actions through the SDK.
  const extra = await sdk.send(new RunTaskCommand({ cluster: 'run', taskDefinition: 'small' }));
  const arn = extra.tasks![0]!.taskArn!;
  const ack = await sdk.send(
    new SubmitContainerStateChangeCommand({
      cluster: 'run',
      task: arn,
      containerName: 'c',
      runtimeId: 'abc',
      status: 'RUNNING',
    }),
  );
  t.equal(ack.acknowledgment, 'ACK');
  const ack2 = await sdk.send(
    new SubmitTaskStateChangeCommand({ cluster: 'run', task: arn, status: 'RUNNING' }),
  );
  t.equal(ack2.acknowledgment, 'ACK');
  const older = await sdk.send(
    new SubmitTaskStateChangeCommand({ cluster: 'run', task: arn, status: 'PENDING' }),
  );
  t.equal(older.acknowledgment, 'ACK', 'an older report is acknowledged and ignored');
  const after = await sdk.send(new DescribeTasksCommand({ cluster: 'run', tasks: [arn] }));
  t.equal(after.tasks?.[0]?.lastStatus, 'RUNNING');
  t.equal(after.tasks?.[0]?.containers?.[0]?.runtimeId, 'abc');

  // Bad input names the field; never a 500.
  const bad: [string, Promise<unknown>, string, RegExp][] = [
    [
      'count 11',
      sdk.send(new RunTaskCommand({ cluster: 'run', taskDefinition: 'small', count: 11 })),
      'InvalidParameterException',
      /count/,
    ],
    [
      'unknown cluster',
      sdk.send(new RunTaskCommand({ cluster: 'nope', taskDefinition: 'small' })),
      'ClusterNotFoundException',
      /Cluster not found/,
    ],
    [
      'unknown td',
      sdk.send(new RunTaskCommand({ cluster: 'run', taskDefinition: 'nope' })),
      'ClientException',
      /task definition/,
    ],
    [
      'bad strategy',
      sdk.send(
        new RunTaskCommand({
          cluster: 'run',
          taskDefinition: 'small',
          placementStrategy: [{ type: 'binpack', field: 'disk' }],
        }),
      ),
      'InvalidParameterException',
      /placementStrategy|binpack/,
    ],
    [
      'bad memberOf',
      sdk.send(
        new RunTaskCommand({
          cluster: 'run',
          taskDefinition: 'small',
          placementConstraints: [{ type: 'memberOf', expression: 'attribute:x ==' }],
        }),
      ),
      'InvalidParameterException',
      /./,
    ],
    [
      'override unknown container',
      sdk.send(
        new RunTaskCommand({
          cluster: 'run',
          taskDefinition: 'small',
          overrides: { containerOverrides: [{ name: 'zzz' }] },
        }),
      ),
      'InvalidParameterException',
      /zzz/,
    ],
    [
      'stop unknown task',
      sdk.send(new StopTaskCommand({ cluster: 'run', task: 'nope' })),
      'InvalidParameterException',
      /task was not found/,
    ],
    [
      'StartTask 11 instances',
      sdk.send(
        new StartTaskCommand({
          cluster: 'run',
          taskDefinition: 'small',
          containerInstances: Array(11).fill(freed),
        }),
      ),
      'InvalidParameterException',
      /containerInstances/,
    ],
    [
      'tasks missing',
      sdk.send(new DescribeTasksCommand({ cluster: 'run', tasks: [] })),
      'InvalidParameterException',
      /tasks/,
    ],
  ];
  for (const [label, p, name, message] of bad) await rejects(t, p, { name, message }, label);
  await rejects(
    t,
    sdk.send(new DeleteClusterCommand({ cluster: 'run' })),
    { name: 'ClusterContainsContainerInstancesException' },
    'delete busy cluster',
  );
});

t.test('tags on every resource kind', async (t) => {
  await sdk.send(new CreateClusterCommand({ clusterName: 'tagged' }));
  const a = await agent('tagged');
  await sdk.send(new RegisterTaskDefinitionCommand(webTaskDef('tagfam')));
  const run = await sdk.send(new RunTaskCommand({ cluster: 'tagged', taskDefinition: 'tagfam' }));
  const arns = [
    'arn:aws:ecs:us-east-1:000000000000:cluster/tagged',
    a.arn!,
    run.tasks![0]!.taskArn!,
    'arn:aws:ecs:us-east-1:000000000000:task-definition/tagfam:1',
  ];
  for (const arn of arns) {
    await sdk.send(
      new TagResourceCommand({
        resourceArn: arn,
        tags: [
          { key: 'a', value: '1' },
          { key: 'b', value: '2' },
        ],
      }),
    );
    await sdk.send(new UntagResourceCommand({ resourceArn: arn, tagKeys: ['a'] }));
    const l = await sdk.send(new ListTagsForResourceCommand({ resourceArn: arn }));
    t.same(l.tags, [{ key: 'b', value: '2' }], arn.split(':')[5]!.split('/')[0]!);
  }
  await rejects(
    t,
    sdk.send(
      new ListTagsForResourceCommand({
        resourceArn: 'arn:aws:ecs:us-east-1:000000000000:task/tagged/ffff',
      }),
    ),
    { name: 'ResourceNotFoundException' },
    'unknown task',
  );
  await rejects(
    t,
    sdk.send(new TagResourceCommand({ resourceArn: 'nope', tags: [] })),
    { name: 'InvalidParameterException' },
    'not an ARN',
  );
});

t.test('wire protocol: SigV4 refusal, unknown action, oversize and malformed bodies', async (t) => {
  const wrongKey = new ECSClient({
    endpoint: s.scheduler.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDUNKNOWN', secretAccessKey: 'x' },
    maxAttempts: 1,
  });
  await rejects(
    t,
    wrongKey.send(new ListClustersCommand({})),
    { name: 'UnrecognizedClientException' },
    'unknown key',
  );
  wrongKey.destroy();
  const wrongSecret = new ECSClient({
    endpoint: s.scheduler.url,
    region: 'us-east-1',
    credentials: { accessKeyId: CREDS.accessKeyId, secretAccessKey: 'wrong' },
    maxAttempts: 1,
  });
  await rejects(
    t,
    wrongSecret.send(new ListClustersCommand({})),
    { name: 'InvalidSignatureException' },
    'wrong secret',
  );
  wrongSecret.destroy();
  const otherProfile = new ECSClient({
    endpoint: s.scheduler.url,
    region: 'us-east-1',
    credentials: CREDS2,
    maxAttempts: 1,
  });
  const ok = await otherProfile.send(new ListClustersCommand({}));
  t.ok(ok.clusterArns, "every profile's key pair is accepted");
  otherProfile.destroy();

  const raw = async (headers: Record<string, string>, body: string | Buffer) => {
    const r = await fetch(s.scheduler.url, { method: 'POST', headers, body });
    return { status: r.status, json: (await r.json()) as { __type: string; message: string } };
  };
  const noAuth = await raw(
    {
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': 'AmazonEC2ContainerServiceV20141113.ListClusters',
    },
    '{}',
  );
  t.same([noAuth.status, noAuth.json.__type], [400, 'MissingAuthenticationTokenException']);

  const call = (target: string, body: unknown) => s.json.call(target, body);
  const cases: { name: string; p: Promise<unknown>; type: string; status: number }[] = [
    {
      name: 'unknown action',
      p: call('AmazonEC2ContainerServiceV20141113.LaunchRockets', {}),
      type: 'UnknownOperationException',
      status: 400,
    },
    {
      name: 'unknown service prefix',
      p: call('Other.Thing', {}),
      type: 'UnknownOperationException',
      status: 400,
    },
    {
      // Issue 18: AWS's JSON deserializer refuses a wrong type before any validation.
      name: 'wrong field type',
      p: call('AmazonEC2ContainerServiceV20141113.RunTask', { cluster: 'run', taskDefinition: 5 }),
      type: 'SerializationException',
      status: 400,
    },
    {
      name: 'body not an object',
      p: call('AmazonEC2ContainerServiceV20141113.ListClusters', [1, 2]),
      type: 'SerializationException',
      status: 400,
    },
    {
      name: 'oversize body',
      p: call('AmazonEC2ContainerServiceV20141113.RegisterTaskDefinition', {
        family: 'x',
        pad: 'y'.repeat(1_100_000),
      }),
      type: 'ClientException',
      status: 400,
    },
  ];
  for (const c of cases) {
    try {
      await c.p;
      t.fail(`${c.name}: accepted`);
    } catch (e) {
      t.ok(e instanceof EcsCallError, c.name);
      t.same([(e as EcsCallError).status, (e as EcsCallError).type], [c.status, c.type], c.name);
    }
  }
  const health = await fetch(`${s.scheduler.url}/health`);
  t.equal(health.status, 200);
  const metrics = await (await fetch(`${s.scheduler.url}/metrics`)).text();
  t.match(metrics, /berth_scheduler_requests_total\{action="RunTask",status="200"/);
  t.match(metrics, /berth_scheduler_leader 1/);
});
