// The signed scheduler client (src/http-scheduler-client.ts) against a real HTTP server that
// checks every Signature V4 by signing the request again: each protocol action, errors
// (retryable or not), an unreachable scheduler, and a whole agent speaking HTTP.
import t from 'tap';
import { HttpSchedulerClient, SchedulerError, startAgent } from '../src/index.js';
import { MemoryRuntime, MemoryScheduler } from '../src/testing/index.js';
import { IMAGE, tempDir, webTask } from './helpers.js';
import { TEST_CREDENTIALS, serveScheduler } from './scheduler-server.js';

t.test('every action is signed and understood', async (t) => {
  const scheduler = new MemoryScheduler('dev');
  const server = await serveScheduler(scheduler);
  t.teardown(() => server.close());
  const client = new HttpSchedulerClient({
    endpoint: server.url,
    cluster: 'dev',
    region: 'us-east-1',
    credentials: async () => TEST_CREDENTIALS,
  });
  const reg = await client.register({
    totalResources: [{ name: 'CPU', type: 'INTEGER', integerValue: 1024 }],
    versionInfo: { agentVersion: '0.1.0', agentHash: 'x', dockerVersion: 'DockerVersion: 1' },
    attributes: [],
  });
  t.match(reg.containerInstanceArn, /^arn:aws:ecs:us-east-1:\d+:container-instance\/dev\//);
  const again = await client.register({
    containerInstanceArn: reg.containerInstanceArn,
    totalResources: [],
    versionInfo: { agentVersion: '0.1.0', agentHash: 'x', dockerVersion: 'DockerVersion: 1' },
    attributes: [],
  });
  t.equal(again.containerInstanceArn, reg.containerInstanceArn, 're-registration keeps the ARN');
  const taskArn = scheduler.runTask(reg.containerInstanceArn, webTask('h'));
  const polled = await client.poll({
    containerInstance: reg.containerInstanceArn,
    version: 0,
    waitSeconds: 1,
  });
  t.equal(polled.tasks[0]?.taskArn, taskArn);
  const started = Date.now();
  const same = await client.poll({
    containerInstance: reg.containerInstanceArn,
    version: polled.version,
    waitSeconds: 1,
  });
  t.equal(same.version, polled.version, 'no change: same version after the wait');
  t.ok(Date.now() - started >= 900, 'the poll was held');
  await client.reportTask({ task: taskArn, status: 'RUNNING', containers: [] });
  await client.reportContainer({
    task: taskArn,
    containerName: 'web',
    status: 'RUNNING',
    networkBindings: [],
  });
  t.equal(scheduler.tasks.get(taskArn)?.lastStatus, 'RUNNING');
  await t.rejects(client.reportTask({ task: 'arn:nope', status: 'RUNNING', containers: [] }), {
    name: 'SchedulerError',
    code: 'AGENT_SCHEDULER_REJECTED',
    retryable: false,
    type: 'ClientException',
  });
  scheduler.down = true;
  await t.rejects(client.reportTask({ task: taskArn, status: 'STOPPED', containers: [] }), {
    name: 'SchedulerError',
    retryable: true,
    type: 'ServerException',
  });
  scheduler.down = false;
  await client.deregister(reg.containerInstanceArn, true);
  t.equal(scheduler.instances.size, 0);
  t.ok(
    server.requests.length >= 8 && server.requests.every((r) => r.signed),
    'every request signed',
  );
  t.same([...new Set(server.requests.map((r) => r.target))].sort(), [
    'AmazonEC2ContainerServiceV20141113.DeregisterContainerInstance',
    'AmazonEC2ContainerServiceV20141113.RegisterContainerInstance',
    'AmazonEC2ContainerServiceV20141113.SubmitContainerStateChange',
    'AmazonEC2ContainerServiceV20141113.SubmitTaskStateChange',
    'BerthAgentV1.PollAssignments',
  ]);
});

t.test('wrong credentials are rejected; an unreachable scheduler is retryable', async (t) => {
  const scheduler = new MemoryScheduler('dev');
  const server = await serveScheduler(scheduler);
  t.teardown(() => server.close());
  const wrong = new HttpSchedulerClient({
    endpoint: server.url,
    cluster: 'dev',
    region: 'us-east-1',
    credentials: async () => ({ accessKeyId: 'AKIABERTHTEST', secretAccessKey: 'wrong' }),
  });
  await t.rejects(wrong.poll({ containerInstance: 'x', version: 0, waitSeconds: 1 }), {
    name: 'SchedulerError',
    type: 'UnrecognizedClientException',
    retryable: false,
  });
  await server.close();
  const gone = new HttpSchedulerClient({
    endpoint: server.url,
    cluster: 'dev',
    region: 'us-east-1',
    credentials: async () => TEST_CREDENTIALS,
  });
  const err = await gone
    .poll({ containerInstance: 'x', version: 0, waitSeconds: 1 })
    .catch((e: unknown) => e);
  t.ok(err instanceof SchedulerError && err.retryable, 'unreachable → retryable');
  t.match((err as Error).message, /scheduler unreachable at http:\/\/127\.0\.0\.1:\d+/);
});

t.test('startAgent over HTTP with credentials from the environment', async (t) => {
  const scheduler = new MemoryScheduler('dev');
  const server = await serveScheduler(scheduler);
  t.teardown(() => server.close());
  const running = await startAgent(
    {
      scheduler: server.url,
      cluster: 'dev',
      advertiseIp: '127.0.0.2',
      dataDir: await tempDir(t),
      listen: '127.0.0.1:0',
      env: {
        AWS_ACCESS_KEY_ID: TEST_CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: TEST_CREDENTIALS.secretAccessKey,
      },
      pollWait: 2_000,
    },
    { runtime: new MemoryRuntime([IMAGE]) },
  );
  t.teardown(() => running.close());
  const arn = scheduler.runTask(running.instanceArn, webTask('over-http'));
  const task = await scheduler.waitForStatus(arn, 'RUNNING');
  t.equal(task.reports[0]?.containers[0]?.status, 'RUNNING');
  await t.rejects(
    startAgent(
      {
        cluster: 'dev',
        advertiseIp: '127.0.0.1',
        dataDir: await tempDir(t),
        listen: '127.0.0.1:0',
        env: { HOME: '/nonexistent' },
      },
      { runtime: new MemoryRuntime() },
    ),
    { code: 'AGENT_NO_CREDENTIALS' },
    'no credentials: fails at start naming what to set',
  );
});
