// The real AWS CLI (/usr/bin/aws) against services: create-service, update-service,
// describe-services, delete-service, with a simulated agent running the tasks.
import { eventually } from '@berth/daemon/testing';
import t from 'tap';
import { SimulatedAgent } from '../src/testing/index.js';
import { CREDS, startStack, webTaskDef } from './fixtures.js';
import { awsCli, requireAwsCli, type CliResult } from '../../../test/helpers/aws-cli.js';

requireAwsCli();

const s = await startStack({ serviceIntervalMs: 300 });
const agent = new SimulatedAgent({ endpoint: s.scheduler.url, credentials: CREDS, waitSeconds: 5 });
await agent.register();
agent.start();
t.teardown(async () => {
  await agent.stop();
  await s.close();
});

function aws(args: string[]): Promise<CliResult> {
  return awsCli('ecs', args, { endpoint: s.scheduler.url, home: s.dir, credentials: CREDS });
}

interface Svc {
  serviceName: string;
  status: string;
  desiredCount: number;
  runningCount: number;
  taskDefinition: string;
  deployments: { status: string }[];
}

t.test('create, update, describe, delete a service with the aws CLI', async (t) => {
  await s.json.ecs('RegisterTaskDefinition', webTaskDef('cli'));
  await s.json.ecs('RegisterTaskDefinition', webTaskDef('cli'));
  const c = await aws([
    'create-service',
    '--service-name',
    'cli',
    '--task-definition',
    'cli:1',
    '--desired-count',
    '2',
    '--deployment-configuration',
    'maximumPercent=200,minimumHealthyPercent=50',
  ]);
  t.equal(c.code, 0, c.stderr);
  t.match(c.out, { service: { serviceName: 'cli', status: 'ACTIVE', desiredCount: 2 } });
  const running = async (): Promise<Svc | undefined> => {
    const d = await s.json.ecs<{ services: Svc[] }>('DescribeServices', { services: ['cli'] });
    return d.services[0];
  };
  await eventually(
    '(await running())?.runningCount === 2',
    async () => (await running())?.runningCount === 2,
    { timeoutMs: 10_000 },
  );

  const u = await aws([
    'update-service',
    '--service',
    'cli',
    '--task-definition',
    'cli:2',
    '--desired-count',
    '1',
  ]);
  t.equal(u.code, 0, u.stderr);
  t.match(u.out, { service: { taskDefinition: /cli:2$/, desiredCount: 1 } });
  await eventually(
    'condition',
    async () => {
      const x = await running();
      return x?.runningCount === 1 && x.deployments.length === 1;
    },
    { timeoutMs: 15_000 },
  );

  const d = await aws(['describe-services', '--services', 'cli', 'nope']);
  t.equal(d.code, 0, d.stderr);
  t.match(d.out, {
    services: [{ serviceName: 'cli', runningCount: 1, taskDefinition: /cli:2$/ }],
    failures: [{ reason: 'MISSING' }],
  });

  const refused = await aws(['delete-service', '--service', 'cli']);
  t.not(refused.code, 0, 'delete without --force while scaled above 0 is refused');
  t.match(refused.stderr, /InvalidParameterException/);
  const del = await aws(['delete-service', '--service', 'cli', '--force']);
  t.equal(del.code, 0, del.stderr);
  t.match(del.out, { service: { status: 'DRAINING' } });
  await eventually(
    "(await running())?.status === 'INACTIVE'",
    async () => (await running())?.status === 'INACTIVE',
    { timeoutMs: 10_000 },
  );
  t.pass('INACTIVE once drained');
});
