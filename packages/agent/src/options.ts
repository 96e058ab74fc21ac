/**
 * The flags of `berth agent` (also env `BERTH_AGENT_<FLAG>` and `--config FILE`), one
 * definition per key, and their conversion into startAgent options. Pure; the conversion
 * throws AgentOptionError naming the flag for values the type check cannot catch.
 */

import { isIPv4 } from 'node:net';
import { type ConfigOf, defineOptions } from '@berth/daemon';
import { AgentOptionError } from './errors.js';
import { PULL_BEHAVIORS, type PullBehavior } from './pull-policy.js';
import { parseAttribute } from './registration.js';
import type { StartAgentOptions } from './start-agent.js';

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

/** The agent's typed config. */
export type AgentConfig = ConfigOf<typeof agentOptions>;

function ports(flag: string, list: readonly string[]): number[] {
  return list.map((p) => {
    const n = Number(p);
    if (!Number.isInteger(n) || n < 1 || n > 65535) {
      throw new AgentOptionError(flag, `${JSON.stringify(p)} is not a port`);
    }
    return n;
  });
}

/** Converts the daemon config into startAgent options; throws naming a bad flag. */
export function optionsFromConfig(
  config: AgentConfig,
  env: Readonly<Record<string, string | undefined>> = {},
): StartAgentOptions {
  const attributes: Record<string, string> = {};
  for (const a of config.attribute) {
    try {
      const [k, v] = parseAttribute(a);
      attributes[k] = v;
    } catch (err) {
      throw new AgentOptionError('--attribute', (err as Error).message);
    }
  }
  if (!config.cluster || !/^[a-zA-Z0-9_-]{1,255}$/.test(config.cluster)) {
    throw new AgentOptionError(
      '--cluster',
      `${JSON.stringify(config.cluster)} is not a cluster name`,
    );
  }
  if (config.containerDns !== undefined && !isIPv4(config.containerDns)) {
    throw new AgentOptionError(
      '--container-dns',
      `${JSON.stringify(config.containerDns)} is not an IPv4 address`,
    );
  }
  if (!isIPv4(config.advertiseIp)) {
    throw new AgentOptionError(
      '--advertise-ip',
      `${JSON.stringify(config.advertiseIp)} is not an IPv4 address`,
    );
  }
  if (config.hostIp !== '' && !isIPv4(config.hostIp)) {
    throw new AgentOptionError(
      '--host-ip',
      `${JSON.stringify(config.hostIp)} is not an IPv4 address`,
    );
  }
  if (!(config.imageGcThreshold > 0 && config.imageGcThreshold <= 100)) {
    throw new AgentOptionError(
      '--image-gc-threshold',
      `must be in (0, 100], got ${config.imageGcThreshold}`,
    );
  }
  if (config.reservedMemory < 0) {
    throw new AgentOptionError(
      '--reserved-memory',
      `must not be negative, got ${config.reservedMemory}`,
    );
  }
  if (config.pollWait < 1000 || config.pollWait > 60_000) {
    throw new AgentOptionError('--poll-wait', 'must be from 1s to 60s');
  }
  if (config.instanceId !== undefined && !/^[a-zA-Z0-9_.-]{1,64}$/.test(config.instanceId)) {
    throw new AgentOptionError(
      '--instance-id',
      `${JSON.stringify(config.instanceId)} is not an instance id`,
    );
  }
  return {
    scheduler: schedulerUrls(config.scheduler).join(','),
    region: config.region,
    cluster: config.cluster,
    ...(config.instanceId ? { instanceId: config.instanceId } : {}),
    advertiseIp: config.advertiseIp,
    ...(config.availabilityZone ? { availabilityZone: config.availabilityZone } : {}),
    listen: config.listen,
    attributes,
    ...(config.docker ? { docker: config.docker } : {}),
    reservedPorts: ports('--reserved-ports', config.reservedPorts),
    reservedMemoryMiB: config.reservedMemory,
    dataDir: config.dataDir,
    cleanupWaitMs: config.cleanupWait,
    imagePullBehavior: config.imagePullBehavior as PullBehavior,
    ...(config.containerDns ? { containerDns: config.containerDns } : {}),
    hostIp: config.hostIp,
    degradedAfterMs: config.degradedAfter,
    imageGcThresholdPercent: config.imageGcThreshold,
    imageGcMinAgeMs: config.imageGcMinAge,
    stopTimeoutS: Math.ceil(config.stopTimeout / 1000),
    pollWaitSeconds: Math.round(config.pollWait / 1000),
    statsIntervalMs: config.statsInterval,
    env,
  };
}

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
