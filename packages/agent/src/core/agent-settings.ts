/**
 * The agent engine's options (named as the flags, in the config's units) validated and turned
 * into the settings it runs on: attributes parsed, ports checked, seconds where Docker and the
 * protocol want seconds. Pure; errors are AgentOptionError naming the flag. It must never read
 * the environment or fill in machine facts.
 */

import { isIPv4 } from 'node:net';
import { AgentOptionError } from '../errors.js';
import type { AgentOptions, AgentSettings } from '../types.js';
import { PULL_BEHAVIORS, type PullBehavior } from './pull-policy.js';
import { parseAttribute } from './registration.js';

function ports(flag: string, list: readonly (number | string)[]): number[] {
  return list.map((p) => {
    const n = Number(p);
    if (!Number.isInteger(n) || n < 1 || n > 65535) {
      throw new AgentOptionError(flag, `${JSON.stringify(p)} is not a port`);
    }
    return n;
  });
}

function attributes(
  given: AgentOptions['attribute'],
): Readonly<Record<string, string>> | undefined {
  if (given === undefined) return undefined;
  if (!Array.isArray(given)) return given as Readonly<Record<string, string>>;
  const out: Record<string, string> = {};
  for (const a of given as readonly string[]) {
    try {
      const [k, v] = parseAttribute(a);
      out[k] = v;
    } catch (err) {
      throw new AgentOptionError('--attribute', (err as Error).message);
    }
  }
  return out;
}

function ipv4(flag: string, ip: string): void {
  if (!isIPv4(ip)) throw new AgentOptionError(flag, `${JSON.stringify(ip)} is not an IPv4 address`);
}

/** Validates the engine's options; throws AgentOptionError naming the flag. */
export function resolveAgentOptions(o: AgentOptions): AgentSettings {
  if (!o.cluster || !/^[a-zA-Z0-9_-]{1,255}$/.test(o.cluster)) {
    throw new AgentOptionError('--cluster', `${JSON.stringify(o.cluster)} is not a cluster name`);
  }
  if (o.containerDns) ipv4('--container-dns', o.containerDns);
  ipv4('--advertise-ip', o.advertiseIp);
  if (o.hostIp) ipv4('--host-ip', o.hostIp);
  const threshold = o.imageGcThreshold;
  if (threshold !== undefined && !(threshold > 0 && threshold <= 100)) {
    throw new AgentOptionError('--image-gc-threshold', `must be in (0, 100], got ${threshold}`);
  }
  if (o.reservedMemory !== undefined && o.reservedMemory < 0) {
    throw new AgentOptionError(
      '--reserved-memory',
      `must not be negative, got ${o.reservedMemory}`,
    );
  }
  if (o.pollWait !== undefined && !(o.pollWait >= 1000 && o.pollWait <= 60_000)) {
    throw new AgentOptionError('--poll-wait', 'must be from 1s to 60s');
  }
  if (o.instanceId && !/^[a-zA-Z0-9_.-]{1,64}$/.test(o.instanceId)) {
    throw new AgentOptionError(
      '--instance-id',
      `${JSON.stringify(o.instanceId)} is not an instance id`,
    );
  }
  const pull = o.imagePullBehavior;
  if (pull !== undefined && !(PULL_BEHAVIORS as readonly string[]).includes(pull)) {
    throw new AgentOptionError('--image-pull-behavior', `unknown behavior ${JSON.stringify(pull)}`);
  }
  const attrs = attributes(o.attribute);
  return {
    cluster: o.cluster,
    ...(o.instanceId ? { instanceId: o.instanceId } : {}),
    advertiseIp: o.advertiseIp,
    ...(o.availabilityZone ? { availabilityZone: o.availabilityZone } : {}),
    ...(attrs ? { attributes: attrs } : {}),
    ...(o.reservedPorts ? { reservedPorts: ports('--reserved-ports', o.reservedPorts) } : {}),
    ...(o.reservedMemory !== undefined ? { reservedMemoryMiB: o.reservedMemory } : {}),
    dataDir: o.dataDir,
    ...(o.cleanupWait !== undefined ? { cleanupWaitMs: o.cleanupWait } : {}),
    ...(pull !== undefined ? { imagePullBehavior: pull as PullBehavior } : {}),
    ...(o.containerDns ? { containerDns: o.containerDns } : {}),
    ...(o.pollWait !== undefined ? { pollWaitSeconds: Math.round(o.pollWait / 1000) } : {}),
    ...(o.degradedAfter !== undefined ? { degradedAfterMs: o.degradedAfter } : {}),
    ...(threshold !== undefined ? { imageGcThresholdPercent: threshold } : {}),
    ...(o.imageGcMinAge !== undefined ? { imageGcMinAgeMs: o.imageGcMinAge } : {}),
    ...(o.housekeepingIntervalMs !== undefined
      ? { housekeepingIntervalMs: o.housekeepingIntervalMs }
      : {}),
    ...(o.resyncIntervalMs !== undefined ? { resyncIntervalMs: o.resyncIntervalMs } : {}),
    ...(o.stopTimeout !== undefined ? { stopTimeoutS: Math.ceil(o.stopTimeout / 1000) } : {}),
    ...(o.hostIp !== undefined ? { hostIp: o.hostIp } : {}),
    ...(o.extraLabels ? { extraLabels: o.extraLabels } : {}),
    ...(o.retryBaseMs !== undefined ? { retryBaseMs: o.retryBaseMs } : {}),
    ...(o.retryMaxMs !== undefined ? { retryMaxMs: o.retryMaxMs } : {}),
    ...(o.agentVersion !== undefined ? { agentVersion: o.agentVersion } : {}),
  };
}
