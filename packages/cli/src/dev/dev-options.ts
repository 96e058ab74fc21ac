/**
 * `berth dev`'s flags, its --help, and the lines telling the user where everything is. Pure
 * data and text: it never starts anything.
 */

import { defineOptions, type DaemonCommand } from '@berth/daemon';
import type { DevPlan } from './dev-plan.js';

export const devOptions = defineOptions({
  hosts: {
    type: 'int',
    default: 1,
    arg: 'N',
    help: 'Simulated hosts, each with agent, registrator, dns and router on 127.0.0.<n+1> (one host: 127.0.0.1)',
  },
  schedulers: {
    type: 'int',
    default: 1,
    arg: 'N',
    help: 'Scheduler replicas (one leads, the others forward; agents fail over between them): replica 1 on 8700, replica i on 8700 + 10·i',
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
export const helpCommand: DaemonCommand<typeof devOptions> = {
  name: 'dev',
  summary:
    'Runs berth on this machine: the catalog, the scheduler, and N simulated hosts (agent, registrator, dns, router each), as separate processes. Ctrl-C stops everything.',
  options: devOptions,
  start: async () => {},
};

export const ms = (n: number): string => `${Math.max(1, Math.round(n / 1000))}s`;

/** Lines telling the user where everything is. */
export function summary(
  plan: DevPlan,
  files: { credentialsFile: string; devFile: string; catalogTokenFile: string },
): string[] {
  const { credentialsFile, devFile, catalogTokenFile } = files;
  const first = plan.hosts[0]!;
  const lines = [
    `catalog    ${plan.catalog}/v1/catalog/services  (ACLs on, default deny; any Consul client:`,
    `             CONSUL_HTTP_ADDR=${plan.catalog.slice(7)} CONSUL_HTTP_TOKEN_FILE=${catalogTokenFile}, or curl -H "X-Consul-Token: $(cat ${catalogTokenFile})")`,
    `scheduler  ${plan.schedulers.join(', ')}  (ECS API; credentials in ${credentialsFile})`,
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
