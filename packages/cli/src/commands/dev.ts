/**
 * `berth dev`: berth on this machine. Starts the embedded catalog and, for the simulated host,
 * the registrator, dns and router as separate processes with prefixed logs; with `--demo` it
 * then runs three containers as service `hello` and shows them answering through the router
 * and DNS. Ctrl-C stops everything and says what it removed.
 *
 * The ECS-compatible scheduler and the agent are not part of berth yet; until they are, the
 * demo starts its containers through Docker directly and says so.
 */

import {
  ConfigError,
  commandHelp,
  defineOptions,
  loadConfig,
  type DaemonCommand,
} from '@berth/daemon';
import Docker from 'dockerode';
import type { Env } from '../commands.js';
import { removeDemoContainers, showDemo, startDemoContainers, waitRoutable } from '../dev/demo.js';
import { type ChildSpec, Supervisor } from '../dev/supervisor.js';

const devOptions = defineOptions({
  dataDir: {
    type: 'string',
    arg: 'DIR',
    help: 'Keep the catalog durable in DIR (memory only when unset)',
  },
  demo: {
    type: 'boolean',
    help: 'Run three demo containers as service hello and show them answering',
  },
  portOffset: {
    type: 'int',
    default: 0,
    arg: 'N',
    help: 'Add N to every default port (8500, 8600, 9999, ...) to run beside another berth',
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
    'Runs berth on this machine: the catalog, and the registrator, dns and router of one host, as separate processes. Ctrl-C stops everything.',
  options: devOptions,
  start: async () => {},
};

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
  const port = (p: number): number => p + config.portOffset;
  const host = '127.0.0.1';
  const hostName = `dev-${port(8500)}`;
  const consul = `http://${host}:${port(8500)}`;
  const children: ChildSpec[] = [
    {
      label: 'catalog',
      args: [
        'catalog',
        '--listen',
        `${host}:${port(8500)}`,
        ...(config.dataDir ? ['--data-dir', config.dataDir] : []),
      ],
      readyUrl: `${consul}/v1/status/leader`,
    },
    {
      label: 'registrator',
      args: [
        'registrator',
        '--consul',
        consul,
        '--ip',
        host,
        '--hostname',
        hostName,
        '--resync',
        '30s',
        '--label-filter',
        `berth.dev.host=${hostName}`,
        '--admin',
        `${host}:${port(8602)}`,
        ...(config.docker ? ['--docker', config.docker] : []),
      ],
      readyUrl: `http://${host}:${port(8602)}/health`,
    },
    {
      label: 'dns',
      args: [
        'dns',
        '--consul',
        consul,
        '--listen',
        `${host}:${port(8600)}`,
        '--admin',
        `${host}:${port(8601)}`,
      ],
      readyUrl: `http://${host}:${port(8601)}/health`,
    },
    {
      label: 'router',
      args: [
        'router',
        '--consul',
        consul,
        '--proxy',
        `${host}:${port(9999)}`,
        '--admin',
        `${host}:${port(9998)}`,
      ],
      readyUrl: `http://${host}:${port(9998)}/health`,
    },
  ];

  const supervisor = new Supervisor((line) => process.stdout.write(`${line}\n`), {
    ...process.env,
    ...env,
  } as NodeJS.ProcessEnv);
  const docker = new Docker(config.docker ? { socketPath: config.docker } : undefined);
  let stopping: Promise<number> | undefined;
  const stop = (code: number): Promise<number> =>
    (stopping ??= (async () => {
      say('stopping');
      if (config.demo) {
        const removed = await removeDemoContainers(docker, hostName).catch(() => []);
        if (removed.length) say(`removed containers: ${removed.join(', ')}`);
      }
      const stopped = await supervisor.stop();
      say(`stopped: ${stopped.join(', ')}`);
      return code;
    })());
  const done = new Promise<number>((resolve) => {
    const onSignal = (): void => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      process.once('SIGINT', () => process.exit(130));
      void stop(0).then(resolve);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    supervisor.onUnexpectedExit = (label, code) => {
      say(`${label} exited unexpectedly (code ${code}); stopping everything`);
      void stop(1).then(resolve);
    };
  });

  try {
    for (const child of children) {
      await supervisor.start(child);
      say(`${child.label} ready`);
    }
  } catch (err) {
    say(`failed to start: ${(err as Error).message}`);
    return stop(1);
  }
  say(
    `catalog  ${consul}/v1/catalog/services  (also any Consul client: CONSUL_HTTP_ADDR=${host}:${port(8500)})`,
  );
  say(
    `dns      dig @${host} -p ${port(8600)} <name>.service.consul   (health: http://${host}:${port(8601)}/health)`,
  );
  say(`router   http://${host}:${port(9999)}/   (routes: http://${host}:${port(9998)}/routes)`);
  say(
    `metrics  /metrics on each admin port: ${port(8500)}, ${port(8601)}, ${port(8602)}, ${port(9998)}`,
  );

  if (config.demo) {
    try {
      say('demo: the ECS scheduler and agent are not in berth yet, so the demo starts its');
      say('demo: containers through Docker; the registrator publishes them as service hello');
      await startDemoContainers({ docker, owner: hostName, count: 3, say });
      const proxy = `http://${host}:${port(9999)}`;
      const seen = await waitRoutable(`${proxy}/hello`, 3, 30_000);
      if (seen.length < 3)
        throw new Error(`only ${seen.length} of 3 containers became routable within 30 s`);
      say(`all 3 containers routable through ${proxy}/hello`);
      await showDemo({ proxy, dnsHost: host, dnsPort: port(8600) }, say);
      say('berth is running; press Ctrl-C to stop it and remove the demo containers');
    } catch (err) {
      say(`demo failed: ${(err as Error).message}`);
      return stop(1);
    }
  } else {
    say('berth is running; press Ctrl-C to stop');
  }
  return done;
}
