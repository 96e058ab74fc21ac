// Issue 8 with real Docker and the test image, driven through the in-memory scheduler:
// a multi-container task (random and fixed ports, links, host and task volumes, a health
// check) checked through the introspection API field by field; essential exit; restart
// policy; bad input; cleanup. All traffic goes to 127.0.0.1; only this run's containers
// (label berth.test=<run id>) are touched.
import { eventually, stays } from '@berth/daemon/testing';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import type { TaskDefinition } from '@berth/protocol';
import { MemoryScheduler } from '../src/testing/index.js';
import { TEST_LABEL } from '../../../test/helpers/docker.js';
import { dockerRig, get } from './docker-helpers.js';
import { IMAGE } from './helpers.js';

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

async function dir(t: { teardown(fn: () => unknown): unknown }): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'berth-agent-docker-'));
  t.teardown(() => rm(d, { recursive: true, force: true }));
  return d;
}

t.test('multi-container task: ports, links, volumes, health check, introspection', async (t) => {
  const rig = await dockerRig(t);
  if (!rig) return;
  const scheduler = new MemoryScheduler('dev');
  const agent = await rig.start(scheduler);
  const inDir = await dir(t);
  const outDir = await dir(t);
  await writeFile(join(inDir, 'hello'), 'hello from the host\n');
  const fixedPort = await freePort();
  const td: TaskDefinition = {
    family: `multi-${rig.runId}`,
    revision: 1,
    volumes: [
      { name: 'shared' },
      { name: 'in', host: { sourcePath: inDir } },
      { name: 'out', host: { sourcePath: outDir } },
    ],
    containerDefinitions: [
      {
        name: 'web',
        image: IMAGE,
        portMappings: [{ containerPort: 8080, hostPort: 0 }],
        healthCheck: {
          command: ['CMD-SHELL', 'wget -q -O /dev/null http://127.0.0.1:8080/ || exit 1'],
          interval: 1,
          timeout: 1,
          retries: 2,
        },
        stopTimeout: 2,
      },
      {
        name: 'fixed',
        image: IMAGE,
        essential: false,
        links: ['web:webhost'],
        portMappings: [{ containerPort: 8080, hostPort: fixedPort }],
        stopTimeout: 2,
      },
      {
        name: 'writer',
        image: IMAGE,
        essential: false,
        command: ['sh', '-c', 'echo from-writer > /shared/x; exec sleep 3600'],
        mountPoints: [{ sourceVolume: 'shared', containerPath: '/shared' }],
        stopTimeout: 1,
      },
      {
        name: 'reader',
        image: IMAGE,
        essential: false,
        command: [
          'sh',
          '-c',
          'while [ ! -f /shared/x ]; do sleep 0.1; done; cp /shared/x /out/x; cp /in/hello /out/hello; exec sleep 3600',
        ],
        mountPoints: [
          { sourceVolume: 'shared', containerPath: '/shared', readOnly: true },
          { sourceVolume: 'in', containerPath: '/in', readOnly: true },
          { sourceVolume: 'out', containerPath: '/out' },
        ],
        stopTimeout: 1,
      },
    ],
  };
  const arn = scheduler.runTask(agent.instanceArn, td);
  const task = await scheduler.waitForStatus(arn, 'RUNNING', 60_000);
  const running = task.reports[0];
  const bindingOf = (name: string) =>
    running?.containers.find((c) => c.containerName === name)?.networkBindings[0];
  const web = bindingOf('web');
  const fixed = bindingOf('fixed');
  t.match(web, { bindIP: '0.0.0.0', containerPort: 8080, protocol: 'tcp' });
  t.ok((web?.hostPort ?? 0) > 0, 'hostPort 0 → Docker picked a port, reported');
  t.same(
    fixed,
    { bindIP: '0.0.0.0', containerPort: 8080, hostPort: fixedPort, protocol: 'tcp' },
    'fixed host port',
  );
  for (const port of [web?.hostPort, fixedPort]) {
    const res = await eventually(
      `HTTP on ${port}`,
      () => get(`http://127.0.0.1:${port}/`).catch(() => undefined),
      { timeoutMs: 15_000 },
    );
    t.equal(res.status, 200, `127.0.0.1:${port} answers`);
  }

  // Links, labels and Docker settings on the real containers.
  const runner = agent.agent.runner(arn);
  const idOf = (name: string) =>
    runner?.containers.find((c) => c.name === name)?.dockerId as string;
  const fixedInfo = await rig.docker.getContainer(idOf('fixed')).inspect();
  t.match(fixedInfo.HostConfig.Links, [/\/ecs-multi-.*-web-.*:\/ecs-multi-.*-fixed-.*\/webhost$/]);
  t.match(fixedInfo.Config.Labels, {
    'com.amazonaws.ecs.cluster': 'dev',
    'com.amazonaws.ecs.task-arn': arn,
    'com.amazonaws.ecs.container-name': 'fixed',
    'com.amazonaws.ecs.task-definition-family': td.family,
    'com.amazonaws.ecs.task-definition-version': '1',
    'berth.instance-id': agent.instanceId,
    [TEST_LABEL]: rig.runId,
  });
  t.equal(fixedInfo.HostConfig.RestartPolicy?.Name, 'no', 'restarts are the agent’s');

  // Volumes: a task volume shared by two containers, a read-only host dir, a writable one.
  await eventually(
    'files copied through the volumes',
    async () => (await readFile(join(outDir, 'hello'), 'utf8').catch(() => '')) !== '',
    { timeoutMs: 15_000 },
  );
  t.equal(
    await readFile(join(outDir, 'x'), 'utf8'),
    'from-writer\n',
    'task volume shared between containers',
  );
  t.equal(
    await readFile(join(outDir, 'hello'), 'utf8'),
    'hello from the host\n',
    'host sourcePath mounted',
  );
  const taskId = arn.split('/').pop() as string;
  const vol = await rig.docker.getVolume(`ecs-${taskId}-shared`).inspect();
  t.equal(
    vol.Labels?.['com.amazonaws.ecs.task-arn'],
    arn,
    'task volume named after the task, labelled',
  );

  // Introspection, field by field.
  const meta = await get(`${agent.url}/v1/metadata`);
  t.equal(meta.status, 200);
  t.same(JSON.parse(meta.body), {
    Cluster: 'dev',
    ContainerInstanceArn: agent.instanceArn,
    Version: 'berth Agent - v0.1.0 (berth)',
  });
  await eventually(
    'health check passes',
    async () => {
      const one = JSON.parse(
        (await get(`${agent.url}/v1/tasks?taskarn=${encodeURIComponent(arn)}`)).body,
      ) as {
        Containers: { Name: string; Health?: { status: string } }[];
      };
      return one.Containers.find((c) => c.Name === 'web')?.Health?.status === 'HEALTHY';
    },
    { timeoutMs: 15_000 },
  );
  const all = JSON.parse((await get(`${agent.url}/v1/tasks`)).body) as {
    Tasks: Record<string, unknown>[];
  };
  t.equal(all.Tasks.length, 1);
  const v1 = all.Tasks[0] as {
    Arn: string;
    DesiredStatus: string;
    KnownStatus: string;
    Family: string;
    Version: string;
    Containers: {
      DockerId: string;
      DockerName: string;
      Name: string;
      Ports?: unknown[];
      Volumes?: unknown[];
    }[];
  };
  t.same(Object.keys(v1), [
    'Arn',
    'DesiredStatus',
    'KnownStatus',
    'Family',
    'Version',
    'Containers',
  ]);
  t.equal(v1.Arn, arn);
  t.equal(v1.DesiredStatus, 'RUNNING');
  t.equal(v1.KnownStatus, 'RUNNING');
  t.equal(v1.Family, td.family);
  t.equal(v1.Version, '1');
  t.same(
    v1.Containers.map((c) => c.Name),
    ['web', 'fixed', 'writer', 'reader'],
  );
  for (const c of v1.Containers) {
    t.match(c.DockerId, /^[0-9a-f]{64}$/, `${c.Name} DockerId`);
    t.match(
      c.DockerName,
      new RegExp(`^ecs-multi-.*-1-${c.Name}-${taskId}$`),
      `${c.Name} DockerName`,
    );
  }
  const webV1 = v1.Containers[0];
  t.same(webV1?.Ports, [
    { ContainerPort: 8080, Protocol: 'tcp', HostPort: web?.hostPort, HostIp: '0.0.0.0' },
  ]);
  t.notOk('Ports' in (v1.Containers[2] ?? {}), 'no Ports when none are published');
  const volumes = [...((v1.Containers[3]?.Volumes ?? []) as { Destination: string }[])].sort(
    (x, y) => x.Destination.localeCompare(y.Destination),
  );
  t.match(volumes, [
    { Source: inDir, Destination: '/in' },
    { Source: outDir, Destination: '/out' },
    { DockerName: `ecs-${taskId}-shared`, Destination: '/shared' },
  ]);
  const fullId = webV1?.DockerId as string;
  const byArn = await get(`${agent.url}/v1/tasks?taskarn=${encodeURIComponent(arn)}`);
  const byId = await get(`${agent.url}/v1/tasks?dockerid=${fullId}`);
  const byShort = await get(`${agent.url}/v1/tasks?dockerid=${fullId.slice(0, 12)}`);
  for (const [name, r] of [
    ['taskarn', byArn],
    ['dockerid', byId],
    ['12-char dockerid', byShort],
  ] as const) {
    t.equal(r.status, 200, `${name}: 200`);
    t.equal((JSON.parse(r.body) as { Arn: string }).Arn, arn, `${name}: the task`);
  }
  const both = await get(
    `${agent.url}/v1/tasks?taskarn=${encodeURIComponent(arn)}&dockerid=${fullId}`,
  );
  t.equal(both.status, 400, 'both parameters → 400');
  const unknownArn = await get(`${agent.url}/v1/tasks?taskarn=arn:nope`);
  t.equal(unknownArn.status, 404);
  t.same(JSON.parse(unknownArn.body), {
    Arn: '',
    KnownStatus: '',
    Family: '',
    Version: '',
    Containers: null,
  });
  t.equal(
    (await get(`${agent.url}/v1/tasks?dockerid=${'f'.repeat(64)}`)).status,
    404,
    'unknown dockerid → 404',
  );
  const logs = await get(`${agent.url}/v1/tasks/${taskId}/logs?container=web&tail=5`);
  t.equal(logs.status, 200);
  t.match(logs.body, /berth-httpd: .* listening on :8080/);
  t.equal(
    (await get(`${agent.url}/v1/tasks/${taskId}/logs`)).status,
    400,
    'several containers: name one',
  );
  t.equal((await get(`${agent.url}/v1/tasks/nope/logs`)).status, 404);
  const health = await get(`${agent.url}/health`);
  t.equal(health.status, 200);
  t.equal((JSON.parse(health.body) as { status: string }).status, 'ok');
  t.match((await get(`${agent.url}/metrics`)).body, /berth_agent_tasks\{state="RUNNING"[^}]*\} 1/);

  scheduler.stopTask(arn, 'Task stopped by user');
  const stopped = await scheduler.waitForStatus(arn, 'STOPPED', 30_000);
  t.equal(stopped.reports.at(-1)?.reason, 'Task stopped by user');
  t.ok(
    stopped.reports
      .at(-1)
      ?.containers.every((c) => c.status === 'STOPPED' && typeof c.exitCode === 'number'),
  );
  const after = JSON.parse(
    (await get(`${agent.url}/v1/tasks?taskarn=${encodeURIComponent(arn)}`)).body,
  ) as {
    DesiredStatus: string;
    KnownStatus: string;
  };
  t.same([after.DesiredStatus, after.KnownStatus], ['STOPPED', 'STOPPED']);
});

t.test('essential exit stops the task; restart policy restarts a container', async (t) => {
  const rig = await dockerRig(t);
  if (!rig) return;
  const scheduler = new MemoryScheduler('dev');
  const agent = await rig.start(scheduler);
  const exits = scheduler.runTask(agent.instanceArn, {
    family: `exit-${rig.runId}`,
    revision: 1,
    containerDefinitions: [
      { name: 'main', image: IMAGE, command: ['sh', '-c', 'sleep 1; exit 3'] },
      { name: 'side', image: IMAGE, essential: false, command: ['sleep', '3600'], stopTimeout: 1 },
    ],
  });
  const restarts = scheduler.runTask(agent.instanceArn, {
    family: `restart-${rig.runId}`,
    revision: 1,
    containerDefinitions: [
      {
        name: 'flaky',
        image: IMAGE,
        command: ['sh', '-c', 'sleep 0.7; exit 1'],
        restartPolicy: { enabled: true, restartAttemptPeriod: 0.5 },
      },
    ],
  });
  const stopped = await scheduler.waitForStatus(exits, 'STOPPED', 30_000);
  const last = stopped.reports.at(-1);
  t.equal(last?.reason, 'Essential container in task exited');
  t.match(last?.containers, [
    { containerName: 'main', status: 'STOPPED', exitCode: 3 },
    { containerName: 'side', status: 'STOPPED' },
  ]);
  t.same(
    stopped.reports.map((r) => r.status),
    ['RUNNING', 'STOPPED'],
  );

  await scheduler.waitForStatus(restarts, 'RUNNING', 30_000);
  const rec = agent.agent.runner(restarts)?.containers[0];
  await eventually('restarted twice', () => (rec?.restarts ?? 0) >= 2, { timeoutMs: 20_000 });
  t.equal(scheduler.tasks.get(restarts)?.lastStatus, 'RUNNING', 'still RUNNING across restarts');
  t.ok((scheduler.tasks.get(restarts)?.containerReports.length ?? 0) >= 2, 'each restart reported');
  const info = await rig.docker.getContainer(rec?.dockerId as string).inspect();
  t.equal(info.RestartCount, 0, 'Docker did not restart it: the agent did');
  scheduler.stopTask(restarts);
  await scheduler.waitForStatus(restarts, 'STOPPED', 30_000);
  const n = rec?.restarts;
  await stays('no restart once the task is stopping', () => rec?.restarts === n, {
    periodMs: 1200,
  }).catch(() => {});
  t.equal(rec?.restarts, n, 'no restart once the task is stopping');
});

t.test('bad input: each bad task is STOPPED with a clear reason, the rest run', async (t) => {
  const rig = await dockerRig(t);
  if (!rig) return;
  const scheduler = new MemoryScheduler('dev');
  const agent = await rig.start(scheduler);
  const busy = createServer();
  await new Promise<void>((r) => busy.listen(0, '0.0.0.0', r));
  t.teardown(() => new Promise<void>((r) => busy.close(() => r())));
  const taken = (busy.address() as AddressInfo).port;
  const task = (name: string, c: Record<string, unknown>): TaskDefinition => ({
    family: `${name}-${rig.runId}`,
    revision: 1,
    containerDefinitions: [{ name: 'c', image: IMAGE, stopTimeout: 1, ...c }],
  });
  const good = scheduler.runTask(
    agent.instanceArn,
    task('good', { portMappings: [{ containerPort: 8080 }] }),
  );
  const badName = scheduler.runTask(agent.instanceArn, task('badname', { image: 'Bad Image!!' }));
  const missing = scheduler.runTask(
    agent.instanceArn,
    task('missing', { image: `berth/missing-${rig.runId}:x` }),
  );
  const port = scheduler.runTask(
    agent.instanceArn,
    task('port', { portMappings: [{ containerPort: 8080, hostPort: taken }] }),
  );
  const mount = scheduler.runTask(agent.instanceArn, {
    ...task('mount', { mountPoints: [{ sourceVolume: 'v', containerPath: 'relative/path' }] }),
    volumes: [{ name: 'v' }],
  });
  const reason = async (arn: string) =>
    (await scheduler.waitForStatus(arn, 'STOPPED', 30_000)).reports.at(-1)?.reason;
  t.match(await reason(badName), /^CannotPullContainerError: .*invalid reference format/);
  t.match(await reason(missing), /^CannotPullContainerError: /);
  t.match(
    await reason(port),
    new RegExp(`^CannotStartContainerError: .*${taken}.*(already in use|already allocated)`),
  );
  t.match(
    await reason(mount),
    /^CannotCreateContainerError: containerDefinitions\[c\]\.mountPoints\[0\]\.containerPath: "relative\/path" is not an absolute path/,
  );
  await scheduler.waitForStatus(good, 'RUNNING', 30_000);
  t.equal(scheduler.tasks.get(good)?.lastStatus, 'RUNNING', 'the good task runs');
  const stray = await rig.docker.listContainers({
    filters: { label: [`com.amazonaws.ecs.task-arn=${port}`] },
  });
  t.equal(stray.length, 0, 'the failed task left no running container');
  t.equal(agent.health.status, 'ok', 'the agent keeps running, healthy');
});

t.test('cleanup: stopped tasks are removed after --cleanup-wait, oldest first', async (t) => {
  const rig = await dockerRig(t);
  if (!rig) return;
  const scheduler = new MemoryScheduler('dev');
  const agent = await rig.start(scheduler, { cleanupWait: 0 });
  const arns = [1, 2].map((i) =>
    scheduler.runTask(agent.instanceArn, {
      family: `clean${i}-${rig.runId}`,
      revision: 1,
      volumes: [{ name: 'scratch' }],
      containerDefinitions: [
        {
          name: 'c',
          image: IMAGE,
          stopTimeout: 1,
          mountPoints: [{ sourceVolume: 'scratch', containerPath: '/scratch' }],
        },
      ],
    }),
  );
  for (const arn of arns) await scheduler.waitForStatus(arn, 'RUNNING', 30_000);
  for (const arn of [...arns].reverse()) {
    scheduler.stopTask(arn);
    await scheduler.waitForStatus(arn, 'STOPPED', 30_000);
    await eventually('acknowledged', () => agent.agent.runner(arn)?.acked === 'STOPPED', {
      timeoutMs: 15_000,
    });
  }
  const mine = () =>
    rig.docker.listContainers({ all: true, filters: { label: [`${TEST_LABEL}=${rig.runId}`] } });
  t.equal((await mine()).length, 2, 'stopped containers are still there');
  const order: string[] = [];
  agent.agent.on('cleanup', (arn) => order.push(arn));
  await agent.agent.housekeeping();
  t.same(order, [arns[1], arns[0]], 'oldest stop first');
  t.equal((await mine()).length, 0, 'containers removed');
  const { Volumes } = await rig.docker.listVolumes({
    filters: { label: [`${TEST_LABEL}=${rig.runId}`] },
  });
  t.equal(Volumes?.length ?? 0, 0, 'task volumes removed');
});
