// Issue 20: secrets references as ECS reads them, their resolution at task start with ECS's
// ResourceInitializationError, RegisterTaskDefinition's checks of `secrets`, and
// BerthAgentV1.GetTaskSecrets delivering values only for a task of the calling instance.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';

const errorType = (p: Promise<unknown>): Promise<unknown> =>
  p.then(
    () => 'no error',
    (e: { type?: unknown }) => e.type,
  );
import { signSigV4 } from '../src/index.js';
import { SimulatedAgent } from '../src/testing/index.js';
import { resolveTaskSecrets } from '../src/core/secrets/resolve-task-secrets.js';
import { parseValueFrom } from '../src/core/secrets/value-from.js';
import { validateTaskDefinition } from '../src/core/task-definition/index.js';
import { CREDS, startStack } from './fixtures.js';

t.test('parseValueFrom', async (t) => {
  const cases: { name: string; input: string; want: unknown }[] = [
    { name: 'flat name', input: 'db-pass', want: { kind: 'ssm', ref: 'db-pass' } },
    { name: 'path', input: '/prod/db/pass', want: { kind: 'ssm', ref: '/prod/db/pass' } },
    { name: 'path with version', input: '/prod/db/pass:3', want: { kind: 'ssm' } },
    {
      name: 'ssm arn',
      input: 'arn:aws:ssm:us-east-1:000000000000:parameter/prod/db/pass',
      want: { kind: 'ssm' },
    },
    {
      name: 'secrets manager arn with json key',
      input: 'arn:aws:secretsmanager:us-east-1:000000000000:secret:db-AbCdEf:password::',
      want: { kind: 'asm', secretName: 'db-AbCdEf', jsonKey: 'password', versionStage: undefined },
    },
    { name: 'json key on a bare name', input: 'db:password::', want: undefined },
    { name: 'spaces', input: 'db pass', want: undefined },
    { name: 'other service arn', input: 'arn:aws:s3:::bucket/key', want: undefined },
    { name: 'reserved prefix', input: 'aws-thing', want: undefined },
  ];
  for (const c of cases) t.match(parseValueFrom(c.input), c.want as object, c.name);
  for (const c of cases.filter((x) => x.want === undefined)) {
    t.equal(parseValueFrom(c.input), undefined, `${c.name} is invalid`);
  }
});

t.test('resolveTaskSecrets', async (t) => {
  const store = new Map<string, string>([
    ['/prod/db/pass', 'pw-1'],
    ['db', '{"username":"u","password":"p","port":5432}'],
    ['notjson', 'x{'],
  ]);
  const lookup = async (ref: string): Promise<string | undefined> =>
    store.get(ref.startsWith('arn:') ? `/${ref.split(':parameter/')[1]}` : ref);
  const ok = await resolveTaskSecrets(
    [
      {
        name: 'web',
        secrets: [
          { name: 'DB_PASSWORD', valueFrom: '/prod/db/pass' },
          {
            name: 'DB_PORT',
            valueFrom: 'arn:aws:secretsmanager:us-east-1:000000000000:secret:db-AbCdEf:port::',
          },
        ],
        repositoryCredentials: {
          credentialsParameter: 'arn:aws:secretsmanager:us-east-1:000000000000:secret:db',
        },
      },
    ],
    lookup,
  );
  t.same(ok, {
    ok: true,
    containers: [
      {
        name: 'web',
        environment: [
          { name: 'DB_PASSWORD', value: 'pw-1' },
          { name: 'DB_PORT', value: '5432' },
        ],
        repositoryCredentials: { username: 'u', password: 'p' },
      },
    ],
  });
  const missing = await resolveTaskSecrets(
    [{ name: 'web', secrets: [{ name: 'A', valueFrom: '/prod/missing' }] }],
    lookup,
  );
  t.same(missing, {
    ok: false,
    reason:
      'ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secrets from ssm: service call has been retried 1 time(s): invalid ssm parameters: /prod/missing',
  });
  const notJson = await resolveTaskSecrets(
    [
      {
        name: 'web',
        secrets: [
          {
            name: 'A',
            valueFrom: 'arn:aws:secretsmanager:us-east-1:000000000000:secret:notjson:key::',
          },
        ],
      },
    ],
    lookup,
  );
  t.notOk(notJson.ok);
  t.notOk(JSON.stringify(notJson).includes('x{'), 'a reason never quotes a value');
});

t.test('RegisterTaskDefinition checks secrets as ECS does', async (t) => {
  const td = (c: Record<string, unknown>, extra: Record<string, unknown> = {}): unknown => ({
    family: 'f',
    executionRoleArn: 'arn:aws:iam::000000000000:role/exec',
    containerDefinitions: [{ name: 'web', image: 'busybox', memory: 64, ...c }],
    ...extra,
  });
  const ok = validateTaskDefinition(
    td({
      secrets: [{ name: 'A', valueFrom: '/p/a' }],
      repositoryCredentials: { credentialsParameter: 'regcreds' },
    }),
  );
  t.same(ok.containerDefinitions[0]?.secrets, [{ name: 'A', valueFrom: '/p/a' }]);
  t.same(ok.containerDefinitions[0]?.repositoryCredentials, { credentialsParameter: 'regcreds' });
  const cases: { name: string; input: unknown; message: RegExp }[] = [
    {
      name: 'no execution role',
      input: td({ secrets: [{ name: 'A', valueFrom: '/p/a' }] }, { executionRoleArn: undefined }),
      message:
        /^When you are specifying container secrets, you must also specify a value for 'executionRoleArn'\.$/,
    },
    {
      name: 'bad valueFrom',
      input: td({ secrets: [{ name: 'A', valueFrom: 'db:key::' }] }),
      message: /^The Systems Manager parameter name specified for secret A is invalid$/,
    },
    {
      name: 'no valueFrom',
      input: td({ secrets: [{ name: 'A' }] }),
      message: /valueFrom is required/,
    },
    {
      name: 'no name',
      input: td({ secrets: [{ valueFrom: '/p/a' }] }),
      message: /secret name is required/,
    },
    {
      name: 'repeated name',
      input: td({
        secrets: [
          { name: 'A', valueFrom: '/p/a' },
          { name: 'A', valueFrom: '/p/b' },
        ],
      }),
      message: /repeated/,
    },
    {
      name: 'empty credentialsParameter',
      input: td({ repositoryCredentials: {} }),
      message: /credentialsParameter should not be null or empty/,
    },
  ];
  for (const c of cases) {
    t.throws(
      () => validateTaskDefinition(c.input),
      { ecsType: 'ClientException', message: c.message },
      c.name,
    );
  }
});

async function ssmCall(url: string, action: string, body: unknown): Promise<unknown> {
  const text = JSON.stringify(body);
  const u = new URL(url);
  const headers = signSigV4({
    method: 'POST',
    host: u.host,
    path: '/',
    headers: {
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': `AmazonSSM.${action}`,
    },
    body: text,
    credentials: CREDS,
    region: 'us-east-1',
    service: 'ssm',
  });
  const res = await fetch(url, { method: 'POST', headers, body: text });
  const json = (await res.json()) as unknown;
  if (!res.ok) throw Object.assign(new Error(JSON.stringify(json)), { json });
  return json;
}

t.test('GetTaskSecrets: values only for a task of the calling instance', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'berth-secrets-'));
  const s = await startStack({ secretsKey: join(dir, 'key') });
  const agents: SimulatedAgent[] = [];
  t.teardown(async () => {
    for (const a of agents) await a.stop();
    await s.close();
    await rm(dir, { recursive: true, force: true });
  });
  await ssmCall(s.scheduler.url, 'PutParameter', {
    Name: '/app/db/pass',
    Value: 'pw-secret-1',
    Type: 'SecureString',
  });
  await s.json.ecs('CreateCluster', { clusterName: 'sec' });
  for (const id of ['i-sec-1', 'i-sec-2']) {
    const a = new SimulatedAgent({
      endpoint: s.scheduler.url,
      credentials: CREDS,
      cluster: 'sec',
      instanceId: id,
      waitSeconds: 1,
    });
    await a.register();
    agents.push(a);
  }
  const [a1, a2] = agents as [SimulatedAgent, SimulatedAgent];
  const register = (family: string, valueFrom: string): Promise<unknown> =>
    s.json.ecs('RegisterTaskDefinition', {
      family,
      executionRoleArn: 'arn:aws:iam::000000000000:role/exec',
      containerDefinitions: [
        {
          name: 'web',
          image: 'busybox',
          memory: 32,
          secrets: [{ name: 'DB_PASSWORD', valueFrom }],
        },
      ],
    });
  await register('withsecret', '/app/db/pass');
  await register('missing', '/app/db/absent');
  const run = async (family: string): Promise<string> => {
    const r = await s.json.ecs<{ tasks: { taskArn: string }[] }>('StartTask', {
      cluster: 'sec',
      taskDefinition: family,
      containerInstances: [a1.arn],
    });
    return (r.tasks[0] as { taskArn: string }).taskArn;
  };
  const task = await run('withsecret');
  const got = await s.json.agent('GetTaskSecrets', {
    cluster: 'sec',
    containerInstance: a1.arn,
    task,
  });
  t.same(got, {
    containers: [{ name: 'web', environment: [{ name: 'DB_PASSWORD', value: 'pw-secret-1' }] }],
  });
  t.equal(
    await errorType(
      s.json.agent('GetTaskSecrets', { cluster: 'sec', containerInstance: a2.arn, task }),
    ),
    'InvalidParameterException',
    'another instance gets nothing',
  );
  const missing = await s.json.agent('GetTaskSecrets', {
    cluster: 'sec',
    containerInstance: a1.arn,
    task: await run('missing'),
  });
  t.match(missing, {
    failure: {
      reason: /^ResourceInitializationError: .*invalid ssm parameters: \/app\/db\/absent$/,
    },
  });
  const described = await s.json.ecs('DescribeTasks', { cluster: 'sec', tasks: [task] });
  t.notOk(JSON.stringify(described).includes('pw-secret-1'), 'DescribeTasks never shows a value');
  await s.json.ecs('StopTask', { cluster: 'sec', task });
  t.equal(
    await errorType(
      s.json.agent('GetTaskSecrets', { cluster: 'sec', containerInstance: a1.arn, task }),
    ),
    'ClientException',
    'a task meant to stop gets nothing',
  );
});
