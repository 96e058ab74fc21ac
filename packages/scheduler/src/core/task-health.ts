/**
 * A task's health as ECS's DescribeTasks shows it, from its containers' Docker health as the
 * agent reported it: UNHEALTHY when an essential container is unhealthy, HEALTHY when every
 * essential container with a health check is healthy, otherwise UNKNOWN. Pure; must never
 * read anything but its arguments.
 */
import type { ContainerHealthStatus } from '@berth/protocol';
import type { ContainerRec } from '../state/records.js';

/** The task's health and whether any essential container defines a health check. */
export function taskHealth(
  containers: readonly ContainerRec[] | undefined,
  defs: readonly Record<string, unknown>[],
): { healthStatus: ContainerHealthStatus; healthChecked: boolean } {
  let checked = 0;
  let healthy = 0;
  let unhealthy = false;
  for (const d of defs) {
    if (d['essential'] === false) continue;
    const hc = d['healthCheck'] as { command?: unknown[] } | undefined;
    const c = containers?.find((x) => x.name === d['name']);
    if (c?.healthStatus === 'UNHEALTHY') unhealthy = true;
    if (!hc || !Array.isArray(hc.command) || hc.command.length === 0) continue;
    checked++;
    if (c?.healthStatus === 'HEALTHY') healthy++;
  }
  const healthStatus: ContainerHealthStatus = unhealthy
    ? 'UNHEALTHY'
    : checked > 0 && healthy === checked
      ? 'HEALTHY'
      : 'UNKNOWN';
  return { healthStatus, healthChecked: checked > 0 };
}

/** Parses a reported health status (Docker's words accepted too). */
export function parseHealthStatus(v: string | undefined): ContainerHealthStatus | undefined {
  if (v === undefined) return undefined;
  const u = v.toUpperCase();
  if (u === 'HEALTHY' || u === 'UNHEALTHY' || u === 'UNKNOWN') return u;
  if (u === 'STARTING') return 'UNKNOWN';
  return undefined;
}
