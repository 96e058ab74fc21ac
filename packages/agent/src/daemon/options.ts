/**
 * The flags of `berth agent` (also env `BERTH_AGENT_<FLAG>` and `--config FILE`), one
 * definition per key. The keys are named as startAgent's options, so the command passes the
 * config through instead of copying fields; values the type check cannot catch are checked by
 * the engine's resolveAgentOptions and by schedulerUrls, which name the flag. Pure.
 */

import { type ConfigOf, defineOptions } from '@berth/daemon';
import { AgentOptionError } from '../errors.js';
import { PULL_BEHAVIORS } from '../core/pull-policy.js';

/** The agent's options. */
export const agentOptions = defineOptions({
  scheduler: {
    type: 'string',
    default: 'http://127.0.0.1:8700',
    arg: 'URL[,URL...]',
    help: "The scheduler's ECS endpoint; with several replicas, each (comma-separated): calls fail over to the next when one does not answer",
  },
  cluster: { type: 'string', default: 'default', arg: 'NAME', help: 'Cluster to join' },
  region: {
    type: 'string',
    default: 'us-east-1',
    env: ['AWS_REGION', 'AWS_DEFAULT_REGION'],
    help: 'Region the scheduler signs with (its --region)',
  },
  instanceId: {
    type: 'string',
    arg: 'ID',
    help: 'Instance id of this host (default: kept in --data-dir, generated once)',
  },
  advertiseIp: {
    type: 'string',
    default: '127.0.0.1',
    arg: 'IP',
    help: 'Address other hosts reach this host on (attribute berth.advertise-ip)',
  },
  availabilityZone: {
    type: 'string',
    arg: 'AZ',
    help: 'Attribute ecs.availability-zone',
  },
  listen: {
    type: 'listen',
    default: '127.0.0.1:51678',
    arg: 'HOST:PORT',
    help: 'Introspection API, /health and /metrics',
  },
  attribute: {
    type: 'string',
    multiple: true,
    arg: 'k=v',
    help: 'Custom attribute for placement constraints; repeatable',
  },
  docker: {
    type: 'string',
    arg: 'SOCKET',
    help: 'Docker engine socket (default DOCKER_HOST or /var/run/docker.sock)',
  },
  reservedPorts: {
    type: 'list',
    default: '22,2375,2376,51678',
    arg: 'PORTS',
    help: 'TCP ports tasks may not take',
  },
  reservedMemory: {
    type: 'int',
    default: 0,
    arg: 'MiB',
    help: 'Memory kept for the host, not offered to tasks',
  },
  dataDir: {
    type: 'string',
    default: '/var/lib/berth/agent',
    arg: 'DIR',
    help: 'Where the agent keeps its identity (container instance ARN)',
  },
  cleanupWait: {
    type: 'duration',
    default: '10m',
    help: "How long a stopped task's containers stay before removal",
  },
  imagePullBehavior: {
    type: 'enum',
    choices: PULL_BEHAVIORS,
    default: 'prefer-cached',
    env: 'ECS_IMAGE_PULL_BEHAVIOR',
    help: 'When to pull images (ECS meanings); prefer-cached uses a local image when present',
  },
  containerDns: {
    type: 'string',
    arg: 'IP',
    help: 'Resolver (berth dns) for task containers naming no dnsServers; adds search domain service.consul',
  },
  hostIp: {
    type: 'string',
    default: '',
    arg: 'IP',
    help: 'Host address task ports are published on (default: all)',
  },
  degradedAfter: {
    type: 'duration',
    default: '30s',
    help: '/health turns degraded when the scheduler has been unreachable this long',
  },
  imageGcThreshold: {
    type: 'number',
    default: 85,
    arg: 'PERCENT',
    help: "Remove unused task images when Docker's disk is this full",
  },
  imageGcMinAge: {
    type: 'duration',
    default: '1h',
    help: 'Keep images used more recently than this',
  },
  stopTimeout: {
    type: 'duration',
    default: '30s',
    help: 'Default time a container gets between SIGTERM and SIGKILL (stopTimeout wins)',
  },
  pollWait: {
    type: 'duration',
    default: '20s',
    help: 'Long-poll wait of the assignment list (max 60s)',
  },
  statsInterval: {
    type: 'duration',
    default: '10s',
    help: "How often tasks' CPU and memory are sampled from Docker for auto scaling (0: never)",
  },
});

/** The agent's typed config (startAgent takes it as it is). */
export type AgentConfig = ConfigOf<typeof agentOptions>;

/** `--scheduler`: one URL or several comma-separated (replicas), each normalised like a url option. */
export function schedulerUrls(text: string): string[] {
  const urls = text
    .split(',')
    .map((u) => u.trim())
    .filter(Boolean)
    .map((u) => {
      const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(u) ? u : `http://${u}`;
      try {
        if (!new URL(withScheme).hostname) throw new Error('no host');
      } catch {
        throw new AgentOptionError('--scheduler', `${JSON.stringify(u)} is not a URL`);
      }
      return withScheme.replace(/\/+$/, '');
    });
  if (urls.length === 0) throw new AgentOptionError('--scheduler', 'names no URL');
  return urls;
}
