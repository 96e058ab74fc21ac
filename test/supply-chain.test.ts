/**
 * Issue 20 end to end with real clients: `berth dev` (scheduler with a secrets key, the dev
 * registry), a private `berth registry` with htpasswd auth, the Docker CLI (`docker login`,
 * `tag`, `push` with its own DOCKER_CONFIG), the AWS CLI v2 (`aws ssm put-parameter`) and the
 * ECS SDK. A task pulls its image from the dev registry and gets a SecureString in its env (read
 * back from its HTTP server); a task pulls from the private registry with repositoryCredentials;
 * wrong credentials stop a task with CannotPullContainerError and the registry's message; a
 * missing parameter stops one with ECS's ResourceInitializationError. Then every log line
 * (every daemon, the private registry, the task's), API answer (describe and list, SSM without
 * decryption, every console page), every agent's introspection, the scheduler's signed
 * `/v1/events` stream read for the whole run, and every KV value (decoded, raw, base64) is
 * searched: the secret is only in KV, sealed. Bounded (~2 minutes); removes only the images
 * it tagged.
 */
import t from 'tap';
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ListTaskDefinitionsCommand,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  type ContainerDefinition,
  type Task,
} from '@aws-sdk/client-ecs';
import { newRunId, requireDocker, TEST_IMAGE } from './helpers/docker.js';
import { BERTH, startDev } from './helpers/berth-dev.js';
import { eventually } from '@berth/daemon/testing';
import { ecsFor } from './helpers/e2e.js';
import { AWS, awsCli, type CliResult } from './helpers/aws-cli.js';
import { openSchedulerEvents } from './helpers/scheduler-events.js';

const exec = promisify(execFile);
const EXEC_ROLE = 'arn:aws:iam::000000000000:role/ecsTaskExecutionRole';

t.test('issue 20: images from berth registries, secrets only in the container env', async (t) => {
  const docker = await requireDocker(t);
  if (!docker) return;
  for (const [file, pkg] of [
    ['/usr/bin/docker-registry', 'docker-registry'],
    [AWS, 'awscli'],
  ] as const) {
    if (existsSync(file)) continue;
    const why = `${file} is missing: apt-get install -y ${pkg} (scripts/setup installs it)`;
    if (process.env.CI === 'true') t.fail(why);
    else t.plan(0, why);
    return;
  }
  const run =
    newRunId()
      .replace(/[^a-z0-9]/g, '')
      .slice(0, 16) || 'run';
  const SECRET = `sup3r-${run}-${Date.now()}`;
  const tmp = await mkdtemp(join(tmpdir(), 'berth-supply-'));
  const dockerEnv = { ...process.env, DOCKER_CONFIG: join(tmp, 'docker-config') };
  const tagged: string[] = [];
  t.teardown(async () => {
    for (const ref of tagged) await exec('docker', ['rmi', ref]).catch(() => undefined);
    await rm(tmp, { recursive: true, force: true });
  });
  const sh = async (cmd: string, args: string[], input?: string): Promise<string> => {
    const p = exec(cmd, args, { env: dockerEnv, timeout: 120_000 });
    if (input !== undefined) {
      p.child.stdin?.end(input);
    }
    return (await p).stdout;
  };

  const dev = await startDev(t, []);
  const ecs = await ecsFor(t, dev);
  // Everything the scheduler streams during the run, searched at the end.
  const events = await openSchedulerEvents(t, dev, { maxMs: 240_000 });
  const devRegistry = `127.0.0.1:${5000 + dev.offset}`;
  t.match(dev.output(), new RegExp(`registry +${devRegistry}`), 'berth dev names its registry');

  // A private registry with htpasswd auth, as its own `berth registry` process.
  const privPort = 5010 + dev.offset;
  const privDir = join(tmp, 'registry');
  const reg = spawn(
    process.execPath,
    [
      BERTH,
      'registry',
      '--listen',
      `127.0.0.1:${privPort}`,
      '--admin',
      `127.0.0.1:${privPort + 1}`,
      '--data-dir',
      privDir,
      '--gc-interval',
      '0',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let regOut = '';
  reg.stdout.on('data', (d: Buffer) => (regOut += d.toString()));
  reg.stderr.on('data', (d: Buffer) => (regOut += d.toString()));
  t.teardown(async () => {
    if (reg.exitCode === null) {
      reg.kill('SIGTERM');
      await Promise.race([once(reg, 'exit'), new Promise((r) => setTimeout(r, 10_000))]);
      if (reg.exitCode === null) reg.kill('SIGKILL');
    }
  });
  await eventually(
    'the private registry is healthy',
    async () => {
      const res = await fetch(`http://127.0.0.1:${privPort + 1}/health`).catch(() => undefined);
      return res?.status === 200 ? true : undefined;
    },
    { timeoutMs: 30_000 },
  );
  const creds = JSON.parse(await readFile(join(privDir, 'credentials.json'), 'utf8')) as {
    username: string;
    password: string;
  };

  // docker tag + push: into the dev registry (no auth on loopback) and the private one.
  const devRef = `${devRegistry}/berth/busybox:${run}`;
  const privOk = `127.0.0.1:${privPort}/team/app:ok-${run}`;
  const privWrong = `127.0.0.1:${privPort}/team/app:wrong-${run}`;
  await sh('docker', ['tag', TEST_IMAGE, devRef]);
  tagged.push(devRef);
  await sh('docker', ['push', devRef]);
  await sh(
    'docker',
    ['login', `127.0.0.1:${privPort}`, '-u', creds.username, '--password-stdin'],
    creds.password,
  );
  for (const ref of [privOk, privWrong]) {
    await sh('docker', ['tag', TEST_IMAGE, ref]);
    tagged.push(ref);
    await sh('docker', ['push', ref]);
  }
  await sh('docker', ['logout', `127.0.0.1:${privPort}`]);
  // Untag, so the agent has to pull each image for real.
  for (const ref of tagged) await sh('docker', ['rmi', ref]);
  const repos = (await (
    await fetch(`http://127.0.0.1:${privPort + 1}/v1/repositories`)
  ).json()) as {
    Repositories: { name: string; tags: { tag: string; size?: number }[] }[];
  };
  t.match(repos.Repositories, [{ name: 'team/app', tags: [{ size: Number }, { size: Number }] }]);

  // Secrets through the real AWS CLI v2.
  const aws = async (args: string[]): Promise<CliResult> => {
    const r = await awsCli('ssm', args, {
      endpoint: dev.info.endpoint,
      region: dev.info.region,
      home: tmp,
      credentialsFile: dev.info.credentialsFile,
      timeoutMs: 60_000,
    });
    if (r.code !== 0) throw new Error(`aws ssm ${args[0]} failed (${r.code}): ${r.stderr}`);
    return r;
  };
  const P = `/e2e/${run}`;
  await aws([
    'put-parameter',
    '--name',
    `${P}/db-password`,
    '--type',
    'SecureString',
    '--value',
    SECRET,
  ]);
  await aws([
    'put-parameter',
    '--name',
    `${P}/registry`,
    '--type',
    'SecureString',
    '--value',
    JSON.stringify(creds),
  ]);
  await aws([
    'put-parameter',
    '--name',
    `${P}/wrong`,
    '--type',
    'SecureString',
    '--value',
    JSON.stringify({ username: creds.username, password: `not-${run}` }),
  ]);

  const container = (
    image: string,
    extra: Partial<ContainerDefinition> = {},
  ): ContainerDefinition => ({
    name: 'app',
    image,
    memory: 32,
    portMappings: [{ containerPort: 8080, hostPort: 0 }],
    ...extra,
  });
  const families: Record<string, ContainerDefinition> = {
    [`devpull-${run}`]: container(devRef, {
      secrets: [{ name: 'DB_PASSWORD', valueFrom: `${P}/db-password` }],
      environment: [{ name: 'PLAIN', value: 'visible' }],
    }),
    [`private-${run}`]: container(privOk, {
      repositoryCredentials: {
        credentialsParameter: `arn:aws:ssm:${dev.info.region}:000000000000:parameter${P}/registry`,
      },
    }),
    [`wrong-${run}`]: container(privWrong, {
      repositoryCredentials: { credentialsParameter: `${P}/wrong` },
    }),
    [`missing-${run}`]: container(devRef, {
      secrets: [{ name: 'GONE', valueFrom: `${P}/absent` }],
    }),
  };
  const arns: Record<string, string> = {};
  for (const [family, c] of Object.entries(families)) {
    await ecs.send(
      new RegisterTaskDefinitionCommand({
        family,
        executionRoleArn: EXEC_ROLE,
        containerDefinitions: [c],
      }),
    );
    const r = await ecs.send(
      new RunTaskCommand({ cluster: dev.info.cluster, taskDefinition: family }),
    );
    t.same(r.failures, [], `${family} placed`);
    arns[family] = r.tasks?.[0]?.taskArn ?? '';
  }
  const describe = async (): Promise<Task[]> =>
    (
      await ecs.send(
        new DescribeTasksCommand({ cluster: dev.info.cluster, tasks: Object.values(arns) }),
      )
    ).tasks ?? [];
  const byFamily = (tasks: Task[], prefix: string): Task | undefined =>
    tasks.find((x) => x.taskDefinitionArn?.includes(`/${prefix}-${run}:`));
  const settled = await eventually(
    'every task RUNNING or STOPPED',
    async () => {
      const tasks = await describe();
      const done = (p: string, s: string) => byFamily(tasks, p)?.lastStatus === s;
      return done('devpull', 'RUNNING') &&
        done('private', 'RUNNING') &&
        done('wrong', 'STOPPED') &&
        done('missing', 'STOPPED')
        ? tasks
        : undefined;
    },
    { timeoutMs: 90_000 },
  ).catch(async (err: unknown) => {
    t.comment(JSON.stringify(await describe(), null, 1).slice(0, 4000));
    throw err;
  });

  const wrong = byFamily(settled, 'wrong');
  t.equal(wrong?.stopCode, 'TaskFailedToStart');
  t.match(
    wrong?.stoppedReason,
    /^CannotPullContainerError: Error response from daemon: .*(unauthorized|authentication required)/,
    'wrong credentials: the registry refuses, as ECS reports it',
  );
  const missing = byFamily(settled, 'missing');
  t.equal(missing?.stopCode, 'TaskFailedToStart');
  t.equal(
    missing?.stoppedReason,
    `ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secrets from ssm: service call has been retried 1 time(s): invalid ssm parameters: ${P}/absent`,
  );

  const devTask = byFamily(settled, 'devpull');
  const port = devTask?.containers?.[0]?.networkBindings?.[0]?.hostPort;
  const page = await eventually(
    'the container answers',
    async () => {
      const res = await fetch(`http://127.0.0.1:${port}/`).catch(() => undefined);
      return res?.ok ? res.text() : undefined;
    },
    { timeoutMs: 20_000 },
  );
  t.ok(page.split('\n').includes(`DB_PASSWORD=${SECRET}`), 'the secret is in the container env');
  t.ok(page.split('\n').includes('PLAIN=visible'));

  const agentTasks = await (await fetch(`${dev.info.hosts[0]!.agent}/v1/tasks`)).text();
  const pulled = (
    JSON.parse(agentTasks) as { Tasks: { Arn: string; Pull?: { Status: string } }[] }
  ).Tasks.find((x) => x.Arn === devTask?.taskArn);
  t.equal(pulled?.Pull?.Status, 'Pulled', 'introspection shows the image was pulled');

  // Key rotation through the verb: every parameter stays readable under the new key.
  const rotated = await dev.berth(['rotate-secrets-key']);
  t.equal(rotated.code, 0, rotated.stderr);
  t.match(rotated.stdout, /^new key k[0-9a-f]+: [3-9] parameter\(s\) re-encrypted; retired k/);
  const after = JSON.parse(
    (await aws(['get-parameter', '--name', `${P}/db-password`, '--with-decryption'])).stdout,
  ) as { Parameter: { Value: string } };
  t.equal(after.Parameter.Value, SECRET, 'readable after the rotation');
  const keyFile = JSON.parse(await readFile(join(dev.home, 'secrets.key'), 'utf8')) as {
    keys: { key: string }[];
  };

  // The grep: logs of every daemon, API answers, introspection, KV.
  const tds = [];
  for (const family of Object.keys(families)) {
    tds.push(await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: family })));
  }
  const kvRes = await fetch(`${dev.info.catalog}/v1/kv/?recurse=true`, {
    headers: dev.catalogHeaders,
  });
  t.equal(kvRes.status, 200, 'the whole KV read with the management token');
  const kv = (await kvRes.json()) as { Key: string; Value: string | null }[];
  t.ok(kv.length > 10, `${kv.length} KV entries to search`);
  const kvText = kv
    .map((e) => `${e.Key}=${e.Value ? Buffer.from(e.Value, 'base64').toString('utf8') : ''}`)
    .join('\n');
  // The raw answer too: a value merely base64-encoded would hide from the decoded search.
  const kvRaw = JSON.stringify(kv);
  const b64 = (v: string): string[] =>
    [0, 1, 2].map((i) =>
      Buffer.from(`${'..'.slice(0, i)}${v}`)
        .toString('base64')
        .slice(4, -4),
    );
  for (const [what, v] of [
    ['secret', SECRET],
    ['registry password', creds.password],
  ] as const) {
    t.notOk(
      b64(v).some((x) => kvRaw.includes(x) || kvText.includes(x)),
      `the ${what} is not in KV base64-encoded either`,
    );
  }
  // List answers of the ECS API.
  const lists = JSON.stringify([
    await ecs.send(new ListTasksCommand({ cluster: dev.info.cluster })),
    await ecs.send(new ListTasksCommand({ cluster: dev.info.cluster, desiredStatus: 'STOPPED' })),
    await ecs.send(new ListTaskDefinitionsCommand({})),
  ]);
  // SSM answers that do not decrypt: the value must come back sealed, never in clear.
  const ssmAnswers = [
    await aws(['describe-parameters']),
    await aws(['get-parameters-by-path', '--path', P, '--recursive']),
    await aws(['get-parameter', '--name', `${P}/db-password`]),
    await aws(['get-parameter-history', '--name', `${P}/db-password`]),
  ]
    .map((r) => r.stdout)
    .join('\n');
  t.match(ssmAnswers, `${P}/db-password`, 'the SSM answers name the parameters');
  // Introspection of every agent (all its tasks, and each task by ARN).
  let introspection = '';
  for (const host of dev.info.hosts) {
    introspection += await (await fetch(`${host.agent}/v1/tasks`)).text();
    for (const arn of Object.values(arns)) {
      introspection += await (
        await fetch(`${host.agent}/v1/tasks?taskarn=${encodeURIComponent(arn)}`)
      ).text();
    }
  }
  t.match(introspection, devTask?.taskArn ?? '-', 'introspection shows the tasks');
  const logs = await dev.berth(['logs', devTask?.taskArn ?? '']);
  // The console: sign in with the dev's key pair, then its registry page and the task page.
  const consoleUrl = `http://127.0.0.1:${8710 + dev.offset}`;
  const keyText = await readFile(dev.info.credentialsFile, 'utf8');
  const signIn = await fetch(`${consoleUrl}/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      accessKeyId: /aws_access_key_id = (\S+)/.exec(keyText)?.[1],
      secretAccessKey: /aws_secret_access_key = (\S+)/.exec(keyText)?.[1],
    }),
  });
  t.equal(signIn.status, 200, 'signed in to the console');
  const cookie = (signIn.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  const consoleGet = async (path: string): Promise<string> =>
    (await fetch(`${consoleUrl}/api${path}`, { headers: { cookie } })).text();
  const registryPage = await consoleGet('/registry');
  const page2 = JSON.parse(registryPage) as {
    registry: string;
    repositories: {
      name: string;
      tags: { tag: string; size?: number; tasks: { id: string }[] }[];
    }[];
  };
  t.equal(page2.registry, devRegistry);
  const shown = page2.repositories
    .find((r) => r.name === 'berth/busybox')
    ?.tags.find((x) => x.tag === run);
  t.ok((shown?.size ?? 0) > 0, 'the console shows the tag with its size');
  t.same(
    shown?.tasks.map((x) => x.id),
    [devTask?.taskArn?.split('/').pop()],
    'and the task that runs it',
  );
  // Every page of the console's API that shows tasks, task definitions or the registry.
  let consoleTask = '';
  for (const path of [
    '/clusters',
    '/task-definitions',
    ...Object.keys(families).map((f) => `/task-definitions/${f}`),
    `/c/${dev.info.cluster}/overview`,
    `/c/${dev.info.cluster}/tasks`,
    `/c/${dev.info.cluster}/instances`,
    ...Object.values(arns).map((a) => `/c/${dev.info.cluster}/tasks/${a.split('/').pop()}`),
    `/c/${dev.info.cluster}/tasks/${devTask?.taskArn?.split('/').pop()}/logs`,
  ]) {
    consoleTask += await consoleGet(path);
  }
  t.match(consoleTask, `devpull-${run}`, 'the console pages show the tasks');
  // Every daemon's /metrics, and the router's table (admin ports as berth dev names them).
  const metricsLine = /^dev +\| metrics .*$/m.exec(dev.output())?.[0] ?? '';
  t.match(metricsLine, /registrator http/, 'berth dev names the admin ports');
  const admins = [
    dev.info.endpoint,
    dev.info.catalog,
    consoleUrl,
    `http://127.0.0.1:${5001 + dev.offset}`,
    `http://127.0.0.1:${privPort + 1}`,
    ...dev.info.hosts.map((h) => new URL(h.agent).origin),
    ...[...metricsLine.matchAll(/\b(?:dns|registrator|router) (http:\/\/[\d.]+:\d+)/g)].map(
      (m) => m[1]!,
    ),
  ];
  let metrics = '';
  for (const url of new Set(admins)) {
    const res = await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(10_000) });
    t.equal(res.status, 200, `${url}/metrics answers`);
    metrics += await res.text();
  }
  const routerAdmin = /\brouter (http:\/\/[\d.]+:\d+)\)/.exec(metricsLine)?.[1];
  const routes = routerAdmin ? await (await fetch(`${routerAdmin}/api/routes`)).text() : '';
  // The event stream, read for the whole run: task state changes of every task.
  events.close();
  t.equal(events.status(), 200, 'the signed event stream was open');
  t.ok(
    Object.values(arns).every((a) => events.text().includes(a)),
    `the stream carried every task's events (${events.types().length} events)`,
  );
  const everything: Record<string, string> = {
    'berth dev logs (every daemon)': dev.output(),
    'berth registry logs': regOut,
    'describe-tasks': JSON.stringify(await describe()),
    'describe-task-definition': JSON.stringify(tds),
    introspection: agentTasks,
    'berth logs': logs.stdout + logs.stderr,
    'ECS list answers': lists,
    'SSM answers without decryption': ssmAnswers,
    'introspection of every agent': introspection,
    'console (registry and task pages)': registryPage + consoleTask,
    'the scheduler events stream': events.text(),
    "every daemon's /metrics and the router's table": metrics + routes,
    KV: kvText,
    'KV (raw answer)': kvRaw,
  };
  for (const [where, text] of Object.entries(everything)) {
    t.notOk(text.includes(SECRET), `the secret is not in ${where}`);
    t.notOk(text.includes(creds.password), `the registry password is not in ${where}`);
    t.notOk(text.includes(`not-${run}`), `the wrong password is not in ${where}`);
    t.notOk(
      keyFile.keys.some((k) => text.includes(k.key)),
      `the secrets key is not in ${where}`,
    );
  }
  t.match(
    kvText,
    new RegExp(`berth/ssm/parameters/h${P}/db-password=.*"value":"berth1:`),
    'in KV, sealed',
  );
});
