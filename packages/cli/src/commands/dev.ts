/**
 * `berth dev`: berth on this machine. Starts the embedded catalog, the ECS-compatible
 * scheduler (with generated credentials) and N simulated hosts, each with its agent,
 * registrator, dns and router on its own loopback address, as separate processes with
 * prefixed logs, and supervises them: a daemon that dies is restarted with back-off (the
 * others and every container keep running); the daemons die with `berth dev` however it dies
 * (lifeline). Ctrl-C, SIGTERM or SIGHUP stop everything and remove the demo containers.
 * A pid/lock file in BERTH_HOME and a port check refuse a second `berth dev` clearly.
 * It never removes a container that does not run on one of its own simulated hosts.
 */

import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ConfigError, commandHelp, loadConfig } from '@berth/daemon';
import Docker from 'dockerode';
import type { Env } from '../commands.js';
import { CatalogAcl, ensureManagementSecret } from '../dev/catalog-acl.js';
import { removeHostContainers, runDemo } from '../dev/demo.js';
import { berthHome, ensureCredentials, writeDevFile } from '../dev/dev-files.js';
import { DevRunningError, type DevLock, acquireDevLock } from '../dev/dev-lock.js';
import { devOptions, helpCommand, ms, summary } from '../dev/dev-options.js';
import { type DevHost, type DevPlan, devHostPlan, devPlan } from '../dev/dev-plan.js';
import { type ControlServer, startControlServer } from '../dev/control.js';
import { busyPorts, plannedPorts } from '../dev/port-check.js';
import { safeLineWriter } from '../dev/safe-output.js';
import { type ChildSpec, Supervisor, type SupervisorEvent } from '../dev/supervisor.js';

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
/** `BERTH_DNS_CONSUL_TOKEN`, `BERTH_REGISTRATOR_TOKEN`, `BERTH_CATALOG_ACL_DEFAULT_POLICY`... */
const DAEMON_ACL_ENV =
  /^BERTH_(CATALOG|SCHEDULER|REGISTRATOR|DNS|ROUTER|CONSOLE|AGENT)_(ACL_\w+|\w*TOKEN)$/;

/** The log line for a supervisor event. */
function eventLine(e: SupervisorEvent): string {
  switch (e.type) {
    case 'exited':
      return `WARN ${e.label} exited unexpectedly (${e.code !== null ? `code ${e.code}` : e.signal}); restarting it, the other daemons and every container keep running`;
    case 'restarting':
      return `${e.label}: restart ${e.attempt} in ${e.delayMs} ms`;
    case 'restarted':
      return `${e.label} restarted (pid ${e.pid}, attempt ${e.attempt})`;
    case 'restart-failed':
      return `WARN ${e.label}: restart ${e.attempt} failed: ${e.error}`;
  }
}

export async function run(argv: readonly string[], env: Env): Promise<number> {
  const out = safeLineWriter(process.stdout);
  const err = safeLineWriter(process.stderr);
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(commandHelp(helpCommand));
    return 0;
  }
  let config;
  try {
    config = loadConfig(devOptions, argv, env, undefined, { envPrefix: 'BERTH_DEV_' });
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    err(`berth dev: ${e.message}`);
    return 2;
  }
  const say = (line: string): void => out(`${'dev'.padEnd(11)} | ${line}`);
  const home = berthHome(env);
  const dataDir = config.dataDir ? resolve(config.dataDir) : undefined;
  const credentialsFile = join(dataDir ?? home, 'credentials');
  // The catalog's ACL management secret (mode 0600), kept like the credentials.
  const catalogTokenFile = join(dataDir ?? home, 'catalog-token');
  const controlPort = 8790 + config.portOffset;
  // Directories under the data dir, or under a scratch dir made only once the ports are free.
  const scratchDirs = (scratch: string | undefined) => ({
    agentsDir: join(dataDir ?? scratch!, 'agents'),
    ...(existsSync('/usr/bin/docker-registry')
      ? { registryDir: join(dataDir ?? scratch!, 'registry') }
      : {}),
  });
  const planBase = {
    hosts: config.hosts,
    schedulers: config.schedulers,
    portOffset: config.portOffset,
    ...(dataDir ? { catalogDataDir: join(dataDir, 'catalog') } : {}),
    credentialsFile,
    region: config.region,
    agentGrace: ms(config.agentGrace),
    lostAfter: ms(config.lostAfter),
    ...(config.docker ? { docker: config.docker } : {}),
    secretsKey: join(dataDir ?? home, 'secrets.key'),
  };
  let plan: DevPlan;
  try {
    plan = devPlan({ ...planBase, ...scratchDirs('/') });
  } catch (e) {
    err(`berth dev: ${(e as Error).message}`);
    return 2;
  }

  // One berth dev per home; its ports must be free before anything starts.
  let lock: DevLock;
  try {
    lock = await acquireDevLock(home, config.portOffset);
  } catch (e) {
    if (!(e instanceof DevRunningError)) throw e;
    err(`berth dev: ${e.message}`);
    return 1;
  }
  if (lock.cleaned.length > 0) {
    say(
      `a previous berth dev with this home died without stopping its daemons; stopped: ${lock.cleaned.join(', ')}`,
    );
  }
  const ports = plannedPorts(plan.children);
  if (config.control)
    ports.push({ label: 'control', host: '127.0.0.1', port: controlPort, proto: 'tcp' });
  const busy = await busyPorts(ports);
  if (busy.length > 0) {
    for (const b of busy) {
      err(
        `berth dev: ${b.host}:${b.port}/${b.proto} (for ${b.label}) is in use by ${b.holder ?? 'another process'}`,
      );
    }
    err(
      'berth dev: stop what holds these ports or choose another --port-offset; nothing was started',
    );
    await lock.release();
    return 1;
  }

  const scratch = dataDir ? undefined : await mkdtemp(join(tmpdir(), 'berth-dev-'));
  const planInput = { ...planBase, ...scratchDirs(scratch) };
  plan = devPlan(planInput);
  const keys = await ensureCredentials(credentialsFile);
  const acl = new CatalogAcl({
    url: plan.catalog,
    managementSecret: await ensureManagementSecret(catalogTokenFile),
    catalogDataDir: planBase.catalogDataDir,
    labels: plan.children.map((c) => c.label),
  });
  // The catalog bootstraps its ACLs after every (re)start (memory only: a restart forgets
  // them); every other daemon gets its own token in its environment, never on its argv.
  const withAcl = (c: ChildSpec): ChildSpec =>
    c.label === 'catalog'
      ? { ...c, afterReady: () => acl.ensure() }
      : { ...c, env: acl.env(c.label) };
  const children = plan.children.map(withAcl);
  const hosts: DevHost[] = [...plan.hosts];
  const controlAddress = `http://127.0.0.1:${controlPort}`;
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
      catalogTokenFile,
      ...(config.control ? { control: controlAddress } : {}),
      hosts: hosts.map(hostEntry),
    });
  const devFile = await writeDev();

  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
  delete childEnv.AWS_SESSION_TOKEN;
  delete childEnv.AWS_PROFILE;
  // berth dev owns the catalog's ACLs: a token of the user's own Consul, or a daemon's token or
  // ACL setting from the shell, reaches no daemon (each gets its own; the agent none at all).
  for (const key of Object.keys(childEnv)) {
    if (/^CONSUL_HTTP_TOKEN/.test(key) || DAEMON_ACL_ENV.test(key)) delete childEnv[key];
  }
  childEnv.AWS_ACCESS_KEY_ID = keys.id;
  childEnv.AWS_SECRET_ACCESS_KEY = keys.secret;
  childEnv.AWS_REGION = plan.region;
  childEnv.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const supervisor: Supervisor = new Supervisor(out, childEnv, {
    onEvent: (e) => say(eventLine(e)),
    onChange: () =>
      void lock.update(
        supervisor
          .children()
          .filter((c) => c.pid !== undefined)
          .map((c) => ({ label: c.label, pid: c.pid! })),
      ),
  });
  const docker = new Docker(config.docker ? { socketPath: config.docker } : undefined);
  const instanceIds = plan.hosts.map((h) => h.instanceId);
  const specs = new Map<string, ChildSpec>(children.map((c) => [c.label, c]));
  let control: ControlServer | undefined;
  let stopping: Promise<number> | undefined;
  const stop = (code: number): Promise<number> =>
    (stopping ??= (async () => {
      supervisor.close();
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
      await lock.release();
      // Nothing of ours is left; a stray handle (a half-closed socket) must not keep us alive.
      setTimeout(() => process.exit(code), 5000).unref();
      return code;
    })());
  const done = new Promise<number>((resolveDone) => {
    const onSignal = (signal: NodeJS.Signals): void => {
      for (const s of SIGNALS) process.off(s, onSignal);
      // A second signal ends berth dev at once; the daemons follow through their lifelines.
      for (const s of SIGNALS) process.once(s, () => process.exit(130));
      say(`${signal}: stopping`);
      void stop(0).then(resolveDone);
    };
    for (const s of SIGNALS) process.on(s, onSignal);
  });

  // Containers of these simulated hosts left by a berth dev that died: with the catalog in
  // memory nobody knows them any more. With --data-dir the agents adopt them instead.
  if (!dataDir) {
    const stale = await removeHostContainers(docker, instanceIds).catch(() => []);
    if (stale.length > 0) say(`removed containers a previous berth dev left: ${stale.join(', ')}`);
  }

  try {
    const [catalog, ...rest] = children;
    const schedulers = rest.slice(0, plan.schedulers.length);
    const hostChildren = rest.slice(plan.schedulers.length);
    await supervisor.start(catalog!);
    say('catalog ready');
    for (const scheduler of schedulers) {
      await supervisor.start(scheduler);
      say(`${scheduler.label} ready`);
    }
    // Hosts start side by side: 4 processes per host.
    await Promise.all(
      hostChildren.map(async (child) => {
        await supervisor.start(child, 30_000);
        say(`${child.label} ready`);
      }),
    );
  } catch (e) {
    if (stopping) return Promise.race([stopping, done]);
    say(`failed to start: ${(e as Error).message}`);
    return stop(1);
  }
  for (const line of summary(plan, { credentialsFile, devFile, catalogTokenFile })) say(line);
  if (config.control && !stopping) {
    try {
      control = await startControlServer(
        { host: '127.0.0.1', port: controlPort },
        {
          hosts: () => hosts.map(hostEntry),
          daemons: () => supervisor.children(),
          addHost: async () => {
            const added = devHostPlan(planInput, hosts.length + 1);
            const addedChildren = added.children.map(withAcl);
            await acl.ensure(addedChildren.map((c) => c.label));
            hosts.push(added.host);
            instanceIds.push(added.host.instanceId);
            for (const c of addedChildren) specs.set(c.label, c);
            await writeDev();
            for (const c of addedChildren) await supervisor.start(c, 30_000);
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
      // Shutdown may have begun while it opened: it must not outlive it.
      if (stopping) await control.close();
      else
        say(
          `control    ${control.address}  (GET /daemons, POST /hosts, POST /daemons/<label>/stop|start|restart)`,
        );
    } catch (e) {
      say(`failed to start: control endpoint: ${(e as Error).message}`);
      return stop(1);
    }
  }
  if (stopping) return stopping;

  if (config.demo) {
    try {
      await runDemo({ plan, credentialsFile, keys }, say);
    } catch (e) {
      if (stopping) return stopping;
      say(`demo failed: ${(e as Error).message}`);
      return stop(1);
    }
    say('berth is running; press Ctrl-C to stop it and remove the demo containers');
  } else {
    say('berth is running; press Ctrl-C to stop');
  }
  return done;
}
