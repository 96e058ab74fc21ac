// Issue 8 end to end: a real catalog and a real scheduler (packages/scheduler) in-process, a
// real agent with the Docker runtime speaking the signed protocol, and the AWS CLI
// (/usr/bin/aws, v2) as the user: create-cluster, register-task-definition, run-task ends as a
// running container whose host port describe-tasks reports (networkBindings) and which
// answers HTTP on 127.0.0.1; stop-task stops it. Everything listens on 127.0.0.1.
import { eventually } from '@berth/daemon/testing';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { startCatalog } from '@berth/catalog';
import { startScheduler } from '@berth/scheduler';
import { awsCli, requireAwsCli } from '../../../test/helpers/aws-cli.js';
import { TEST_LABEL } from '../../../test/helpers/docker.js';
import { startAgent } from '../src/index.js';
import { dockerRig, get } from './docker-helpers.js';
import { IMAGE, tempDir } from './helpers.js';

const CREDS = { id: 'AKIDBERTHAGENTE2E001', secret: 'berth/agent/e2e+secret0000000000000001' };

t.test('issue 8: aws ecs run-task → a running container with its host port reported', async (t) => {
  const rig = await dockerRig(t);
  if (!rig) return;
  requireAwsCli();
  const dir = await tempDir(t);
  const credentials = join(dir, 'credentials');
  await writeFile(
    credentials,
    `[default]\naws_access_key_id = ${CREDS.id}\naws_secret_access_key = ${CREDS.secret}\n`,
  );
  const catalog = await startCatalog({ listen: '127.0.0.1:0' });
  t.teardown(() => catalog.close());
  const scheduler = await startScheduler({
    consul: catalog.url,
    listen: '127.0.0.1:0',
    credentials,
    region: 'us-east-1',
  });
  t.teardown(() => scheduler.close());
  await eventually('scheduler leads', () => scheduler.replica.isLeader, { timeoutMs: 15_000 });

  const aws = async (...args: string[]): Promise<Record<string, unknown>> => {
    const r = await awsCli('ecs', args, {
      endpoint: scheduler.url,
      home: dir,
      credentials: { accessKeyId: CREDS.id, secretAccessKey: CREDS.secret },
    });
    if (r.code !== 0) throw new Error(`aws ecs ${args[0]} failed (${r.code}): ${r.stderr}`);
    return r.out as Record<string, unknown>;
  };
  const cluster = `e2e-${rig.runId}`.replace(/[^a-zA-Z0-9_-]/g, '-');
  await aws('create-cluster', '--cluster-name', cluster);

  const agent = await startAgent({
    scheduler: scheduler.url,
    region: 'us-east-1',
    cluster,
    instanceId: `i-${rig.runId}`,
    advertiseIp: '127.0.0.1',
    dataDir: await tempDir(t),
    listen: '127.0.0.1:0',
    imagePullBehavior: 'prefer-cached',
    extraLabels: { [TEST_LABEL]: rig.runId },
    env: { AWS_ACCESS_KEY_ID: CREDS.id, AWS_SECRET_ACCESS_KEY: CREDS.secret },
    pollWait: 5_000,
  });
  t.teardown(() => agent.close());
  const instances = await aws('list-container-instances', '--cluster', cluster);
  t.same(instances.containerInstanceArns, [agent.instanceArn], 'the agent is a container instance');

  const family = `e2e-web-${rig.runId}`.replace(/[^a-zA-Z0-9_-]/g, '-');
  await aws(
    'register-task-definition',
    '--family',
    family,
    '--container-definitions',
    JSON.stringify([
      {
        name: 'web',
        image: IMAGE,
        memory: 64,
        cpu: 128,
        essential: true,
        portMappings: [{ containerPort: 8080, hostPort: 0, protocol: 'tcp' }],
        stopTimeout: 2,
      },
    ]),
  );
  const started = Date.now();
  const ran = await aws(
    'run-task',
    '--cluster',
    cluster,
    '--task-definition',
    family,
    '--count',
    '1',
  );
  const taskArn = (ran.tasks as { taskArn: string }[])[0]?.taskArn as string;
  t.match(taskArn, /^arn:aws:ecs:us-east-1:\d+:task\//);
  const described = await eventually(
    'describe-tasks shows RUNNING with a host port',
    async () => {
      const d = await aws('describe-tasks', '--cluster', cluster, '--tasks', taskArn);
      const task = (d.tasks as Record<string, unknown>[])[0] as {
        lastStatus: string;
        containers: {
          name: string;
          lastStatus: string;
          runtimeId?: string;
          networkBindings?: { hostPort: number; containerPort: number }[];
        }[];
      };
      return task.lastStatus === 'RUNNING' && task.containers[0]?.networkBindings?.[0]?.hostPort
        ? task
        : undefined;
    },
    { timeoutMs: 60_000 },
  );
  t.comment(
    `run-task → RUNNING reported in ${Date.now() - started} ms (including aws CLI start-ups)`,
  );
  const web = described.containers[0];
  t.equal(web?.lastStatus, 'RUNNING');
  t.equal(web?.networkBindings?.[0]?.containerPort, 8080);
  const hostPort = web?.networkBindings?.[0]?.hostPort as number;
  const info = await rig.docker.getContainer(web?.runtimeId as string).inspect();
  t.equal(info.Config.Labels['com.amazonaws.ecs.task-arn'], taskArn, 'the container is the task');
  t.equal(
    Number(info.NetworkSettings.Ports['8080/tcp']?.[0]?.HostPort),
    hostPort,
    'the reported port is Docker’s',
  );
  const res = await eventually(
    'HTTP on the reported port',
    () => get(`http://127.0.0.1:${hostPort}/`).catch(() => undefined),
    { timeoutMs: 15_000 },
  );
  t.equal(res.status, 200, 'the task answers on 127.0.0.1:<reported host port>');
  t.equal(info.HostConfig.Memory, 64 * 1024 * 1024, 'memory → hard limit');
  t.equal(info.HostConfig.CpuShares, 128, 'cpu → CPU shares');

  await aws('stop-task', '--cluster', cluster, '--task', taskArn, '--reason', 'e2e done');
  const stopped = await eventually(
    'describe-tasks shows STOPPED',
    async () => {
      const d = await aws('describe-tasks', '--cluster', cluster, '--tasks', taskArn);
      const task = (d.tasks as Record<string, unknown>[])[0] as {
        lastStatus: string;
        stoppedReason?: string;
      };
      return task.lastStatus === 'STOPPED' ? task : undefined;
    },
    { timeoutMs: 60_000 },
  );
  t.equal(stopped.stoppedReason, 'e2e done');
});
