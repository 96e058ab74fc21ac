/**
 * The user verbs against a real `berth dev` (1 host, real Docker, every daemon a process):
 * `berth run` + `berth stop`, `berth logs` and `berth logs -f`, and `berth compose
 * up|scale|ps|down` from a docker-compose.yml, with `--json` output and bad input.
 *
 * It must never leave a container or process behind: berth dev's teardown removes what its
 * host started, and every child and wait here is bounded.
 */
import t from 'tap';
import { eventually } from '@berth/daemon/testing';
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  RegisterTaskDefinitionCommand,
} from '@aws-sdk/client-ecs';
import { BERTH, startDev } from './helpers/berth-dev.js';
import { requireDocker } from './helpers/docker.js';
import { ecsFor } from './helpers/e2e.js';

/** A container that says it started, then prints `tick N` twice a second until stopped. */
const TICKER = [
  'echo ticker started',
  "trap 'exit 0' TERM INT",
  'i=0',
  'while true; do echo "tick $i"; i=$((i+1)); sleep 0.5 & wait $!; done',
].join('; ');

const COMPOSE = `
services:
  web:
    image: berth/busybox:test
    ports:
      - "8080"
    environment:
      GREETING: hello-from-web
    labels:
      SERVICE_NAME: verbs-web
      SERVICE_TAGS: urlprefix-/web,verbs
    mem_limit: 64m
  api:
    image: berth/busybox:test
    ports:
      - target: 8080
    environment:
      - GREETING=hello-from-api
    labels:
      SERVICE_NAME: verbs-api
      SERVICE_TAGS: verbs
    mem_reservation: 32m
    restart: always
`;

/** `127.0.0.1:32768->8080/tcp, ...` → the first host address:port. */
function firstHostPort(ports: string): string | undefined {
  return /^(\S+:\d+)->/.exec(ports)?.[1];
}

t.test('berth run/stop/logs/compose against berth dev', async (t) => {
  const docker = await requireDocker(t);
  if (!docker) return;
  const started = Date.now();
  const dev = await startDev(t, ['--hosts', '1']);
  const ecs = await ecsFor(t, dev);
  const instanceId = dev.info.hosts[0]!.instanceId;
  // Running containers of this dev's host with `label=value`. A stopped task's container stays
  // (exited) until the agent's --cleanup-wait (10 min) or berth dev's Ctrl-C removes it, as ECS
  // keeps it: "gone" here means no longer running.
  const hostContainers = async (label: string, value: string) =>
    (
      await docker.listContainers({
        filters: { label: [`berth.instance-id=${instanceId}`, `${label}=${value}`] },
      })
    ).map((c) => c.Id);

  await t.test('run, logs, logs -f, stop', async (t) => {
    await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: 'ticker',
        containerDefinitions: [
          {
            name: 'ticker',
            image: 'berth/busybox:test',
            memory: 32,
            cpu: 16,
            entryPoint: ['sh', '-c'],
            command: [TICKER],
            stopTimeout: 2,
          },
        ],
      }),
    );
    const ran = await dev.berth(['run', 'ticker', '--json', '--timeout', '30'], 45_000);
    t.equal(ran.code, 0, `berth run exits 0 (${ran.stderr.trim()})`);
    const runOut = JSON.parse(ran.stdout) as {
      tasks: string[];
      failures: unknown[];
      running: boolean;
    };
    t.equal(runOut.tasks.length, 1, 'one task started');
    t.same(runOut.failures, [], 'no failures');
    t.equal(runOut.running, true, 'it reached RUNNING');
    const arn = runOut.tasks[0]!;
    const id = arn.split('/').pop()!;

    // Plain logs: what the container printed so far.
    const logs = await eventually(
      'r.code === 0 && /tick \\d+/.test(r.stdout)',
      async () => {
        const r = await dev.berth(['logs', id], 15_000);
        return r.code === 0 && /tick \d+/.test(r.stdout) ? r : undefined;
      },
      { timeoutMs: 15_000, intervalMs: 200 },
    );
    t.equal(logs.code, 0, 'berth logs exits 0');
    t.match(logs.stdout, /^ticker started$/m, 'logs show the first line the container wrote');
    t.match(logs.stdout, /^tick 0$/m, 'and its ticks');

    // logs -f --tail 1: the first line is the tail read after the command started; every
    // further line was written by the container later and must arrive through the follow.
    const follow = spawn(process.execPath, [BERTH, 'logs', id, '-f', '--tail', '1'], {
      env: dev.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let followOut = '';
    let followErr = '';
    follow.stdout.on('data', (d: Buffer) => (followOut += d.toString()));
    follow.stderr.on('data', (d: Buffer) => (followErr += d.toString()));
    const followExit = new Promise<number | null>((resolve) =>
      follow.on('exit', (code) => resolve(code)),
    );
    t.teardown(() => {
      if (follow.exitCode === null && follow.signalCode === null) follow.kill('SIGKILL');
    });
    const ticks = (): number[] =>
      [...followOut.matchAll(/^tick (\d+)$/gm)].map((m) => Number(m[1]));
    const deadline = Date.now() + 15_000;
    while (ticks().length < 3 && Date.now() < deadline && follow.exitCode === null) {
      await new Promise((r) => setTimeout(r, 100));
    }
    follow.kill('SIGINT');
    const killTimer = setTimeout(() => follow.kill('SIGKILL'), 5000);
    const followCode = await followExit;
    clearTimeout(killTimer);
    const seen = ticks();
    t.ok(seen.length >= 3, `logs -f printed new lines (${followOut.trim()} ${followErr.trim()})`);
    t.equal(followOut.split('\n')[0], `tick ${seen[0]}`, '--tail 1 starts with one line');
    t.same(
      seen,
      seen.map((_, i) => seen[0]! + i),
      'followed lines arrive in order, none repeated or lost',
    );
    t.equal(followCode, 0, 'logs -f exits 0 on Ctrl-C');

    const containersBefore = await hostContainers('com.amazonaws.ecs.task-arn', arn);
    t.equal(containersBefore.length, 1, 'the task has one container');

    const stopped = await dev.berth(['stop', id, '--json', '--timeout', '30'], 45_000);
    t.equal(stopped.code, 0, `berth stop exits 0 (${stopped.stderr.trim()})`);
    t.same(JSON.parse(stopped.stdout), { stopped: [arn], done: true }, 'stop --json');
    const described = await ecs.send(
      new DescribeTasksCommand({ cluster: 'default', tasks: [arn] }),
    );
    t.equal(described.tasks?.[0]?.lastStatus, 'STOPPED', 'the task is STOPPED');
    t.match(described.tasks?.[0]?.stoppedReason, /Stopped by berth stop/, 'with the reason');
    const left = await eventually(
      'ids.length === 0',
      async () => {
        const ids = await hostContainers('com.amazonaws.ecs.task-arn', arn);
        return ids.length === 0 ? ids : undefined;
      },
      { timeoutMs: 15_000, intervalMs: 200 },
    );
    t.same(left, [], 'its container no longer runs');
    const exited = await docker.listContainers({
      all: true,
      filters: { label: [`com.amazonaws.ecs.task-arn=${arn}`] },
    });
    t.same(
      exited.map((c) => c.State),
      ['exited'],
      'it exited (the agent removes it after --cleanup-wait)',
    );

    const ps = await dev.berth(['ps', '--all', '--json']);
    t.equal(ps.code, 0, 'berth ps --all --json exits 0');
    const rows = JSON.parse(ps.stdout) as { id: string; status: string }[];
    t.same(
      rows.filter((r) => r.id === id).map((r) => r.status),
      ['STOPPED'],
      'ps --all lists the stopped task',
    );
  });

  await t.test('compose up, scale, ps, down', async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'berth-verbs-'));
    t.teardown(() => rm(dir, { recursive: true, force: true }));
    const folder = join(dir, 'shop');
    await mkdir(folder);
    const file = join(folder, 'docker-compose.yml');
    await writeFile(file, COMPOSE);

    const up = await dev.berth(['compose', '-f', file, 'up', '--timeout', '45'], 60_000);
    t.equal(up.code, 0, `compose up exits 0 (${up.stderr.trim()})`);
    t.match(up.stderr, /created shop-web \(shop-web:\d+\) x1/, 'up says what it created');
    t.match(up.stderr, /warning: services\.api\.restart ignored/, 'and warns about restart');

    for (const [service, greeting, name] of [
      ['web', 'hello-from-web', 'verbs-web'],
      ['api', 'hello-from-api', 'verbs-api'],
    ] as const) {
      const family = `shop-${service}`;
      const td = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: family }));
      const c = td.taskDefinition?.containerDefinitions?.[0];
      t.equal(c?.image, 'berth/busybox:test', `${family}: task definition exists`);
      t.same(c?.environment, [{ name: 'GREETING', value: greeting }], `${family}: environment`);
      t.equal(c?.dockerLabels?.SERVICE_NAME, name, `${family}: labels become dockerLabels`);
      t.equal(c?.portMappings?.[0]?.containerPort, 8080, `${family}: port mapping`);

      const svc = await ecs.send(
        new DescribeServicesCommand({ cluster: 'default', services: [family] }),
      );
      t.equal(svc.services?.[0]?.status, 'ACTIVE', `${family}: service exists`);
      t.equal(svc.services?.[0]?.runningCount, 1, `${family}: one task running`);

      const ps = await dev.berth(['ps', '--service', family, '--json']);
      const rows = JSON.parse(ps.stdout) as { ports: string; status: string }[];
      t.equal(rows.length, 1, `${family}: ps --service lists its task`);
      const hostPort = firstHostPort(rows[0]?.ports ?? '');
      t.ok(hostPort, `${family}: the task has a host port (${rows[0]?.ports})`);
      const res = await fetch(`http://${hostPort}/`, { signal: AbortSignal.timeout(5000) });
      const body = await res.text();
      t.equal(res.status, 200, `${family}: the container answers`);
      t.match(body, `GREETING=${greeting}`, `${family}: with its environment`);

      // The labels reach the registrator: the catalog lists the service under SERVICE_NAME.
      const registered = await eventually(
        'entries.length === 1',
        async () => {
          const entries = await (async () => {
            const r = await fetch(`${dev.info.catalog}/v1/catalog/service/${name}`, {
              headers: dev.catalogHeaders,
              signal: AbortSignal.timeout(5000),
            });
            return (await r.json()) as { ServiceTags?: string[] }[];
          })();
          return entries.length === 1 ? entries : undefined;
        },
        { timeoutMs: 15_000, intervalMs: 200 },
      );
      t.equal(registered.length, 1, `${family}: registered as ${name}`);
      t.ok(registered[0]?.ServiceTags?.includes('verbs'), `${family}: with SERVICE_TAGS`);
    }

    const scaled = await dev.berth(
      ['compose', '-f', file, 'scale', 'web=2', '--json', '--timeout', '45'],
      60_000,
    );
    t.equal(scaled.code, 0, `compose scale exits 0 (${scaled.stderr.trim()})`);
    t.same(JSON.parse(scaled.stdout), { scaled: { 'shop-web': 2 }, running: true }, 'scale --json');
    const webTasks = await hostContainers('com.amazonaws.ecs.task-definition-family', 'shop-web');
    t.equal(webTasks.length, 2, 'two web containers run');

    const psJson = await dev.berth(['compose', '-f', file, 'ps', '--json']);
    t.equal(psJson.code, 0, 'compose ps --json exits 0');
    const psRows = JSON.parse(psJson.stdout) as {
      name: string;
      status: string;
      desired: number;
      running: number;
    }[];
    t.same(
      psRows
        .map((r) => [r.name, r.status, r.desired, r.running])
        .sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
      [
        ['shop-api', 'ACTIVE', 1, 1],
        ['shop-web', 'ACTIVE', 2, 2],
      ],
      'compose ps --json: both services with their counts',
    );
    const psTable = await dev.berth(['compose', '-f', file, 'ps']);
    t.equal(psTable.code, 0, 'compose ps exits 0');
    t.match(psTable.stdout, /^SERVICE\s+STATUS\s+DESIRED\s+RUNNING\s+TASK DEFINITION$/m);
    t.match(psTable.stdout, /^shop-web\s+ACTIVE\s+2\s+2\s+shop-web:\d+$/m, 'ps table row');

    const down = await dev.berth(['compose', '-f', file, 'down', '--json'], 30_000);
    t.equal(down.code, 0, `compose down exits 0 (${down.stderr.trim()})`);
    t.same(JSON.parse(down.stdout), { deleted: ['shop-web', 'shop-api'] }, 'down --json');
    const after = await ecs.send(
      new DescribeServicesCommand({ cluster: 'default', services: ['shop-web', 'shop-api'] }),
    );
    t.same(
      (after.services ?? []).filter((s) => s.status === 'ACTIVE').map((s) => s.serviceName),
      [],
      'no service left ACTIVE',
    );
    for (const family of ['shop-web', 'shop-api']) {
      const left = await eventually(
        'ids.length === 0',
        async () => {
          const ids = await hostContainers('com.amazonaws.ecs.task-definition-family', family);
          return ids.length === 0 ? ids : undefined;
        },
        { timeoutMs: 20_000, intervalMs: 200 },
      );
      t.same(left, [], `${family}: containers gone`);
    }
    const psAfter = await dev.berth(['compose', '-f', file, 'ps', '--json']);
    t.same(
      (JSON.parse(psAfter.stdout) as { status: string }[]).filter((r) => r.status === 'ACTIVE'),
      [],
      'compose ps after down lists no active service',
    );

    // Up again after down: the deleted services' names can be used again.
    const again = await dev.berth(
      ['compose', '-f', file, 'up', '--json', '--timeout', '45'],
      60_000,
    );
    t.equal(again.code, 0, `compose up after down exits 0 (${again.stderr.trim()})`);
    t.same(
      JSON.parse(again.stdout),
      { project: 'shop', services: ['shop-web', 'shop-api'], running: true },
      'up --json (project named after the folder)',
    );
    const downAgain = await dev.berth(['compose', '-f', file, 'down'], 30_000);
    t.equal(downAgain.code, 0, 'compose down again exits 0');
    t.match(downAgain.stderr, /deleted shop-web\ndeleted shop-api/, 'down says what it deleted');

    // Bad input: exit 2 for bad arguments, 1 for failures, each with a message naming it.
    const cases = [
      {
        name: 'missing compose file',
        args: ['compose', '-f', join(dir, 'nope', 'docker-compose.yml'), 'up'],
        want: { code: 1, stderr: /cannot read .*nope\/docker-compose\.yml/ },
      },
      {
        name: 'unknown service in scale',
        args: ['compose', '-f', file, 'scale', 'db=2'],
        want: { code: 2, stderr: /no service db in .*docker-compose\.yml/ },
      },
      {
        name: 'bad count in scale',
        args: ['compose', '-f', file, 'scale', 'web=two'],
        want: { code: 2, stderr: /scale must be a whole number, got 'two'/ },
      },
      {
        name: 'empty count in scale',
        args: ['compose', '-f', file, 'scale', 'web='],
        want: { code: 2, stderr: /scale must be a whole number, got ''/ },
      },
      {
        name: 'run --count 0',
        args: ['run', 'ticker', '--count', '0'],
        want: { code: 2, stderr: /--count must be 1 to 10, got 0/ },
      },
      {
        name: 'unknown compose command',
        args: ['compose', '-f', file, 'restart'],
        want: { code: 2, stderr: /Usage: berth compose/ },
      },
      {
        name: 'stop without a task',
        args: ['stop'],
        want: { code: 2, stderr: /Usage: berth stop TASK/ },
      },
      {
        name: 'logs of an unknown task',
        args: ['logs', '0123456789abcdef0123456789abcdef'],
        want: { code: 1, stderr: /0123456789abcdef0123456789abcdef/ },
      },
      {
        name: 'unknown flag',
        args: ['run', 'ticker', '--bogus'],
        want: { code: 2, stderr: /bogus/ },
      },
    ];
    for (const c of cases) {
      const r = await dev.berth(c.args, 20_000);
      t.equal(r.code, c.want.code, `${c.name}: exit ${c.want.code}`);
      t.match(r.stderr, c.want.stderr, `${c.name}: says what was wrong`);
    }
  });

  t.comment(`verbs test took ${((Date.now() - started) / 1000).toFixed(1)} s`);
});
