// Issue 20 on the agent: secrets fetched from the scheduler right before the pull go into the
// container's environment only (never an event, report or introspection), repositoryCredentials
// authenticate the pull, a failed resolution stops the task with the scheduler's
// ResourceInitializationError, pull failures read as ECS's CannotPullContainerError with the
// engine's message, and pull progress is tracked for introspection.
import { loadConfig } from '@berth/daemon';
import t from 'tap';
import { Agent, agentOptions, taskResponse, type PullProgress } from '../src/index.js';
import { MemoryRuntime, MemoryScheduler } from '../src/testing/index.js';
import { PullTracker, pullFailureReason } from '../src/image-pull.js';
import { RuntimeError } from '../src/errors.js';
import type { RegistryAuth, TaskSecretsAnswer } from '../src/task-secrets.js';
import { registryOf, TaskSecrets } from '../src/task-secrets.js';
import { tempDir, webTask } from './helpers.js';

const PRIVATE = 'reg.example:5000/team/app:1';
const VALUE = 'pw-value-that-must-stay-in-the-env';

t.test('secrets reach the container env only; credentials authenticate the pull', async (t) => {
  const auths: (RegistryAuth | undefined)[] = [];
  class Recording extends MemoryRuntime {
    override pull(
      image: string,
      onProgress?: (p: PullProgress) => void,
      auth?: RegistryAuth,
    ): Promise<void> {
      auths.push(auth);
      return super.pull(image, onProgress);
    }
  }
  const runtime = new Recording();
  runtime.pullable.add(PRIVATE);
  const scheduler = new MemoryScheduler('dev');
  const answers = new Map<string, TaskSecretsAnswer>();
  const asked: string[] = [];
  const client = Object.assign(scheduler.client(), {
    taskSecrets: async (req: { task: string; containerInstance: string }) => {
      asked.push(req.containerInstance);
      return answers.get(req.task) ?? { failure: { reason: 'no answer' } };
    },
  });
  const agent = new Agent(
    {
      cluster: 'dev',
      advertiseIp: '127.0.0.2',
      dataDir: await tempDir(t),
      housekeepingIntervalMs: 3_600_000,
      retryBaseMs: 10,
      retryMaxMs: 50,
      pollWait: 5_000,
      imagePullBehavior: 'always',
    },
    runtime,
    client,
  );
  t.teardown(() => agent.close());
  const seen: string[] = [];
  agent.on('runner', (e) => seen.push(JSON.stringify(e)));
  agent.on('report', (r) => seen.push(JSON.stringify(r)));
  await agent.start();

  const td = webTask('sec', {
    image: PRIVATE,
    environment: [
      { name: 'PLAIN', value: 'p' },
      { name: 'DB_PASSWORD', value: 'overridden' },
    ],
    ...({
      secrets: [{ name: 'DB_PASSWORD', valueFrom: '/app/db' }],
      repositoryCredentials: { credentialsParameter: 'regcreds' },
    } as object),
  });
  const arn = scheduler.runTask(agent.instanceArn, td);
  answers.set(arn, {
    containers: [
      {
        name: 'web',
        environment: [{ name: 'DB_PASSWORD', value: VALUE }],
        repositoryCredentials: { username: 'ci', password: 'registry-pw' },
      },
    ],
  });
  await scheduler.waitForStatus(arn, 'RUNNING');
  t.same(asked, [agent.instanceArn], 'asked once, for this instance');
  t.same(auths, [{ username: 'ci', password: 'registry-pw', serveraddress: 'reg.example:5000' }]);
  const box = [...runtime.containers.values()][0];
  t.same(
    box?.options.Env.filter((e) => !e.startsWith('ECS_')),
    ['PLAIN=p', `DB_PASSWORD=${VALUE}`],
  );
  const views = JSON.stringify([agent.tasks(), agent.tasks().map(taskResponse)]);
  seen.push(views);
  seen.push(JSON.stringify(scheduler.tasks.get(arn)));
  t.ok(seen.length > 5);
  t.notOk(
    seen.some((text) => text.includes(VALUE)),
    'no value in events, reports or introspection',
  );
  t.notOk(
    seen.some((text) => text.includes('registry-pw')),
    'no registry password either',
  );
  t.match(agent.tasks()[0]?.pull, { image: PRIVATE, status: 'Pulled' });

  const failing = scheduler.runTask(
    agent.instanceArn,
    webTask('missing', {
      image: PRIVATE,
      ...({ secrets: [{ name: 'A', valueFrom: '/gone' }] } as object),
    }),
  );
  const reason =
    'ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secrets from ssm: service call has been retried 1 time(s): invalid ssm parameters: /gone';
  answers.set(failing, { failure: { reason } });
  const stopped = await scheduler.waitForStatus(failing, 'STOPPED');
  t.equal(stopped.reports.at(-1)?.reason, reason);
  t.equal(
    runtime.calls.filter((c) => c.startsWith('create ecs-missing')).length,
    0,
    'nothing created',
  );
});

t.test('pullFailureReason words it as ECS, with the engine message', async (t) => {
  const dockerode = Object.assign(
    new Error('(HTTP code 500) server error - unauthorized: authentication required '),
    { statusCode: 500, json: null },
  );
  t.equal(
    pullFailureReason(new RuntimeError('cannot pull x', 500, { cause: dockerode })),
    'CannotPullContainerError: Error response from daemon: unauthorized: authentication required',
  );
  t.equal(
    pullFailureReason(new RuntimeError('pull access denied for x', 404)),
    'CannotPullContainerError: pull access denied for x',
  );
  t.equal(registryOf('127.0.0.1:5000/a/b:1'), '127.0.0.1:5000');
  t.equal(registryOf('library/busybox'), 'https://index.docker.io/v1/');
});

t.test('PullTracker counts layers and keeps the outcome', async (t) => {
  const p = new PullTracker();
  const taskArn = 'arn:task/1';
  const image = 'r:5000/x:1';
  const ev = (status: string, id?: string, progress?: string) =>
    p.note({
      type: 'pull',
      taskArn,
      image,
      progress: { status, ...(id ? { id } : {}), ...(progress ? { progress } : {}) },
    });
  ev('Pulling from x', '1');
  ev('Pulling fs layer', 'aaaaaaaaaaaa');
  ev('Pulling fs layer', 'bbbbbbbbbbbb');
  ev('Downloading', 'aaaaaaaaaaaa', '[=>   ] 1MB/2MB');
  ev('Pull complete', 'bbbbbbbbbbbb');
  t.same(p.of(taskArn), {
    image,
    status: 'Pull complete',
    layers: { done: 1, total: 2 },
  });
  p.note({ type: 'pulled', taskArn, image, ms: 120, cached: false });
  t.match(p.of(taskArn), { status: 'Pulled', ms: 120 });
});

t.test('ECS_IMAGE_PULL_BEHAVIOR sets the pull policy, as on the ECS agent', async (t) => {
  const c = loadConfig(agentOptions, [], { ECS_IMAGE_PULL_BEHAVIOR: 'always' }, undefined, {
    envPrefix: 'BERTH_AGENT_',
  });
  t.equal(c.imagePullBehavior, 'always');
  const flag = loadConfig(
    agentOptions,
    ['--image-pull-behavior', 'once'],
    { ECS_IMAGE_PULL_BEHAVIOR: 'always' },
    undefined,
    { envPrefix: 'BERTH_AGENT_' },
  );
  t.equal(flag.imagePullBehavior, 'once', 'the flag wins');
});

t.test('TaskSecrets asks again while the scheduler is unreachable, then gives up', async (t) => {
  const td = webTask('x', { ...({ secrets: [{ name: 'A', valueFrom: '/a' }] } as object) });
  let calls = 0;
  const flaky = new TaskSecrets(td, async () => {
    calls++;
    if (calls < 3) throw Object.assign(new Error('scheduler unreachable'), { retryable: true });
    return { containers: [{ name: 'web', environment: [{ name: 'A', value: 'v' }] }] };
  });
  t.equal(await flaky.load(), true);
  t.equal(calls, 3);
  t.same(flaky.withSecrets('web', ['A=plain', 'B=b']), ['B=b', 'A=v']);
  flaky.forget();
  t.same(flaky.withSecrets('web', ['B=b']), ['B=b'], 'forgotten after the create');
  const refused = new TaskSecrets(td, async () => {
    throw Object.assign(new Error('GetTaskSecrets failed: HTTP 400'), { retryable: false });
  });
  t.match(await refused.load(), /^ResourceInitializationError: .*HTTP 400/);
  const none = new TaskSecrets(webTask('plain'), undefined);
  t.equal(await none.load(), true, 'a task without secrets asks nothing');
});
