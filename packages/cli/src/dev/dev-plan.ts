/**
 * The plan of a `berth dev` run: which daemons start, on which loopback address and port, with
 * which flags, for the catalog, the scheduler and N simulated hosts. Pure: it never starts a
 * process, touches Docker or the file system.
 */

import { LABEL_INSTANCE_ID } from '@berth/protocol';
import type { ChildSpec } from './supervisor.js';

/** What the plan depends on (from `berth dev`'s flags). */
export interface DevPlanInput {
  readonly hosts: number;
  /** Scheduler replicas (default 1): replica 1 on 8700, replica i on 8700 + 10·i. */
  readonly schedulers?: number;
  readonly portOffset: number;
  /** Catalog data dir; memory only when unset. */
  readonly catalogDataDir?: string;
  /** Parent of the agents' data dirs (one sub-folder per host). */
  readonly agentsDir: string;
  readonly credentialsFile: string;
  readonly region: string;
  readonly docker?: string;
  readonly agentGrace: string;
  readonly lostAfter: string;
  /** Data dir of `berth registry` (127.0.0.1:5000+offset, no auth: loopback); none when unset. */
  readonly registryDir?: string;
  /** The scheduler's secrets key file (SSM API, task secrets). */
  readonly secretsKey?: string;
}

/** One simulated host and the addresses of its daemons. */
export interface DevHost {
  /** `h1`, `h2`, ... */
  readonly name: string;
  /** The host's instance id, unique per `berth dev` (its containers carry it as a label). */
  readonly instanceId: string;
  readonly ip: string;
  readonly agent: string;
  readonly dns: { readonly host: string; readonly port: number };
  readonly dnsAdmin: string;
  readonly registratorAdmin: string;
  readonly router: string;
  readonly routerAdmin: string;
}

/** The whole plan. */
export interface DevPlan {
  /** Name of this `berth dev` (`dev-<catalog port>`): unique per port offset. */
  readonly name: string;
  readonly catalog: string;
  readonly scheduler: string;
  /** Every scheduler replica's URL (the first is `scheduler`). */
  readonly schedulers: readonly string[];
  /** The web console (`berth console`). */
  readonly console: string;
  /** The dev image registry (`docker push 127.0.0.1:5000/...`), when planned. */
  readonly registry?: string;
  readonly region: string;
  readonly cluster: string;
  readonly hosts: readonly DevHost[];
  /** Daemons in start order. */
  readonly children: readonly ChildSpec[];
}

/** The loopback address of simulated host `i` (1-based) of `count`. */
export function hostIp(i: number, count: number): string {
  return count === 1 ? '127.0.0.1' : `127.0.0.${i + 1}`;
}

/**
 * Every scheduler replica's URL: replica 1 on 8700 (+ offset), replica i on 8700 + 10·i
 * (8720, 8730, ...: 8710 is the console's).
 */
export function schedulerUrls(input: DevPlanInput): string[] {
  const n = input.schedulers ?? 1;
  return Array.from(
    { length: n },
    (_, i) => `http://127.0.0.1:${8700 + (i === 0 ? 0 : 10 * (i + 1)) + input.portOffset}`,
  );
}

/** Builds the plan; throws RangeError for a host count outside 1..200 or replicas outside 1..5. */
export function devPlan(input: DevPlanInput): DevPlan {
  if (!Number.isInteger(input.hosts) || input.hosts < 1 || input.hosts > 200) {
    throw new RangeError(`--hosts must be 1..200, got ${input.hosts}`);
  }
  const replicas = input.schedulers ?? 1;
  if (!Number.isInteger(replicas) || replicas < 1 || replicas > 5) {
    throw new RangeError(`--schedulers must be 1..5, got ${replicas}`);
  }
  const port = (p: number): number => p + input.portOffset;
  const name = `dev-${port(8500)}`;
  const catalog = `http://127.0.0.1:${port(8500)}`;
  const scheduler = `http://127.0.0.1:${port(8700)}`;
  const children: ChildSpec[] = [
    {
      label: 'catalog',
      args: [
        'catalog',
        '--listen',
        `127.0.0.1:${port(8500)}`,
        ...(input.catalogDataDir ? ['--data-dir', input.catalogDataDir] : []),
        // ACLs on, deny by default: berth dev bootstraps them through the API (no secret on
        // this command line) and gives each daemon its own token (catalog-acl.ts).
        '--acl-enabled',
        '--acl-default-policy',
        'deny',
        ...(input.catalogDataDir ? ['--acl-enable-token-persistence'] : []),
      ],
      readyUrl: `${catalog}/v1/status/leader`,
    },
  ];
  const schedulers = schedulerUrls(input);
  schedulers.forEach((url, i) => {
    children.push({
      label: i === 0 ? 'scheduler' : `scheduler@${i + 1}`,
      args: [
        'scheduler',
        '--consul',
        catalog,
        '--listen',
        url.slice('http://'.length),
        '--credentials',
        input.credentialsFile,
        '--region',
        input.region,
        '--agent-grace',
        input.agentGrace,
        '--lost-after',
        input.lostAfter,
        ...(input.secretsKey ? ['--secrets-key', input.secretsKey] : []),
      ],
      readyUrl: `${url}/health`,
    });
  });
  const hosts: DevHost[] = [];
  for (let i = 1; i <= input.hosts; i++) {
    const planned = devHostPlan(input, i);
    hosts.push(planned.host);
    children.push(...planned.children);
  }
  // The web console, reading the first host's dns and every host's agent and router admin.
  const consoleUrl = `http://127.0.0.1:${port(8710)}`;
  const first = hosts[0] as DevHost;
  children.push({
    label: 'console',
    args: [
      'console',
      '--scheduler',
      scheduler,
      '--consul',
      catalog,
      '--region',
      input.region,
      '--listen',
      `127.0.0.1:${port(8710)}`,
      '--credentials',
      input.credentialsFile,
      '--agent-port',
      new URL(first.agent).port,
      '--router-port',
      String(port(9998)),
      '--dns',
      `${first.dns.host}:${first.dns.port}`,
      ...(input.registryDir
        ? [
            '--registry',
            `127.0.0.1:${port(5000)}`,
            '--registry-admin',
            `http://127.0.0.1:${port(5001)}`,
          ]
        : []),
    ],
    readyUrl: `${consoleUrl}/health`,
  });
  if (input.registryDir) {
    children.push({
      label: 'registry',
      args: [
        'registry',
        '--listen',
        `127.0.0.1:${port(5000)}`,
        '--admin',
        `127.0.0.1:${port(5001)}`,
        '--data-dir',
        input.registryDir,
        '--auth',
        'none',
      ],
      readyUrl: `http://127.0.0.1:${port(5001)}/health`,
    });
  }
  return {
    name,
    catalog,
    scheduler,
    schedulers,
    console: consoleUrl,
    ...(input.registryDir ? { registry: `127.0.0.1:${port(5000)}` } : {}),
    region: input.region,
    cluster: 'default',
    hosts,
    children,
  };
}

/**
 * Simulated host `i` (1-based) and its four daemons (agent, registrator, dns, router), as
 * {@link devPlan} plans them; `berth dev`'s control endpoint uses it to add host `hosts + 1`
 * to a running dev (a host added to a one-host dev gets 127.0.0.3, beside 127.0.0.1).
 */
export function devHostPlan(
  input: DevPlanInput,
  i: number,
): { readonly host: DevHost; readonly children: readonly ChildSpec[] } {
  const port = (p: number): number => p + input.portOffset;
  const name = `dev-${port(8500)}`;
  const catalog = `http://127.0.0.1:${port(8500)}`;
  // Agents know every replica and fail over between them.
  const scheduler = schedulerUrls(input).join(',');
  const one = input.hosts === 1 && i === 1;
  // ECS's introspection port by default; moved below Docker's ephemeral range with an offset.
  const agentPort = input.portOffset ? port(8703) : 51678;
  const label = (component: string, host: DevHost): string =>
    one ? component : `${component}@${host.name}`;
  const docker = input.docker ? ['--docker', input.docker] : [];
  const ip = hostIp(i, Math.max(input.hosts, i));
  const host: DevHost = {
    name: `h${i}`,
    instanceId: `${name}-h${i}`,
    ip,
    agent: `http://${ip}:${agentPort}`,
    dns: { host: ip, port: port(8600) },
    dnsAdmin: `http://${ip}:${port(8601)}`,
    registratorAdmin: `http://${ip}:${port(8602)}`,
    router: `http://${ip}:${port(9999)}`,
    routerAdmin: `http://${ip}:${port(9998)}`,
  };
  const children: ChildSpec[] = [
    {
      label: label('agent', host),
      args: [
        'agent',
        '--scheduler',
        scheduler,
        '--cluster',
        'default',
        '--region',
        input.region,
        '--instance-id',
        host.instanceId,
        '--advertise-ip',
        ip,
        '--host-ip',
        ip,
        '--listen',
        `${ip}:${agentPort}`,
        '--attribute',
        `berth.host=${host.name}`,
        '--data-dir',
        `${input.agentsDir}/${host.name}`,
        '--reserved-ports',
        [
          22,
          2375,
          2376,
          agentPort,
          ...[8500, 8600, 8601, 8602, 9998, 9999].map(port),
          ...schedulerUrls(input).map((u) => Number(u.slice(u.lastIndexOf(':') + 1))),
        ].join(','),
        '--cleanup-wait',
        '1m',
        '--stop-timeout',
        '5s',
        ...docker,
      ],
      readyUrl: `${host.agent}/health`,
    },
    {
      label: label('registrator', host),
      args: [
        'registrator',
        '--consul',
        catalog,
        '--ip',
        ip,
        '--hostname',
        host.instanceId,
        '--resync',
        '30s',
        '--label-filter',
        `${LABEL_INSTANCE_ID}=${host.instanceId}`,
        '--admin',
        `${ip}:${port(8602)}`,
        ...docker,
      ],
      readyUrl: `${host.registratorAdmin}/health`,
    },
    {
      label: label('dns', host),
      args: [
        'dns',
        '--consul',
        catalog,
        '--listen',
        `${ip}:${port(8600)}`,
        '--admin',
        `${ip}:${port(8601)}`,
      ],
      readyUrl: `${host.dnsAdmin}/health`,
    },
    {
      label: label('router', host),
      args: [
        'router',
        '--consul',
        catalog,
        '--proxy',
        `${ip}:${port(9999)}`,
        '--admin',
        `${ip}:${port(9998)}`,
        // a dev cluster starts with no services; the router is ready before it has routes
        '--allow-empty',
        // requests per task for ALBRequestCountPerTarget (signed with the dev credentials in
        // its environment, like the agent's calls)
        '--scheduler',
        scheduler,
      ],
      readyUrl: `${host.routerAdmin}/health`,
    },
  ];
  return { host, children };
}
