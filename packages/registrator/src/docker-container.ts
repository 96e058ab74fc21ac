/**
 * Converts Docker's `inspect` answer into the registrator's ContainerInfo. Pure; tolerant of
 * missing fields (older engines, stopped containers), never throws on engine data.
 */

import type {
  ContainerHealth,
  ContainerInfo,
  ContainerPort,
  ContainerState,
  PortBinding,
} from './types.js';

const HEALTH: ReadonlySet<string> = new Set(['starting', 'healthy', 'unhealthy']);

/** The part of Docker's container inspect answer the registrator reads. */
export interface DockerInspect {
  readonly Id: string;
  readonly Name?: string;
  readonly State?: {
    readonly Status?: string;
    readonly ExitCode?: number;
    readonly Health?: { readonly Status?: string } | null;
  } | null;
  readonly Config?: {
    readonly Image?: string;
    readonly Env?: readonly string[] | null;
    readonly Labels?: Readonly<Record<string, string>> | null;
    readonly ExposedPorts?: Readonly<Record<string, unknown>> | null;
  } | null;
  readonly HostConfig?: { readonly NetworkMode?: string } | null;
  readonly NetworkSettings?: {
    readonly IPAddress?: string;
    readonly Ports?: Readonly<
      Record<string, readonly { readonly HostIp?: string; readonly HostPort?: string }[] | null>
    > | null;
    readonly Networks?: Readonly<Record<string, { readonly IPAddress?: string }>> | null;
  } | null;
}

const STATES: ReadonlySet<string> = new Set([
  'created',
  'running',
  'paused',
  'restarting',
  'removing',
  'exited',
  'dead',
]);

function parsePortKey(key: string): { port: number; protocol: 'tcp' | 'udp' } | undefined {
  const m = /^(\d+)(?:\/(tcp|udp|sctp))?$/.exec(key);
  if (!m) return undefined;
  const port = Number(m[1]);
  const protocol = m[2] ?? 'tcp';
  if (protocol === 'sctp' || port < 1 || port > 65535) return undefined;
  return { port, protocol: protocol as 'tcp' | 'udp' };
}

/** ContainerInfo from a Docker inspect answer. */
export function containerFromInspect(info: DockerInspect): ContainerInfo {
  const hostNetwork = info.HostConfig?.NetworkMode === 'host';
  const ports = new Map<string, ContainerPort>();
  for (const key of Object.keys(info.Config?.ExposedPorts ?? {})) {
    const p = parsePortKey(key);
    if (!p) continue;
    // With host networking a port is reachable on the host as is (registrator does the same).
    const bindings: PortBinding[] = hostNetwork ? [{ hostIp: '', hostPort: p.port }] : [];
    ports.set(`${p.port}/${p.protocol}`, { ...p, bindings });
  }
  for (const [key, raw] of Object.entries(info.NetworkSettings?.Ports ?? {})) {
    const p = parsePortKey(key);
    if (!p) continue;
    const bindings: PortBinding[] = [];
    for (const b of raw ?? []) {
      const hostPort = Number(b.HostPort);
      if (Number.isInteger(hostPort) && hostPort > 0 && hostPort <= 65535) {
        bindings.push({ hostIp: b.HostIp ?? '', hostPort });
      }
    }
    ports.set(`${p.port}/${p.protocol}`, { ...p, bindings });
  }
  let ip = info.NetworkSettings?.IPAddress ?? '';
  if (!ip) {
    for (const n of Object.values(info.NetworkSettings?.Networks ?? {})) {
      if (n.IPAddress) {
        ip = n.IPAddress;
        break;
      }
    }
  }
  const status = info.State?.Status ?? '';
  const health = info.State?.Health?.Status ?? '';
  return {
    id: info.Id,
    name: (info.Name ?? '').replace(/^\//, ''),
    image: info.Config?.Image ?? '',
    env: [...(info.Config?.Env ?? [])],
    labels: { ...(info.Config?.Labels ?? {}) },
    ports: [...ports.values()],
    ip,
    state: (STATES.has(status) ? status : 'dead') as ContainerState,
    exitCode: info.State?.ExitCode ?? 0,
    ...(HEALTH.has(health) ? { health: health as ContainerHealth } : {}),
  };
}
