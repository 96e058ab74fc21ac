/**
 * The suite end to end across 3 simulated hosts: `berth dev --hosts 3` (every daemon its own
 * process, real Docker), driven like a user through the ECS API, `berth` verbs, `dig` and
 * HTTP through the router. Bounded: the whole file stays under ~3 minutes.
 */
import t from 'tap';
import { eventually } from '@berth/daemon/testing';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateServiceCommand,
  type CreateServiceCommandInput,
  DescribeServicesCommand,
  DescribeTasksCommand,
  type ECSClient,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import { requireDocker } from './helpers/docker.js';
import { BERTH, type RunningDev, startDev } from './helpers/berth-dev.js';
import {
  type TaskOnHost,
  containers,
  ecsFor,
  HELLO_HEALTH_CHECK,
  helloTaskDef,
  hits,
  srv as srvAt,
  tasksOnHosts,
} from './helpers/e2e.js';
import { agentPulls, pushTestImage, registryTags, withImage } from './helpers/registry.js';

const srv = (host: string, port: string): Promise<string[]> => srvAt(host, port);

t.test('3 hosts: service, DNS, router, verbs, container loss, RESOURCE:CPU', async (t) => {
  const docker = await requireDocker(t);
  if (!docker) return;
  const dev = await startDev(t, ['--hosts', '3']);
  t.equal(dev.info.hosts.length, 3, 'three simulated hosts');
  t.same(
    dev.info.hosts.map((h) => h.ip),
    ['127.0.0.2', '127.0.0.3', '127.0.0.4'],
    'each on its own loopback address',
  );
  const ecs = await ecsFor(t, dev);
  // The tasks run the test image from the dev registry, untagged locally: the agents pull it.
  const pushed = await pushTestImage(t, dev);
  if (pushed) t.same(await registryTags(pushed), ['test'], `pushed ${pushed.ref}`);
  const image = pushed?.ref ?? 'berth/busybox:test';

  const ps0 = await dev.berth(['ps', '--json']);
  t.equal(ps0.code, 0, `berth ps works on an empty cluster ${ps0.stderr}`);

  await ecs.send(
    new RegisterTaskDefinitionCommand({
      family: 'hello',
      containerDefinitions: [
        {
          name: 'hello',
          image,
          cpu: 64,
          memory: 64,
          portMappings: [{ containerPort: 8080, hostPort: 0 }],
          environment: [
            { name: 'SERVICE_NAME', value: 'hello' },
            { name: 'SERVICE_TAGS', value: 'urlprefix-/hello' },
            { name: 'SERVICE_CHECK_HTTP', value: '/health' },
            { name: 'SERVICE_CHECK_INTERVAL', value: '1s' },
          ],
        },
      ],
    }),
  );
  await ecs.send(
    new CreateServiceCommand({
      cluster: 'default',
      serviceName: 'hello',
      taskDefinition: 'hello',
      desiredCount: 3,
    }),
  );
  const router = `${dev.info.hosts[0]!.router}/hello`;
  const spread = await eventually(
    '[...m.keys()].filter((k) => !/error|status|\\?/.test(k)).length === 3',
    async () => {
      const m = await hits(router, 30);
      return [...m.keys()].filter((k) => !/error|status|\?/.test(k)).length === 3 ? m : undefined;
    },
    { timeoutMs: 45_000, intervalMs: 200 },
  );
  const hostnames = [...spread.keys()].filter((k) => !/error|status|\?/.test(k));
  t.equal(
    hostnames.length,
    3,
    `the router spreads over 3 containers: ${JSON.stringify([...spread])}`,
  );

  const [dnsHost, dnsPort] = dev.info.hosts[1]!.dns.split(':') as [string, string];
  const answers = await eventually(
    'a.length === 3',
    async () => {
      const a = await srv(dnsHost, dnsPort);
      return a.length === 3 ? a : undefined;
    },
    { timeoutMs: 10_000, intervalMs: 200 },
  );
  t.equal(answers.length, 3, 'DNS (on host 2) answers the 3 instances');
  const firsts = new Set<string>();
  for (let i = 0; i < 8; i++) firsts.add((await srv(dnsHost, dnsPort))[0] ?? '');
  t.ok(firsts.size > 1, `answers are rotated (${firsts.size} different first records)`);
  if (pushed) {
    const hello = await tasksOnHosts(ecs, 'hello');
    const pulls = (await agentPulls(dev)).filter((p) => p.image === pushed.ref);
    t.same(
      hello.map((x) => pulls.find((p) => p.taskArn === x.arn)?.status).sort(),
      ['Pulled', 'Pulled', 'Pulled'],
      `every agent pulled ${pushed.ref} for its task: ${JSON.stringify(pulls)}`,
    );
    // The three simulated hosts share one dockerd, which joins concurrent pulls of one image:
    // the layer download is seen whole by at least one of them, the others may find it done.
    t.ok(
      pulls.some((p) => p.layers.Total >= 1 && p.layers.Done === p.layers.Total),
      `a pull went through the image layers (the run's own layer was not on the host): ${JSON.stringify(pulls)}`,
    );
    const { tasks: described = [] } = await ecs.send(
      new DescribeTasksCommand({ cluster: 'default', tasks: hello.map((x) => x.arn) }),
    );
    t.ok(
      described.every((x) => x.pullStartedAt && x.pullStoppedAt),
      'describe-tasks: pullStartedAt and pullStoppedAt on each',
    );
  }

  const ps = await dev.berth(['ps', '--json']);
  const rows = JSON.parse(ps.stdout) as {
    id: string;
    status: string;
    ports: string;
    host: string;
  }[];
  t.equal(rows.filter((r) => r.status === 'RUNNING').length, 3, 'berth ps: 3 running tasks');
  t.ok(
    rows.every((r) => /^127\.0\.0\.[234]:\d+->8080\/tcp$/.test(r.ports)),
    'with host ports',
  );
  const table = await dev.berth(['ps']);
  t.match(table.stdout, /^TASK\s+TASK DEFINITION\s+STATUS/m, 'a table for people');
  const services = await dev.berth(['services', '--json']);
  t.match(services.stdout, /"name": "hello"/, 'berth services lists hello');
  const logs = await dev.berth(['logs', rows[0]!.id, '--tail', '5']);
  t.equal(logs.code, 0, `berth logs reads through the agent ${logs.stderr}`);

  // Kill one container: within 5 s neither DNS nor the router send to it; a replacement comes.
  const ours = new Set(dev.info.hosts.map((h) => h.instanceId));
  const victim = (
    await docker.listContainers({
      filters: { label: ['com.amazonaws.ecs.task-definition-family=hello'] },
    })
  ).find((c) => ours.has(c.Labels['berth.instance-id'] ?? ''))!;
  const victimHost = victim.Id.slice(0, 12);
  const binding = victim.Ports.find((p) => p.PrivatePort === 8080)!;
  const victimPort = String(binding.PublicPort);
  // SRV targets name the address: 127.0.0.3 -> 7f000003.addr.dc1.consul.
  const hex = (binding.IP ?? '')
    .split('.')
    .map((o) => Number(o).toString(16).padStart(2, '0'))
    .join('');
  const isVictim = (line: string): boolean => line.includes(` ${victimPort} ${hex}.`);
  const killedAt = Date.now();
  await docker.getContainer(victim.Id).kill();
  const gone = await eventually(
    '!v.dns.some(isVictim) && !v.router.has(victimHost)',
    async () => {
      const v = { dns: await srv(dnsHost, dnsPort), router: await hits(router, 6) };
      return !v.dns.some(isVictim) && !v.router.has(victimHost) ? v : undefined;
    },
    { timeoutMs: 5000, intervalMs: 200 },
  );
  const goneMs = Date.now() - killedAt;
  t.notOk(
    gone.dns.some(isVictim),
    `DNS dropped it (${goneMs} ms): ${gone.dns.join(' | ')} vs ${hex}:${victimPort}`,
  );
  t.notOk(gone.router.has(victimHost), 'the router stopped sending to it');
  const after = await eventually(
    '[...m.keys()].filter((k) => !/error|status|\\?/.test(k) && k !== victimHost).length === 3',
    async () => {
      const m = await hits(router, 30);
      return [...m.keys()].filter((k) => !/error|status|\?/.test(k) && k !== victimHost).length ===
        3
        ? m
        : undefined;
    },
    { timeoutMs: 30_000, intervalMs: 200 },
  );
  t.equal(
    [...after.keys()].filter((k) => !/error|status|\?/.test(k) && k !== victimHost).length,
    3,
    'a replacement became routable',
  );
  const running = await ecs.send(
    new ListTasksCommand({ cluster: 'default', serviceName: 'hello' }),
  );
  t.equal(running.taskArns?.length, 3, 'the service is back at 3 tasks');

  // More CPU than any host has.
  await ecs.send(
    new RegisterTaskDefinitionCommand({
      family: 'huge',
      containerDefinitions: [
        { name: 'huge', image: 'berth/busybox:test', cpu: 100_000, memory: 16 },
      ],
    }),
  );
  const huge = await dev.berth(['run', 'huge', '--count', '2']);
  t.equal(huge.code, 1, 'berth run exits 1');
  t.match(huge.stderr, /RESOURCE:CPU/, 'failures name RESOURCE:CPU');
  t.same(await dev.refusedCalls(), new Map(), 'every daemon token sufficed (issue 17)');

  t.equal(await dev.stop(), 0, 'Ctrl-C exits 0');
  t.match(dev.output(), /removed containers: ecs-hello/, 'says what it removed');
  const left = await docker.listContainers({
    all: true,
    filters: { label: ['com.amazonaws.ecs.task-definition-family=hello'] },
  });
  t.equal(
    left.filter((c) => ours.has(c.Labels['berth.instance-id'] ?? '')).length,
    0,
    'no task container of this dev left',
  );
});

/** Creates service `hello` (3 tasks) and waits until the router on host 1 reaches 3 containers. */
async function helloService(
  ecs: ECSClient,
  dev: RunningDev,
  extra: Partial<CreateServiceCommandInput> = {},
  taskDefinition = helloTaskDef(),
): Promise<string[]> {
  await ecs.send(new RegisterTaskDefinitionCommand(taskDefinition));
  await ecs.send(
    new CreateServiceCommand({
      cluster: 'default',
      serviceName: 'hello',
      taskDefinition: 'hello',
      desiredCount: 3,
      ...extra,
    }),
  );
  const m = await eventually(
    'containers(v).length === 3',
    async () => {
      const v = await hits(`${dev.info.hosts[0]!.router}/hello`, 20);
      return containers(v).length === 3 ? v : undefined;
    },
    { timeoutMs: 45_000, intervalMs: 200 },
  );
  return containers(m);
}

t.test('stop one host agent: its tasks run elsewhere after the grace period', async (t) => {
  if (!(await requireDocker(t))) return;
  const dev = await startDev(t, ['--hosts', '3', '--agent-grace', '2s', '--lost-after', '4s']);
  const ecs = await ecsFor(t, dev);
  const image = (await pushTestImage(t, dev))?.ref;
  t.equal(
    (await helloService(ecs, dev, {}, withImage(helloTaskDef(), image))).length,
    3,
    'hello routable: 3 containers',
  );
  const before = await tasksOnHosts(ecs, 'hello');
  const h2 = dev.info.hosts[1]!.instanceId;
  const lost = before.filter((x) => x.host === h2).map((x) => x.arn);
  t.ok(lost.length >= 1, `a task runs on h2 (${before.map((x) => x.host).join(', ')})`);

  const stopped = await dev.control('POST', '/daemons/agent@h2/stop');
  t.equal(stopped.status, 200, 'the control endpoint stops agent@h2');
  const t0 = Date.now();
  const after = await eventually(
    "v.length === 3 && v.every((x) => x.status === 'RUNNING' && x.host !== h2 && x.host !== '?')",
    async () => {
      const v = await tasksOnHosts(ecs, 'hello');
      return v.length === 3 &&
        v.every((x) => x.status === 'RUNNING' && x.host !== h2 && x.host !== '?')
        ? v
        : undefined;
    },
    { timeoutMs: 30_000, intervalMs: 200 },
  );
  t.same(
    after.map((x) => x.status),
    ['RUNNING', 'RUNNING', 'RUNNING'],
    `3 tasks running again after ${Date.now() - t0} ms`,
  );
  t.notOk(
    after.some((x) => x.host === h2),
    `none on h2: ${after.map((x) => x.host).join(', ')}`,
  );
  t.notOk(
    after.some((x) => lost.includes(x.arn)),
    'the lost tasks were replaced, not kept',
  );
  const ps = JSON.parse((await dev.berth(['ps', '--json'])).stdout) as { host: string }[];
  t.notOk(
    ps.some((r) => r.host === h2),
    'berth ps shows nothing running on h2',
  );
});

t.test('DAEMON service: one task per host, a host added later gets one', async (t) => {
  if (!(await requireDocker(t))) return;
  const dev = await startDev(t, ['--hosts', '3']);
  const ecs = await ecsFor(t, dev);
  const image = (await pushTestImage(t, dev))?.ref;
  await ecs.send(new RegisterTaskDefinitionCommand(withImage(helloTaskDef(), image)));
  await ecs.send(
    new CreateServiceCommand({
      cluster: 'default',
      serviceName: 'hello',
      taskDefinition: 'hello',
      schedulingStrategy: 'DAEMON',
    }),
  );
  const perHost = (v: TaskOnHost[]): string[] =>
    v
      .filter((x) => x.status === 'RUNNING')
      .map((x) => x.host)
      .sort();
  const ids = dev.info.hosts.map((h) => h.instanceId).sort();
  const three = await eventually(
    'JSON.stringify(perHost(v)) === JSON.stringify(ids)',
    async () => {
      const v = await tasksOnHosts(ecs, 'hello');
      return JSON.stringify(perHost(v)) === JSON.stringify(ids) ? v : undefined;
    },
    { timeoutMs: 45_000, intervalMs: 200 },
  );
  t.same(perHost(three), ids, 'exactly one RUNNING task on each of the 3 hosts');

  const added = await dev.control('POST', '/hosts');
  t.equal(added.status, 201, `a 4th host joins: ${JSON.stringify(added.body)}`);
  const info = await dev.reread();
  t.equal(info.hosts.length, 4, 'dev.json lists 4 hosts');
  t.equal(info.hosts[3]!.ip, '127.0.0.5', 'on the next loopback address');
  const four = info.hosts.map((h) => h.instanceId).sort();
  const after = await eventually(
    'JSON.stringify(perHost(v)) === JSON.stringify(four)',
    async () => {
      const v = await tasksOnHosts(ecs, 'hello');
      return JSON.stringify(perHost(v)) === JSON.stringify(four) ? v : undefined;
    },
    { timeoutMs: 45_000, intervalMs: 200 },
  );
  t.same(perHost(after), four, 'the added host got exactly one task; the others kept theirs');
  const routed = await eventually(
    'containers(m).length === 4',
    async () => {
      const m = await hits(`${info.hosts[3]!.router}/hello`, 24);
      return containers(m).length === 4 ? m : undefined;
    },
    { timeoutMs: 30_000, intervalMs: 200 },
  );
  t.equal(containers(routed).length, 4, "the new host's router reaches all 4 containers");
  t.same(await dev.refusedCalls(), new Map(), "the added host's daemons got tokens (issue 17)");
});

t.test(
  'rolling update under a bounded client loop through the router: zero failures',
  async (t) => {
    if (!(await requireDocker(t))) return;
    const dev = await startDev(t, ['--hosts', '3']);
    const ecs = await ecsFor(t, dev);
    // With a container health check the deployment waits for HEALTHY, and the registrator
    // mirrors the same Docker health into Consul: new tasks are routable before old ones stop.
    const healthCheck = HELLO_HEALTH_CHECK;
    const image = (await pushTestImage(t, dev))?.ref;
    const first = await helloService(
      ecs,
      dev,
      { deploymentConfiguration: { minimumHealthyPercent: 100, maximumPercent: 200 } },
      withImage(helloTaskDef('hello', {}, { healthCheck }), image),
    );
    t.equal(first.length, 3, 'revision 1 routable: 3 containers');
    const rev2 = await ecs.send(
      new RegisterTaskDefinitionCommand(
        withImage(helloTaskDef('hello', { VERSION: '2' }, { healthCheck }), image),
      ),
    );
    const rev2Arn = rev2.taskDefinition!.taskDefinitionArn!;
    const router = `${dev.info.hosts[2]!.router}/hello`;
    let ok = 0;
    const failures: string[] = [];
    const seen = new Set<string>();
    let done = false;
    const one = async (): Promise<void> => {
      try {
        const res = await fetch(router, { signal: AbortSignal.timeout(3000) });
        await res.arrayBuffer();
        if (res.status === 200) {
          ok++;
          seen.add(res.headers.get('x-berth-hostname') ?? '?');
        } else failures.push(`status ${res.status}`);
      } catch (err) {
        failures.push((err as Error).message);
      }
    };
    // 2 requests every 50 ms until the deployment is done, at most 60 s.
    const loop = (async () => {
      const deadline = Date.now() + 60_000;
      while (!done && Date.now() < deadline) {
        await Promise.all([one(), one(), new Promise((r) => setTimeout(r, 50))]);
      }
    })();
    const started = Date.now();
    await ecs.send(
      new UpdateServiceCommand({ cluster: 'default', service: 'hello', taskDefinition: rev2Arn }),
    );
    const settled = await eventually(
      "v.deployments.length === 1 && v.tasks.length === 3 && v.tasks.every((x) => x.taskDefinitionArn === rev2Arn && x.status === 'RUNNING')",
      async () => {
        const v = await (async () => {
          const { services = [] } = await ecs.send(
            new DescribeServicesCommand({ cluster: 'default', services: ['hello'] }),
          );
          const tasks = await tasksOnHosts(ecs, 'hello');
          return { deployments: services[0]?.deployments ?? [], tasks };
        })();
        return v.deployments.length === 1 &&
          v.tasks.length === 3 &&
          v.tasks.every((x) => x.taskDefinitionArn === rev2Arn && x.status === 'RUNNING')
          ? v
          : undefined;
      },
      { timeoutMs: 55_000, intervalMs: 200 },
    );
    // Let the loop see the final set for a moment, then stop it.
    const routed = await eventually(
      'containers(m).length === 3 && containers(m).every((h) => !first.includes(h))',
      async () => {
        const m = await hits(router, 20);
        return containers(m).length === 3 && containers(m).every((h) => !first.includes(h))
          ? m
          : undefined;
      },
      { timeoutMs: 15_000, intervalMs: 200 },
    );
    done = true;
    await loop;
    t.equal(settled.deployments.length, 1, `one deployment left after ${Date.now() - started} ms`);
    t.ok(
      settled.tasks.length === 3 && settled.tasks.every((x) => x.taskDefinitionArn === rev2Arn),
      '3 tasks of revision 2',
    );
    t.same(
      containers(routed).filter((h) => first.includes(h)),
      [],
      'the router answers only from the new containers',
    );
    t.ok(ok > 20, `the client loop made ${ok} good requests over ${seen.size} containers`);
    t.same(failures, [], 'zero failed requests during the rolling update');
    t.same(await dev.refusedCalls(), new Map(), 'every daemon token sufficed (issue 17)');
  },
);

t.test('restart the catalog with --data-dir: everything recovers', async (t) => {
  if (!(await requireDocker(t))) return;
  const dataDir = await mkdtemp(join(tmpdir(), 'berth-e2e-data-'));
  t.teardown(() => rm(dataDir, { recursive: true, force: true }));
  const dev = await startDev(t, ['--hosts', '3', '--data-dir', dataDir]);
  const ecs = await ecsFor(t, dev);
  const image = (await pushTestImage(t, dev))?.ref;
  const first = await helloService(ecs, dev, {}, withImage(helloTaskDef(), image));
  t.equal(first.length, 3, 'hello routable before');
  const [dnsHost, dnsPort] = dev.info.hosts[1]!.dns.split(':') as [string, string];
  t.equal(
    (
      await eventually(
        'a.length === 3',
        async () => {
          const a = await srv(dnsHost, dnsPort);
          return a.length === 3 ? a : undefined;
        },
        { timeoutMs: 10_000, intervalMs: 200 },
      )
    ).length,
    3,
    'DNS answers 3 before',
  );

  const restarted = await dev.control('POST', '/daemons/catalog/restart');
  t.equal(restarted.status, 200, 'the catalog restarted (same --data-dir)');
  const t0 = Date.now();
  const dns = await eventually(
    'a.length === 3',
    async () => {
      const a = await srv(dnsHost, dnsPort);
      return a.length === 3 ? a : undefined;
    },
    { timeoutMs: 40_000, intervalMs: 200 },
  );
  t.equal(dns.length, 3, `DNS answers the 3 instances again (${Date.now() - t0} ms)`);
  const routed = await eventually(
    "containers(m).length === 3 && !m.has('error')",
    async () => {
      const m = await hits(`${dev.info.hosts[0]!.router}/hello`, 20);
      return containers(m).length === 3 && !m.has('error') ? m : undefined;
    },
    { timeoutMs: 40_000, intervalMs: 200 },
  );
  t.same(containers(routed).sort(), [...first].sort(), 'the router reaches the same 3 containers');
  const catalog = await eventually(
    'v.length === 3',
    async () => {
      const v = await (async () => {
        const res = await fetch(`${dev.info.catalog}/v1/catalog/service/hello`, {
          headers: dev.catalogHeaders,
        });
        return (await res.json()) as unknown[];
      })();
      return v.length === 3 ? v : undefined;
    },
    { timeoutMs: 40_000, intervalMs: 200 },
  );
  t.equal(catalog.length, 3, 'the 3 registrations are in the catalog');
  const { services = [] } = await ecs.send(
    new DescribeServicesCommand({ cluster: 'default', services: ['hello'] }),
  );
  t.equal(services[0]?.status, 'ACTIVE', 'the scheduler kept service hello');
  t.equal(services[0]?.runningCount, 3, 'with its 3 running tasks');
  const tasks = await tasksOnHosts(ecs, 'hello');
  t.equal(tasks.length, 3, 'no task was replaced or added');
});

t.test(
  'a host-network task resolves hello.service.consul through a berth dns on :53',
  async (t) => {
    const docker = await requireDocker(t);
    if (!docker) return;
    const dev = await startDev(t, ['--hosts', '3']);
    const ecs = await ecsFor(t, dev);
    const image = (await pushTestImage(t, dev))?.ref ?? 'berth/busybox:test';
    t.equal(
      (await helloService(ecs, dev, {}, withImage(helloTaskDef(), image))).length,
      3,
      'hello routable',
    );
    // A berth dns on a loopback address at port 53, its own process.
    const dnsIp = '127.0.0.153';
    const dns = spawn(
      process.execPath,
      [
        BERTH,
        'dns',
        '--consul',
        dev.info.catalog,
        '--listen',
        `${dnsIp}:53`,
        '--admin',
        `${dnsIp}:${8611 + dev.offset}`,
      ],
      // ACLs are on: this dns reads the catalog with a token (in its environment).
      {
        stdio: ['ignore', 'ignore', 'pipe'],
        env: { ...process.env, CONSUL_HTTP_TOKEN: dev.catalogToken },
      },
    );
    let dnsErr = '';
    dns.stderr.on('data', (d: Buffer) => (dnsErr += d.toString()));
    t.teardown(() => void dns.kill('SIGTERM'));
    const answers = await eventually(
      'a.length === 3',
      async () => {
        const a = await srv(dnsIp, '53');
        return a.length === 3 ? a : undefined;
      },
      { timeoutMs: 15_000, intervalMs: 200 },
    );
    t.equal(answers.length, 3, `berth dns answers on ${dnsIp}:53 ${dnsErr.slice(-500)}`);

    // SRV target 7f000003.addr.dc1.consul -> 127.0.0.3, then fetch from that instance.
    const script = [
      'nslookup -type=SRV hello.service.consul || exit 3',
      "line=$(nslookup -type=SRV hello.service.consul | grep 'service = ' | head -n1)",
      'port=$(echo "$line" | awk \'{print $(NF-1)}\')',
      'hex=$(echo "$line" | awk \'{print $NF}\' | cut -d. -f1)',
      'ip=$(printf "%d.%d.%d.%d" 0x$(echo $hex | cut -c1-2) 0x$(echo $hex | cut -c3-4) 0x$(echo $hex | cut -c5-6) 0x$(echo $hex | cut -c7-8))',
      'echo "FOUND $ip:$port"',
      // busybox-static's wget segfaults in a host-network container; nc speaks HTTP/1.0 fine.
      'printf "GET / HTTP/1.0\\r\\nHost: $ip\\r\\n\\r\\n" | nc -w 3 "$ip" "$port" || exit 4',
    ].join('\n');
    await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: 'resolver',
        networkMode: 'host',
        containerDefinitions: [
          {
            name: 'resolver',
            image,
            cpu: 16,
            memory: 16,
            essential: true,
            dnsServers: [dnsIp],
            entryPoint: ['sh', '-c'],
            command: [script],
          },
        ],
      }),
    );
    const run = await ecs.send(
      new RunTaskCommand({ cluster: 'default', taskDefinition: 'resolver', count: 1 }),
    );
    const taskArn = run.tasks?.[0]?.taskArn;
    t.ok(taskArn, `RunTask placed it ${JSON.stringify(run.failures ?? [])}`);
    const stopped = await eventually(
      "x?.lastStatus === 'STOPPED'",
      async () => {
        const x = await (
          await ecs.send(new DescribeTasksCommand({ cluster: 'default', tasks: [taskArn!] }))
        ).tasks?.[0];
        return x?.lastStatus === 'STOPPED' ? x : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 200 },
    );
    t.equal(stopped?.lastStatus, 'STOPPED', 'the task ran to its end');
    t.equal(stopped?.containers?.[0]?.exitCode, 0, 'and exited 0 (resolved and fetched)');
    const [container] = await docker.listContainers({
      all: true,
      filters: { label: [`com.amazonaws.ecs.task-arn=${taskArn}`] },
    });
    t.ok(container, 'its container is still there to read');
    const logs = (
      await docker.getContainer(container!.Id).logs({ stdout: true, stderr: true })
    ).toString('utf8');
    t.match(
      logs,
      /hello\.service\.consul\s+service = \d+ \d+ \d+ 7f0000\w+\.addr\./,
      `SRV answers: ${logs}`,
    );
    t.match(logs, /FOUND 127\.0\.0\.[234]:\d+/, 'an instance found through DNS');
    t.match(logs, /hostname: \w+/, 'and a page fetched from it');
  },
);
