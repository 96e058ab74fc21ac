/**
 * Docker's container `inspect` answer to `DockerContainer`: everything berth's daemons read
 * about a container, typed and with Docker's quirks undone (the leading `/` of names, Go's zero
 * time, port keys as text, the IP in either of two places). Pure and tolerant of missing fields
 * (older engines, stopped containers); it must never throw on engine data nor decide what a
 * container means to a daemon (the agent and the registrator take their own views of it).
 */

/** Docker's container states. */
export type DockerContainerState =
  'created' | 'running' | 'paused' | 'restarting' | 'removing' | 'exited' | 'dead';

/** Docker's health states of a container with a HEALTHCHECK. */
export type DockerHealth = 'starting' | 'healthy' | 'unhealthy';

/** One host binding of a container port. `hostIp` '' / `0.0.0.0` / `::` mean every address. */
export interface DockerPortBinding {
  readonly hostIp: string;
  readonly hostPort: number;
}

/** One port a container exposes or publishes, with its host bindings (empty when none). */
export interface DockerPort {
  readonly port: number;
  readonly protocol: 'tcp' | 'udp' | 'sctp';
  readonly bindings: readonly DockerPortBinding[];
}

/** One mount of a container. */
export interface DockerMount {
  /** The volume's name (volumes only). */
  readonly name?: string;
  readonly source: string;
  readonly destination: string;
}

/** A container as berth reads it. */
export interface DockerContainer {
  readonly id: string;
  /** Without Docker's leading `/`. */
  readonly name: string;
  /** The image as the container was created from it (`Config.Image`). */
  readonly image: string;
  /** The image ID (`Image`). */
  readonly imageId: string;
  readonly labels: Readonly<Record<string, string>>;
  /** `KEY=value` entries of `Config.Env`. */
  readonly env: readonly string[];
  /** undefined when the engine gave none or one berth does not know. */
  readonly state: DockerContainerState | undefined;
  readonly running: boolean;
  /** `State.ExitCode` as the engine gave it (meaningful once exited or dead). */
  readonly exitCode: number | undefined;
  readonly oomKilled: boolean;
  /** `State.Error` ('' when none). */
  readonly error: string;
  /** ms since the epoch; undefined when never (Go's zero time) or not given. */
  readonly createdAt: number | undefined;
  readonly startedAt: number | undefined;
  readonly finishedAt: number | undefined;
  /** undefined when the container has no HEALTHCHECK. */
  readonly health: DockerHealth | undefined;
  /** `HostConfig.NetworkMode` (bridge, host, none, a network name; '' when not given). */
  readonly networkMode: string;
  /** The container's own IP address ('' when it has none, e.g. host networking). */
  readonly ip: string;
  /** Every exposed or published port, in the engine's order, exposed ones first. */
  readonly ports: readonly DockerPort[];
  readonly mounts: readonly DockerMount[];
}

/** The part of Docker's container inspect answer berth reads. */
export interface DockerInspect {
  readonly Id: string;
  readonly Name?: string;
  readonly Created?: string;
  readonly Image?: string;
  readonly State?: {
    readonly Status?: string;
    readonly Running?: boolean;
    readonly ExitCode?: number;
    readonly OOMKilled?: boolean;
    readonly Error?: string;
    readonly StartedAt?: string;
    readonly FinishedAt?: string;
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
  readonly Mounts?: readonly {
    readonly Name?: string;
    readonly Source?: string;
    readonly Destination?: string;
  }[];
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
const HEALTH: ReadonlySet<string> = new Set(['starting', 'healthy', 'unhealthy']);

function parsePortKey(key: string): Omit<DockerPort, 'bindings'> | undefined {
  const m = /^(\d+)(?:\/(tcp|udp|sctp))?$/.exec(key);
  if (!m) return undefined;
  const port = Number(m[1]);
  if (port < 1 || port > 65535) return undefined;
  return { port, protocol: (m[2] ?? 'tcp') as DockerPort['protocol'] };
}

function timeOf(text: unknown): number | undefined {
  if (typeof text !== 'string' || text.startsWith('0001-')) return undefined;
  const ms = Date.parse(text);
  return Number.isFinite(ms) && ms > 0 ? ms : undefined;
}

function portsOf(info: DockerInspect): DockerPort[] {
  const ports = new Map<string, DockerPort>();
  for (const key of Object.keys(info.Config?.ExposedPorts ?? {})) {
    const p = parsePortKey(key);
    if (p) ports.set(`${p.port}/${p.protocol}`, { ...p, bindings: [] });
  }
  for (const [key, raw] of Object.entries(info.NetworkSettings?.Ports ?? {})) {
    const p = parsePortKey(key);
    if (!p) continue;
    const bindings: DockerPortBinding[] = [];
    for (const b of raw ?? []) {
      const hostPort = Number(b.HostPort);
      if (Number.isInteger(hostPort) && hostPort > 0 && hostPort <= 65535) {
        bindings.push({ hostIp: b.HostIp ?? '', hostPort });
      }
    }
    ports.set(`${p.port}/${p.protocol}`, { ...p, bindings });
  }
  return [...ports.values()];
}

function ipOf(info: DockerInspect): string {
  const ip = info.NetworkSettings?.IPAddress ?? '';
  if (ip) return ip;
  for (const n of Object.values(info.NetworkSettings?.Networks ?? {})) {
    if (n.IPAddress) return n.IPAddress;
  }
  return '';
}

/** DockerContainer from a Docker inspect answer. */
export function containerFromInspect(info: DockerInspect): DockerContainer {
  const state = info.State ?? {};
  const status = state.Status ?? '';
  const health = state.Health?.Status ?? '';
  return {
    id: info.Id,
    name: (info.Name ?? '').replace(/^\//, ''),
    image: info.Config?.Image ?? '',
    imageId: info.Image ?? '',
    labels: { ...(info.Config?.Labels ?? {}) },
    env: [...(info.Config?.Env ?? [])],
    state: STATES.has(status) ? (status as DockerContainerState) : undefined,
    running: state.Running === true,
    exitCode: state.ExitCode,
    oomKilled: state.OOMKilled === true,
    error: state.Error ?? '',
    createdAt: timeOf(info.Created),
    startedAt: timeOf(state.StartedAt),
    finishedAt: timeOf(state.FinishedAt),
    health: HEALTH.has(health) ? (health as DockerHealth) : undefined,
    networkMode: info.HostConfig?.NetworkMode ?? '',
    ip: ipOf(info),
    ports: portsOf(info),
    mounts: (info.Mounts ?? []).map((m) => ({
      ...(m.Name ? { name: m.Name } : {}),
      source: m.Source ?? '',
      destination: m.Destination ?? '',
    })),
  };
}
