// Issue 18: task sets of services with the EXTERNAL deployment controller, with the real AWS
// CLI and @aws-sdk/client-ecs. A blue/green deployment: blue at 100 % (PRIMARY), green created
// at 0 %, scaled to 100 %, made PRIMARY (its task definition and load balancers become the
// service's), blue scaled to 0 and deleted; every task set's tasks are registered in its own
// target group; and at no moment do fewer than the desired count of tasks run. Plus ECS's
// validation of the task set actions.
import {
  CreateServiceCommand,
  CreateTaskSetCommand,
  DeleteTaskSetCommand,
  DescribeServicesCommand,
  DescribeTaskSetsCommand,
  ListTagsForResourceCommand,
  RegisterTaskDefinitionCommand,
  TagResourceCommand,
  UpdateServiceCommand,
  UpdateServicePrimaryTaskSetCommand,
  UpdateTaskSetCommand,
  type ECSClient,
} from '@aws-sdk/client-ecs';
import { eventually } from '@berth/daemon/testing';
import t from 'tap';
import type { ElbTargets } from '@berth/elb';
import { SimulatedAgent } from '../src/testing/index.js';
import { awsEcs, cliErrorType } from './aws-cli.js';
import { CREDS, startStack, webTaskDef } from './fixtures.js';

const TG = (n: string) =>
  `arn:aws:elasticloadbalancing:us-east-1:000000000000:targetgroup/${n}/0123456789abcdef`;

/** An ELB that makes every registered target healthy at once, and remembers the calls. */
class InstantElb implements ElbTargets {
  readonly targets = new Map<string, Set<string>>();
  readonly calls: string[] = [];
  async register(tg: string, id: string, port: number): Promise<void> {
    this.calls.push(`register ${tg} ${id}:${port}`);
    const set = this.targets.get(tg) ?? new Set<string>();
    set.add(`${id}:${port}`);
    this.targets.set(tg, set);
  }
  async deregister(tg: string, id: string, port: number): Promise<void> {
    this.calls.push(`deregister ${tg} ${id}:${port}`);
    this.targets.get(tg)?.delete(`${id}:${port}`);
  }
  async health(tg: string): Promise<Map<string, 'healthy'>> {
    return new Map([...(this.targets.get(tg) ?? [])].map((k) => [k, 'healthy' as const]));
  }
  async deregistrationDelayMs(): Promise<number> {
    return 0;
  }
  close(): void {}
}

const elb = new InstantElb();
const s = await startStack({ serviceIntervalMs: 200, elb, deregistrationDelay: 0 });
const agents = ['a', 'b'].map(
  (z, i) =>
    new SimulatedAgent({
      endpoint: s.scheduler.url,
      credentials: CREDS,
      cluster: 'bg',
      instanceId: `i-bg${i}`,
      availabilityZone: `local-1${z}`,
      waitSeconds: 5,
    }),
);
t.teardown(async () => {
  for (const a of agents) await a.stop();
  await s.close();
});
await s.json.ecs('CreateCluster', { clusterName: 'bg' });
for (const a of agents) {
  await a.register();
  a.start();
}
for (const family of ['blue', 'green']) {
  await s.sdk.send(new RegisterTaskDefinitionCommand(webTaskDef(family) as never));
}

async function sdkError(client: ECSClient, command: object) {
  try {
    // Any ECS command: the error name is all that is read.
    await client.send(command as never);
    return undefined;
  } catch (e) {
    return (e as Error).name;
  }
}

/** Tasks of the service that run and are meant to, per task set (startedBy). */
function running(): Map<string, number> {
  const out = new Map<string, number>();
  const ctx = s.scheduler.replica.context;
  for (const t of ctx?.state.tasks.values() ?? []) {
    const r = t.rec;
    if (!t.committed || r.group !== 'service:web' || r.lastStatus !== 'RUNNING') continue;
    if (r.desiredStatus !== 'RUNNING') continue;
    out.set(r.startedBy ?? '', (out.get(r.startedBy ?? '') ?? 0) + 1);
  }
  return out;
}
const total = (m: Map<string, number>): number => [...m.values()].reduce((a, b) => a + b, 0);

t.test('validation of EXTERNAL services and task set actions', async (t) => {
  const [withTd, daemon] = await Promise.all([
    sdkError(
      s.sdk,
      new CreateServiceCommand({
        cluster: 'bg',
        serviceName: 'x',
        taskDefinition: 'blue',
        deploymentController: { type: 'EXTERNAL' },
      }),
    ),
    sdkError(
      s.sdk,
      new CreateServiceCommand({
        cluster: 'bg',
        serviceName: 'x',
        schedulingStrategy: 'DAEMON',
        deploymentController: { type: 'EXTERNAL' },
      }),
    ),
  ]);
  t.equal(withTd, 'InvalidParameterException', 'an EXTERNAL service takes no task definition');
  t.equal(daemon, 'InvalidParameterException', 'nor the DAEMON strategy');
  await s.sdk.send(
    new CreateServiceCommand({
      cluster: 'bg',
      serviceName: 'rolling',
      taskDefinition: 'blue',
      desiredCount: 0,
    }),
  );
  const cli = await awsEcs(s, [
    'create-task-set',
    '--cluster',
    'bg',
    '--service',
    'rolling',
    '--task-definition',
    'blue',
  ]);
  t.equal(cliErrorType(cli), 'InvalidParameterException', cli.stderr);
  t.match(cli.stderr, /only supports task set management on services configured to use external/);
  t.equal(
    await sdkError(
      s.sdk,
      new UpdateTaskSetCommand({
        cluster: 'bg',
        service: 'nope',
        taskSet: 'ecs-svc/1',
        scale: { value: 1, unit: 'PERCENT' },
      }),
    ),
    'ServiceNotFoundException',
  );
});

t.test(
  'blue/green: 100/0, then 0/100 with the primary switched, never below desired',
  async (t) => {
    const created = await awsEcs(s, [
      'create-service',
      '--cluster',
      'bg',
      '--service-name',
      'web',
      '--desired-count',
      '2',
      '--deployment-controller',
      'type=EXTERNAL',
    ]);
    t.equal(created.code, 0, created.stderr);
    t.equal(created.out.service.deploymentController.type, 'EXTERNAL');
    t.equal(
      created.out.service.taskDefinition,
      undefined,
      'no task definition before a primary set',
    );

    const blue = await s.sdk.send(
      new CreateTaskSetCommand({
        cluster: 'bg',
        service: 'web',
        taskDefinition: 'blue',
        externalId: 'blue-1',
        loadBalancers: [{ targetGroupArn: TG('blue'), containerName: 'web', containerPort: 80 }],
        scale: { value: 100, unit: 'PERCENT' },
      }),
    );
    const blueId = blue.taskSet?.id as string;
    t.match(blueId, /^ecs-svc\/\d{19}$/);
    t.equal(blue.taskSet?.status, 'ACTIVE');
    t.equal(blue.taskSet?.computedDesiredCount, 2);
    t.equal(
      blue.taskSet?.taskSetArn,
      `arn:aws:ecs:us-east-1:000000000000:task-set/bg/web/${blueId}`,
    );
    const primary = await awsEcs(s, [
      'update-service-primary-task-set',
      '--cluster',
      'bg',
      '--service',
      'web',
      '--primary-task-set',
      blueId,
    ]);
    t.equal(primary.out.taskSet.status, 'PRIMARY', primary.stderr);
    await eventually('running().get(blueId) === 2', () => running().get(blueId) === 2, {
      timeoutMs: 15_000,
    });
    await eventually(
      'the first task set in STEADY_STATE',
      async () => {
        const d = await s.sdk.send(new DescribeTaskSetsCommand({ cluster: 'bg', service: 'web' }));
        return d.taskSets?.[0]?.stabilityStatus === 'STEADY_STATE';
      },
      { timeoutMs: 10_000 },
    );

    // From here on, sample the running count at every task change.
    let lowest = Infinity;
    const unwatch = s.scheduler.events.subscribe(() => {
      lowest = Math.min(lowest, total(running()));
    });
    t.teardown(unwatch);

    const green = await s.sdk.send(
      new CreateTaskSetCommand({
        cluster: 'bg',
        service: 'web',
        taskDefinition: 'green',
        loadBalancers: [{ targetGroupArn: TG('green'), containerName: 'web', containerPort: 80 }],
      }),
    );
    const greenId = green.taskSet?.id as string;
    t.same(green.taskSet?.scale, { value: 0, unit: 'PERCENT' }, 'a new set starts at 0 %');
    const scaled = await awsEcs(s, [
      'update-task-set',
      '--cluster',
      'bg',
      '--service',
      'web',
      '--task-set',
      greenId,
      '--scale',
      'value=100,unit=PERCENT',
    ]);
    t.equal(scaled.out.taskSet.computedDesiredCount, 2, scaled.stderr);
    await eventually('running().get(greenId) === 2', () => running().get(greenId) === 2, {
      timeoutMs: 15_000,
    });
    t.equal(running().get(blueId), 2, 'blue still runs at 100 %');

    await s.sdk.send(
      new UpdateServicePrimaryTaskSetCommand({
        cluster: 'bg',
        service: 'web',
        primaryTaskSet: greenId,
      }),
    );
    let svc = (await s.sdk.send(new DescribeServicesCommand({ cluster: 'bg', services: ['web'] })))
      .services?.[0];
    t.equal(svc?.taskDefinition, 'arn:aws:ecs:us-east-1:000000000000:task-definition/green:1');
    t.same(svc?.loadBalancers, [
      { targetGroupArn: TG('green'), containerName: 'web', containerPort: 80 },
    ]);
    t.same(
      svc?.taskSets?.map((x) => [x.id, x.status]),
      [
        [greenId, 'PRIMARY'],
        [blueId, 'ACTIVE'],
      ],
    );

    t.equal(
      await sdkError(
        s.sdk,
        new DeleteTaskSetCommand({ cluster: 'bg', service: 'web', taskSet: blueId }),
      ),
      'InvalidParameterException',
      'a task set scaled above 0 is not deleted without force',
    );
    await s.sdk.send(
      new UpdateTaskSetCommand({
        cluster: 'bg',
        service: 'web',
        taskSet: blueId,
        scale: { value: 0, unit: 'PERCENT' },
      }),
    );
    await eventually(
      '(running().get(blueId) ?? 0) === 0',
      () => (running().get(blueId) ?? 0) === 0,
      { timeoutMs: 15_000 },
    );
    const del = await awsEcs(s, [
      'delete-task-set',
      '--cluster',
      'bg',
      '--service',
      'web',
      '--task-set',
      blue.taskSet?.taskSetArn as string,
    ]);
    t.equal(del.out.taskSet.status, 'DRAINING', del.stderr);
    await eventually(
      'one task set left',
      async () => {
        const d = await s.sdk.send(
          new DescribeServicesCommand({ cluster: 'bg', services: ['web'] }),
        );
        return d.services?.[0]?.taskSets?.length === 1;
      },
      { timeoutMs: 10_000 },
    );
    unwatch();
    t.ok(lowest >= 2, `never fewer than 2 tasks running (lowest seen ${lowest})`);
    t.equal(running().get(greenId), 2);

    // Each set's tasks went to its own target group; blue's left it when blue scaled in.
    t.equal(elb.targets.get(TG('green'))?.size, 2);
    t.equal(elb.targets.get(TG('blue'))?.size ?? 0, 0);
    t.equal(elb.calls.filter((c) => c.startsWith(`register ${TG('blue')}`)).length, 2);
    t.equal(elb.calls.filter((c) => c.startsWith(`deregister ${TG('blue')}`)).length, 2);

    // The service's desired count drives every set; TaskSetNotFound for the deleted one.
    await s.sdk.send(new UpdateServiceCommand({ cluster: 'bg', service: 'web', desiredCount: 3 }));
    await eventually('running().get(greenId) === 3', () => running().get(greenId) === 3, {
      timeoutMs: 15_000,
    });
    t.equal(
      await sdkError(
        s.sdk,
        new UpdateTaskSetCommand({
          cluster: 'bg',
          service: 'web',
          taskSet: blueId,
          scale: { value: 50, unit: 'PERCENT' },
        }),
      ),
      'TaskSetNotFoundException',
    );
    const described = await awsEcs(s, [
      'describe-task-sets',
      '--cluster',
      'bg',
      '--service',
      'web',
      '--task-sets',
      greenId,
      blueId,
    ]);
    t.same(
      (described.out.taskSets as { id: string; runningCount: number }[]).map((x) => [
        x.id,
        x.runningCount,
      ]),
      [[greenId, 3]],
    );
    t.same(described.out.failures, [{ arn: blueId, reason: 'MISSING' }]);
    svc = (await s.sdk.send(new DescribeServicesCommand({ cluster: 'bg', services: ['web'] })))
      .services?.[0];
    t.equal(svc?.runningCount, 3);

    // Task sets are taggable resources.
    const greenArn = green.taskSet?.taskSetArn as string;
    await s.sdk.send(
      new TagResourceCommand({ resourceArn: greenArn, tags: [{ key: 'color', value: 'green' }] }),
    );
    const tags = await s.sdk.send(new ListTagsForResourceCommand({ resourceArn: greenArn }));
    t.same(tags.tags, [{ key: 'color', value: 'green' }]);
    const withTags = await s.sdk.send(
      new DescribeTaskSetsCommand({ cluster: 'bg', service: 'web', include: ['TAGS'] }),
    );
    t.same(withTags.taskSets?.[0]?.tags, [{ key: 'color', value: 'green' }]);
  },
);
