/**
 * Pure helpers of `berth logs`: which agent to ask for a task's logs, and which lines of a
 * newer tail are new. No I/O.
 */

import type { ContainerInstance } from '@aws-sdk/client-ecs';
import { ATTRIBUTE_ADVERTISE_IP } from '@berth/protocol';
import type { DevFile } from '../dev/dev-files.js';
import { CliError } from '../errors.js';

/**
 * The introspection URL of the agent on `instance`'s host: the dev file's URL for that
 * instance id, else `http://<berth.advertise-ip>:51678`.
 */
export function agentUrlFor(
  instance: ContainerInstance | undefined,
  dev: DevFile | undefined,
): string {
  if (!instance) throw new CliError('NOT_FOUND', 'the task has no container instance yet');
  const fromDev = dev?.hosts.find((h) => h.instanceId === instance.ec2InstanceId);
  if (fromDev) return fromDev.agent;
  const ip = instance.attributes?.find((a) => a.name === ATTRIBUTE_ADVERTISE_IP)?.value;
  if (!ip)
    throw new CliError(
      'NOT_FOUND',
      "the task's host has no berth.advertise-ip attribute; pass --agent URL",
    );
  return `http://${ip}:51678`;
}

/**
 * Lines of `latest` that follow what `previous` ended with: the longest suffix of `previous`
 * found as a prefix run in `latest` marks where new lines begin. When nothing overlaps, every
 * line of `latest` is new.
 */
export function newLines(previous: readonly string[], latest: readonly string[]): string[] {
  for (let k = Math.min(previous.length, latest.length); k > 0; k--) {
    const tail = previous.slice(previous.length - k);
    for (let start = latest.length - k; start >= 0; start--) {
      if (tail.every((l, i) => latest[start + i] === l)) return latest.slice(start + k);
    }
  }
  return [...latest];
}
