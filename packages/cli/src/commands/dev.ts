/**
 * `berth dev`: berth on this machine. Starts the embedded catalog, the ECS-compatible
 * scheduler (with generated credentials) and N simulated hosts, each with its agent,
 * registrator, dns and router on its own loopback address, as separate processes with
 * prefixed logs. With `--demo` it then starts service `hello` through the ECS API and shows it
 * answering through the router and DNS. Ctrl-C stops everything and says what it removed.
 * It never removes a container that does not run on one of its own simulated hosts.
 */

import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  ConfigError,
  commandHelp,
  defineOptions,
  loadConfig,
  type DaemonCommand,
} from '@berth/daemon';
import Docker from 'dockerode';
import type { Env } from '../commands.js';
import {
  removeHostContainers,
  showDemo,
  startDemo,
  waitRoutable,
  waitTasksRunning,
} from '../dev/demo.js';
import { berthHome, ensureCredentials, writeDevFile } from '../dev/dev-files.js';
import { type DevHost, type DevPlan, devHostPlan, devPlan } from '../dev/dev-plan.js';
import { type ControlServer, startControlServer } from '../dev/control.js';
import type { ChildSpec } from '../dev/supervisor.js';
import { ecsClient } from '../ecs/connect.js';
import { Supervisor } from '../dev/supervisor.js';

const devOptions = defineOptions({
  hosts: {
    type: 'int',
    default: 1,
    arg: 'N',
    help: 'Simulated hosts, each with agent, registrator, dns and router on 127.0.0.<n+1> (one host: 127.0.0.1)',
  },
  dataDir: {
    type: 'string',
    arg: 'DIR',
    help: 'Keep the catalog, agents and credentials in DIR (catalog in memory when unset)',
  },
  demo: {
    type: 'boolean',
    help: 'Start service hello (3 tasks of the test image) and show it answering',
  },
  portOffset: {
    type: 'int',
    default: 0,
    arg: 'N',
    help: 'Add N to every default port (8500, 8600, 8700, 9999, 51678, ...) to run beside another berth',
  },
  region: { type: 'string', default: 'us-east-1', help: 'Region of the scheduler (SigV4 scope)' },
  agentGrace: {
    type: 'duration',
    default: '30s',
    help: 'Scheduler: an agent silent this long is skipped by placement',
  },
  lostAfter: {
    type: 'duration',
    default: '2m',
    help: 'Scheduler: an agent silent this long has its tasks stopped (services replace them)',
  },
  control: {
    type: 'boolean',
    default: true,
    help: 'Serve the control endpoint on 127.0.0.1:<8790 + offset> (add a host, stop/start a daemon)',
  },
  docker: {
    type: 'string',
    arg: 'SOCKET',
    help: 'Docker engine socket (default /var/run/docker.sock)',
  },
});

// Only for --help: dev is not a daemon itself, but its help reads like one.
const helpCommand: DaemonCommand<typeof devOptions> = {
  name: 'dev',
  summary:
    'Runs berth on this machine: the catalog, the scheduler, and N simulated hosts (agent, registrator, dns, router each), as separate processes. Ctrl-C stops everything.',
  options: devOptions,
  start: async () => {},
};

const ms = (n: number): string => `${Math.max(1, Math.round(n / 1000))}s`;

/** Lines telling the user where everything is. */
function summary(plan: DevPlan, credentialsFile: string, devFile: string): string[] {
  const first = plan.hosts[0]!;
  const lines = [
    `catalog    ${plan.catalog}/v1/catalog/services  (any Consul client: CONSUL_HTTP_ADDR=${plan.catalog.slice(7)})`,
    `scheduler  ${plan.scheduler}  (ECS API; credentials in ${credentialsFile})`,
    `  try:     AWS_SHARED_CREDENTIALS_FILE=${credentialsFile} AWS_REGION=${plan.region} \\`,
    `             aws ecs --endpoint-url ${plan.scheduler} list-container-instances`,
    `  or:      berth ps   (reads ${devFile})`,
    `console    ${plan.console}/  (sign in with the key pair in ${credentialsFile})`,
    ...(plan.registry
      ? [
          `registry   ${plan.registry}  (docker tag IMAGE ${plan.registry}/NAME:TAG; docker push ...)`,
        ]
      : []),
  ];
  for (const h of plan.hosts) {
    lines.push(
      `host ${h.name}    ${h.ip}: router ${h.router}/ (routes ${h.routerAdmin}/routes), dns ${h.dns.host}:${h.dns.port}, agent ${h.agent}/v1/tasks`,
    );
  }
  lines.push(
    `dns        dig @${first.dns.host} -p ${first.dns.port} <name>.service.consul`,
    `metrics    /metrics on every admin port (catalog, scheduler, agent, dns ${first.dnsAdmin}, registrator ${first.registratorAdmin}, router ${first.routerAdmin})`,
  );
  return lines;
}

export async function run(argv: readonly string[], env: Env): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(commandHelp(helpCommand));
    return 0;
  }
  let config;
  try {
    config = loadConfig(devOptions, argv, env, undefined, { envPrefix: 'BERTH_DEV_' });
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`berth dev: ${err.message}\n`);
    return 2;
  }
  const say = (line: string): void => void process.stdout.write(`${'dev'.padEnd(11)} | ${line}\n`);
  const home = berthHome(env);
  const dataDir = config.dataDir ? resolve(config.dataDir) : undefined;
  const scratch = dataDir ? undefined : await mkdtemp(join(tmpdir(), 'berth-dev-'));
  const credentialsFile = join(dataDir ?? home, 'credentials');
  let plan: DevPlan;
  const planInput = {
    hosts: config.hosts,
    portOffset: config.portOffset,
    ...(dataDir ? { catalogDataDir: join(dataDir, 'catalog') } : {}),
    agentsDir: join(dataDir ?? scratch!, 'agents'),
    credentialsFile,
    region: config.region,
    agentGrace: ms(config.agentGrace),
    lostAfter: ms(config.lostAfter),
    ...(config.docker ? { docker: config.docker } : {}),
    secretsKey: join(dataDir ?? home, 'secrets.key'),
    ...(existsSync('/usr/bin/docker-registry')
      ? { registryDir: join(dataDir ?? scratch!, 'registry') }
      : {}),
  };
  try {
    plan = devPlan(planInput);
  } catch (err) {
    process.stderr.write(`berth dev: ${(err as Error).message}\n`);
    return 2;
  }
  const keys = await ensureCredentials(credentialsFile);
  const hosts: DevHost[] = [...plan.hosts];
  const controlAddress = `http://127.0.0.1:${8790 + config.portOffset}`;
  const hostEntry = (h: DevHost) => ({
    name: h.name,
    instanceId: h.instanceId,
    ip: h.ip,
    agent: h.agent,
    router: h.router,
    dns: `${h.dns.host}:${h.dns.port}`,
  });
  const writeDev = (): Promise<string> =>
    writeDevFile(home, {
      endpoint: plan.scheduler,
      region: plan.region,
      cluster: plan.cluster,
      credentialsFile,
      catalog: plan.catalog,
      ...(config.control ? { control: controlAddress } : {}),
      hosts: hosts.map(hostEntry),
    });
  const devFile = await writeDev();

  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
  delete childEnv.AWS_SESSION_TOKEN;
  delete childEnv.AWS_PROFILE;
  childEnv.AWS_ACCESS_KEY_ID = keys.id;
  childEnv.AWS_SECRET_ACCESS_KEY = keys.secret;
  childEnv.AWS_REGION = plan.region;
  childEnv.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const supervisor = new Supervisor((line) => process.stdout.write(`${line}\n`), childEnv);
  const docker = new Docker(config.docker ? { socketPath: config.docker } : undefined);
  const instanceIds = plan.hosts.map((h) => h.instanceId);
  const specs = new Map<string, ChildSpec>(plan.children.map((c) => [c.label, c]));
  let control: ControlServer | undefined;
  let stopping: Promise<number> | undefined;
  const stop = (code: number): Promise<number> =>
    (stopping ??= (async () => {
      say('stopping');
      await control?.close();
      // Agents first, so no service replaces the tasks removed next; the registrators still
      // run and deregister the removed containers before the catalog goes away.
      const agents = await supervisor.stop(10_000, (label) => /^agent\b/.test(label));
      const removed = await removeHostContainers(docker, instanceIds).catch(() => []);
      say(
        removed.length ? `removed containers: ${removed.join(', ')}` : 'removed containers: none',
      );
      const stopped = [...agents, ...(await supervisor.stop())];
      say(`stopped: ${stopped.join(', ')}`);
      if (scratch) {
        await rm(scratch, { recursive: true, force: true });
        say(`removed ${scratch}`);
      }
      return code;
    })());
  const done = new Promise<number>((resolveDone) => {
    const onSignal = (): void => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      process.once('SIGINT', () => process.exit(130));
      void stop(0).then(resolveDone);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    supervisor.onUnexpectedExit = (label, code) => {
      say(`${label} exited unexpectedly (code ${code}); stopping everything`);
      void stop(1).then(resolveDone);
    };
  });

  try {
    const [catalog, scheduler, ...hostChildren] = plan.children;
    await supervisor.start(catalog!);
    say('catalog ready');
    await supervisor.start(scheduler!);
    say('scheduler ready');
    // Hosts start side by side: 4 processes per host.
    await Promise.all(
      hostChildren.map(async (child) => {
        await supervisor.start(child, 30_000);
        say(`${child.label} ready`);
      }),
    );
  } catch (err) {
    say(`failed to start: ${(err as Error).message}`);
    return stop(1);
  }
  for (const line of summary(plan, credentialsFile, devFile)) say(line);
  if (config.control) {
    try {
      control = await startControlServer(
        { host: '127.0.0.1', port: 8790 + config.portOffset },
        {
          hosts: () => hosts.map(hostEntry),
          addHost: async () => {
            const added = devHostPlan(planInput, hosts.length + 1);
            hosts.push(added.host);
            instanceIds.push(added.host.instanceId);
            for (const c of added.children) specs.set(c.label, c);
            await writeDev();
            for (const c of added.children) await supervisor.start(c, 30_000);
            say(`host ${added.host.name} added on ${added.host.ip}`);
            return hostEntry(added.host);
          },
          stop: async (label) => {
            const stopped = await supervisor.stopOne(label);
            if (stopped) say(`${label} stopped (control endpoint)`);
            return stopped;
          },
          start: async (label) => {
            const spec = specs.get(label);
            if (!spec || supervisor.isRunning(label)) return false;
            await supervisor.start(spec, 30_000);
            say(`${label} started (control endpoint)`);
            return true;
          },
        },
      );
      say(`control    ${control.address}  (POST /hosts, POST /daemons/<label>/stop|start|restart)`);
    } catch (err) {
      say(`failed to start: control endpoint: ${(err as Error).message}`);
      return stop(1);
    }
  }

  if (config.demo) {
    const first = plan.hosts[0]!;
    const ecs = ecsClient({
      endpoint: plan.scheduler,
      region: plan.region,
      credentials: { accessKeyId: keys.id, secretAccessKey: keys.secret },
    });
    try {
      const how = await startDemo(ecs, plan.cluster, plan.name, say);
      await waitTasksRunning(ecs, plan.cluster, 3, 60_000, say);
      const proxy = first.router;
      const seen = await waitRoutable(`${proxy}/hello`, 3, 30_000);
      if (seen.length < 3)
        throw new Error(`only ${seen.length} of 3 containers became routable within 30 s`);
      say(`all 3 containers routable through ${proxy}/hello`);
      await showDemo({ proxy, dnsHost: first.dns.host, dnsPort: first.dns.port }, say);
      const env = `AWS_SHARED_CREDENTIALS_FILE=${credentialsFile} AWS_REGION=${plan.region}`;
      say(
        how === 'service'
          ? `try: ${env} aws ecs --endpoint-url ${plan.scheduler} describe-services --services hello`
          : `try: ${env} aws ecs --endpoint-url ${plan.scheduler} list-tasks   (describe-services once the scheduler has services)`,
      );
      say(`     berth ps; berth services; berth logs <task id>`);
      say(
        `admin: routes ${first.routerAdmin}/routes, catalog ${plan.catalog}/v1/catalog/service/hello, agent ${first.agent}/v1/tasks`,
      );
      say(`console: ${plan.console}/c/${plan.cluster}/services/hello`);
      say('berth is running; press Ctrl-C to stop it and remove the demo containers');
    } catch (err) {
      say(`demo failed: ${(err as Error).message}`);
      ecs.destroy();
      return stop(1);
    }
    ecs.destroy();
  } else {
    say('berth is running; press Ctrl-C to stop');
  }
  return done;
}
