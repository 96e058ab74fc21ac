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
    summary: 'Run berth on this machine: catalog, dns, router, registrator (Ctrl-C stops)',
    load: () => import('./commands/dev.js'),
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
