// The real AWS CLI v2 (/usr/bin/aws, Debian awscli) against a scheduler and catalog: register a
// task definition, run it on a simulated agent, list, describe, stop it; pagination; errors;
// SigV4 refusal. The CLI is slow to start, so each call does as much as it can.
import { eventually } from '@berth/daemon/testing';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { SimulatedAgent } from '../src/testing/index.js';
import { CREDS, startStack } from './fixtures.js';
import { awsCli, requireAwsCli, type CliResult } from '../../../test/helpers/aws-cli.js';

requireAwsCli();

const s = await startStack();
t.teardown(() => s.close());

function aws(
  args: string[],
  creds: { id: string; secret: string } = { id: CREDS.accessKeyId, secret: CREDS.secretAccessKey },
): Promise<CliResult> {
  return awsCli('ecs', args, {
    endpoint: s.scheduler.url,
    home: s.dir,
    credentials: { accessKeyId: creds.id, secretAccessKey: creds.secret },
  });
}

const agent = new SimulatedAgent({
  endpoint: s.scheduler.url,
  credentials: CREDS,
  cluster: 'cli',
  instanceId: 'i-cli',
  waitSeconds: 5,
});
t.teardown(() => agent.stop());

t.test('register, run on an agent, list, describe, stop', async (t) => {
  let r = await aws(['create-cluster', '--cluster-name', 'cli']);
  t.equal(r.code, 0, r.stderr);
  await agent.register();
  agent.start();
  const tdFile = join(s.dir, 'td.json');
  await writeFile(
    tdFile,
    JSON.stringify({
      family: 'cli-web',
      containerDefinitions: [
        {
          name: 'web',
          image: 'berth-test/busybox',
          cpu: 128,
          memory: 64,
          essential: true,
          portMappings: [{ containerPort: 80 }],
        },
      ],
    }),
  );
  r = await aws(['register-task-definition', '--cli-input-json', `file://${tdFile}`]);
  t.equal(r.code, 0, r.stderr);
  const td = (r.out as { taskDefinition: { taskDefinitionArn: string; revision: number } })
    .taskDefinition;
  t.equal(td.taskDefinitionArn, 'arn:aws:ecs:us-east-1:000000000000:task-definition/cli-web:1');

  r = await aws([
    'run-task',
    '--cluster',
    'cli',
    '--task-definition',
    'cli-web',
    '--count',
    '2',
    '--started-by',
    'aws-cli',
  ]);
  t.equal(r.code, 0, r.stderr);
  const run = r.out as {
    tasks: { taskArn: string; containerInstanceArn: string }[];
    failures: unknown[];
  };
  t.equal(run.tasks.length, 2);
  t.same(run.failures, []);
  t.equal(run.tasks[0]!.containerInstanceArn, agent.arn);

  await eventually('both tasks reported', () => agent.reported.size >= 2);
  r = await aws(['list-tasks', '--cluster', 'cli', '--started-by', 'aws-cli']);
  t.equal(r.code, 0, r.stderr);
  const arns = (r.out as { taskArns: string[] }).taskArns;
  t.same([...arns].sort(), run.tasks.map((x) => x.taskArn).sort());

  r = await aws(['describe-tasks', '--cluster', 'cli', '--tasks', ...arns]);
  t.equal(r.code, 0, r.stderr);
  const described = (r.out as { tasks: { lastStatus: string; containers: { name: string }[] }[] })
    .tasks;
  t.same(
    described.map((x) => x.lastStatus),
    ['RUNNING', 'RUNNING'],
  );
  t.equal(described[0]!.containers[0]!.name, 'web');

  r = await aws(['stop-task', '--cluster', 'cli', '--task', arns[0]!, '--reason', 'done with it']);
  t.equal(r.code, 0, r.stderr);
  const stopped = (
    r.out as { task: { desiredStatus: string; stopCode: string; stoppedReason: string } }
  ).task;
  t.same(
    [stopped.desiredStatus, stopped.stopCode, stopped.stoppedReason],
    ['STOPPED', 'UserInitiated', 'done with it'],
  );
  await eventually('the stop reported', () => agent.reported.get(arns[0]!) === 'STOPPED');
  r = await aws(['describe-tasks', '--cluster', 'cli', '--tasks', arns[0]!]);
  t.equal((r.out as { tasks: { lastStatus: string }[] }).tasks[0]!.lastStatus, 'STOPPED');
});

t.test('instances, attributes, tags, pagination through the CLI', async (t) => {
  let r = await aws([
    'list-container-instances',
    '--cluster',
    'cli',
    '--filter',
    'attribute:ecs.os-type == linux',
  ]);
  t.same((r.out as { containerInstanceArns: string[] }).containerInstanceArns, [agent.arn]);
  r = await aws([
    'put-attributes',
    '--cluster',
    'cli',
    '--attributes',
    `name=disk,value=ssd,targetId=${agent.arn}`,
  ]);
  t.equal(r.code, 0, r.stderr);
  r = await aws([
    'list-attributes',
    '--cluster',
    'cli',
    '--target-type',
    'container-instance',
    '--attribute-name',
    'disk',
  ]);
  t.same(
    (r.out as { attributes: { value: string }[] }).attributes.map((a) => a.value),
    ['ssd'],
  );
  r = await aws(['tag-resource', '--resource-arn', agent.arn!, '--tags', 'key=owner,value=ops']);
  t.equal(r.code, 0, r.stderr);
  r = await aws(['list-tags-for-resource', '--resource-arn', agent.arn!]);
  t.same((r.out as { tags: unknown[] }).tags, [{ key: 'owner', value: 'ops' }]);
  for (const n of ['p1', 'p2', 'p3']) await s.json.ecs('CreateCluster', { clusterName: n });
  // --page-size makes the CLI fetch several pages and merge them.
  r = await aws(['list-clusters', '--page-size', '1']);
  t.equal(r.code, 0, r.stderr);
  t.same(
    (r.out as { clusterArns: string[] }).clusterArns.map((a) => a.split('/')[1]),
    ['cli', 'p1', 'p2', 'p3'],
  );
  r = await aws(['list-clusters', '--max-items', '2']);
  const page = r.out as { clusterArns: string[]; NextToken?: string };
  t.equal(page.clusterArns.length, 2);
  t.ok(page.NextToken, 'the CLI hands out a resume token');
  r = await aws([
    'describe-container-instances',
    '--cluster',
    'cli',
    '--container-instances',
    agent.arn!,
  ]);
  t.equal(
    (r.out as { containerInstances: { ec2InstanceId: string }[] }).containerInstances[0]!
      .ec2InstanceId,
    'i-cli',
  );
});

t.test('errors and SigV4 refusal as the CLI reports them', async (t) => {
  const cases: {
    name: string;
    args: string[];
    creds?: { id: string; secret: string };
    want: RegExp;
  }[] = [
    {
      name: 'unknown task definition',
      args: ['run-task', '--cluster', 'cli', '--task-definition', 'nope'],
      want: /\(ClientException\).*Unable to describe task definition/,
    },
    {
      name: 'unknown cluster',
      args: ['list-tasks', '--cluster', 'nope'],
      want: /\(ClusterNotFoundException\)/,
    },
    {
      name: 'count out of range',
      args: ['run-task', '--cluster', 'cli', '--task-definition', 'cli-web', '--count', '11'],
      want: /\(InvalidParameterException\).*count/,
    },
    {
      name: 'empty image',
      args: [
        'register-task-definition',
        '--family',
        'x',
        '--container-definitions',
        'name=c,image=,memory=64',
      ],
      want: /\(ClientException\).*image/,
    },
    {
      name: 'wrong secret',
      args: ['list-clusters'],
      creds: { id: CREDS.accessKeyId, secret: 'wrong' },
      want: /\(InvalidSignatureException\).*signature we calculated does not match/,
    },
    {
      name: 'unknown key',
      args: ['list-clusters'],
      creds: { id: 'AKIDNOPE', secret: 'x' },
      want: /\(UnrecognizedClientException\)/,
    },
  ];
  for (const c of cases) {
    const r = await aws(c.args, c.creds);
    t.not(r.code, 0, `${c.name}: fails`);
    t.match(r.stderr, c.want, c.name);
  }
});
