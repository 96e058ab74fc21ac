/**
 * The table of `berth` subcommands. Each entry loads its implementation lazily, so
 * `berth --help` and one daemon never pay for loading the others. No logic lives here.
 */

export type Env = Readonly<Record<string, string | undefined>>;

/** A loaded subcommand: runs with its own argv and returns the exit code. */
export interface SubcommandModule {
  run(argv: readonly string[], env: Env): Promise<number>;
}

export interface Subcommand {
  readonly name: string;
  readonly summary: string;
  readonly load: () => Promise<SubcommandModule>;
}

export const subcommands: readonly Subcommand[] = [
  {
    name: 'dev',
    summary:
      'Run berth on this machine: catalog, scheduler, N simulated hosts (--demo shows it working)',
    load: () => import('./commands/dev.js'),
  },
  {
    name: 'ps',
    summary: 'List tasks with their host, host ports and status',
    load: () => import('./commands/ps.js'),
  },
  {
    name: 'services',
    summary: 'List ECS services with desired / running counts',
    load: () => import('./commands/services.js'),
  },
  {
    name: 'run',
    summary: 'Run tasks of a task definition (RunTask) and wait until they run',
    load: () => import('./commands/run.js'),
  },
  {
    name: 'stop',
    summary: 'Stop tasks (StopTask) and wait until they stopped',
    load: () => import('./commands/stop.js'),
  },
  {
    name: 'logs',
    summary: "Print a task's container logs (-f follows)",
    load: () => import('./commands/logs.js'),
  },
  {
    name: 'compose',
    summary: 'docker-compose.yml -> task definitions + services: up, scale, down, ps',
    load: () => import('./commands/compose.js'),
  },
  {
    name: 'console',
    summary: 'Web console for people: the cluster live, everyday actions (HTTP :8710)',
    load: () => import('./commands/console.js'),
  },
  {
    name: 'rotate-secrets-key',
    summary: "Re-encrypt the scheduler's SSM parameters under a new key; retire the old ones",
    load: () => import('./commands/rotate-secrets-key.js'),
  },
  {
    name: 'registry',
    summary: 'Private image registry (docker-registry): htpasswd auth, scheduled GC (HTTP :5000)',
    load: () => import('./commands/registry.js'),
  },
  {
    name: 'catalog',
    summary: 'Consul-compatible catalog: services, health checks, KV, sessions (HTTP :8500)',
    load: () => import('./commands/catalog.js'),
  },
  {
    name: 'scheduler',
    summary: 'ECS-compatible API: task definitions, tasks, placement (HTTP :8700)',
    load: () => import('./commands/scheduler.js'),
  },
  {
    name: 'agent',
    summary: "Run this host's ECS tasks in Docker; introspection on :51678",
    load: () => import('./commands/agent.js'),
  },
  {
    name: 'registrator',
    summary: "Publish this host's container ports to Consul",
    load: () => import('./commands/registrator.js'),
  },
  {
    name: 'dns',
    summary: 'Answer *.service.consul from the catalog (DNS :8600)',
    load: () => import('./commands/dns.js'),
  },
  {
    name: 'router',
    summary: 'Fabio-like HTTP router fed by urlprefix- tags (proxy :9999, admin :9998)',
    load: () => import('./commands/router.js'),
  },
];
