/**
 * Task definition → Docker: the pure mapping from an ECS task (definition, overrides, the
 * agent's settings) to the Docker Engine create options of each container, the task volumes
 * to create, and the order to create and start containers in. ECS meaning throughout (cpu →
 * CpuShares with ECS's minimum of 2, memory → hard limit, memoryReservation → soft limit,
 * hostPort 0 → a port Docker picks, ...).
 *
 * It must never talk to Docker, read the clock or the environment; a definition it cannot map
 * is a TaskConfigError naming the field. Docker's own restart policy is always "no": restarts
 * are the agent's (restart-policy.ts), so each one is seen and reported.
 */

import {
  type ContainerDefinition,
  type ContainerRestartPolicy,
  type KeyValuePair,
  LABEL_CLUSTER,
  LABEL_INSTANCE_ID,
  LABEL_TASK_ARN,
  type TaskDefinition,
  type TaskOverride,
} from '@berth/protocol';
import { TaskConfigError } from './errors.js';
import { dockerNameOf, identityLabels, taskVolumeNameOf } from './labels.js';

/** ECS passes at least 2 CPU shares to Docker (0 would mean Docker's 1024). */
export const MIN_CPU_SHARES = 2;
/** The search domain added with `--container-dns`. */
export const CONSUL_SEARCH_DOMAIN = 'service.consul';
/** ECS's default for the health check fields, in seconds. */
export const HEALTH_DEFAULTS = { interval: 30, timeout: 5, retries: 3, startPeriod: 0 } as const;

const MIB = 1024 * 1024;
const NS_PER_S = 1_000_000_000;

/** The Docker Engine create options the agent sets (a subset of the API's). */
export interface DockerCreateOptions {
  readonly name: string;
  readonly Image: string;
  readonly Cmd?: string[];
  readonly Entrypoint?: string[];
  readonly Env: string[];
  readonly Labels: Record<string, string>;
  readonly ExposedPorts: Record<string, Record<string, never>>;
  readonly WorkingDir?: string;
  readonly User?: string;
  readonly Hostname?: string;
  readonly StopTimeout: number;
  readonly Healthcheck?: {
    Test: string[];
    Interval: number;
    Timeout: number;
    Retries: number;
    StartPeriod: number;
  };
  readonly HostConfig: {
    NetworkMode: string;
    PortBindings: Record<string, { HostIp: string; HostPort: string }[]>;
    CpuShares: number;
    Memory?: number;
    MemoryReservation?: number;
    Links?: string[];
    Binds?: string[];
    VolumesFrom?: string[];
    Ulimits?: { Name: string; Soft: number; Hard: number }[];
    LogConfig?: { Type: string; Config: Record<string, string> };
    Dns?: string[];
    DnsSearch?: string[];
    ExtraHosts?: string[];
    RestartPolicy: { Name: 'no' };
  };
}

/** A Docker volume the task needs before its containers are created. */
export interface PlannedVolume {
  /** The ECS volume name. */
  readonly name: string;
  /** The Docker volume name. */
  readonly dockerName: string;
  /** Task-scoped volumes are named after the task and removed with it. */
  readonly taskScoped: boolean;
  readonly driver: string;
  readonly driverOpts: Readonly<Record<string, string>>;
  readonly labels: Readonly<Record<string, string>>;
}

/** One container of a task, ready to create. */
export interface PlannedContainer {
  readonly name: string;
  readonly dockerName: string;
  readonly image: string;
  readonly essential: boolean;
  readonly restartPolicy: ContainerRestartPolicy | undefined;
  /** Seconds `docker stop` waits before SIGKILL. */
  readonly stopTimeoutS: number;
  readonly portMappings: readonly {
    containerPort: number;
    hostPort: number;
    protocol: 'tcp' | 'udp';
  }[];
  readonly options: DockerCreateOptions;
}

/** A task ready to create: volumes first, then containers in dependency order. */
export interface TaskPlan {
  readonly networkMode: 'bridge' | 'host' | 'none';
  readonly volumes: readonly PlannedVolume[];
  /** Dependencies (links, volumesFrom, dependsOn) before dependents. */
  readonly containers: readonly PlannedContainer[];
}

/** What besides the definition the mapping needs. */
export interface TaskPlanInput {
  readonly cluster: string;
  readonly instanceId: string;
  readonly taskArn: string;
  readonly taskDefinition: TaskDefinition;
  readonly overrides?: TaskOverride;
  /** `--container-dns`: resolver for containers that name no dnsServers. */
  readonly containerDns?: string;
  /** Host address ports are published on; '' (default) is every address. */
  readonly hostIp?: string;
  /** Default `docker stop` timeout in seconds when a container names none (ECS: 30). */
  readonly defaultStopTimeoutS?: number;
  /** Extra labels on every container and volume (e.g. a test run id). */
  readonly extraLabels?: Readonly<Record<string, string>>;
}

function mergeEnv(
  base: readonly KeyValuePair[] | undefined,
  over: readonly KeyValuePair[] | undefined,
): string[] {
  const out = new Map<string, string>();
  for (const kv of [...(base ?? []), ...(over ?? [])]) {
    if (!kv.name) continue;
    out.set(kv.name, kv.value ?? '');
  }
  return [...out].map(([k, v]) => `${k}=${v}`);
}

/** A container definition with its override (by name) applied. */
export function applyOverride(
  def: ContainerDefinition,
  overrides: TaskOverride | undefined,
): ContainerDefinition & { readonly env: string[] } {
  const o = overrides?.containerOverrides?.find((c) => c.name === def.name);
  return {
    ...def,
    ...(o?.command ? { command: o.command } : {}),
    ...(o?.cpu !== undefined ? { cpu: o.cpu } : {}),
    ...(o?.memory !== undefined ? { memory: o.memory } : {}),
    ...(o?.memoryReservation !== undefined ? { memoryReservation: o.memoryReservation } : {}),
    env: mergeEnv(def.environment, o?.environment),
  };
}

function networkModeOf(td: TaskDefinition): 'bridge' | 'host' | 'none' {
  const mode = td.networkMode ?? 'bridge';
  if (mode === 'bridge' || mode === 'host' || mode === 'none') return mode;
  throw new TaskConfigError(
    'networkMode',
    `${JSON.stringify(mode)} is not supported by berth (use bridge, host or none)`,
  );
}

function isPort(n: unknown): n is number {
  return typeof n === 'number' && Number.isInteger(n) && n >= 1 && n <= 65535;
}

function portMappingsOf(
  c: ContainerDefinition,
  mode: 'bridge' | 'host' | 'none',
): { containerPort: number; hostPort: number; protocol: 'tcp' | 'udp' }[] {
  const field = `containerDefinitions[${c.name}].portMappings`;
  const out: { containerPort: number; hostPort: number; protocol: 'tcp' | 'udp' }[] = [];
  for (const [i, pm] of (c.portMappings ?? []).entries()) {
    const at = `${field}[${i}]`;
    if (!isPort(pm.containerPort)) {
      throw new TaskConfigError(
        `${at}.containerPort`,
        `${JSON.stringify(pm.containerPort)} is not a port`,
      );
    }
    const protocol = (pm.protocol ?? 'tcp').toLowerCase();
    if (protocol !== 'tcp' && protocol !== 'udp') {
      throw new TaskConfigError(
        `${at}.protocol`,
        `${JSON.stringify(pm.protocol)} is not tcp or udp`,
      );
    }
    let hostPort = pm.hostPort ?? 0;
    if (hostPort !== 0 && !isPort(hostPort)) {
      throw new TaskConfigError(`${at}.hostPort`, `${JSON.stringify(pm.hostPort)} is not a port`);
    }
    if (mode === 'none') {
      throw new TaskConfigError(at, 'port mappings are not allowed with networkMode none');
    }
    if (mode === 'host') {
      if (hostPort !== 0 && hostPort !== pm.containerPort) {
        throw new TaskConfigError(
          `${at}.hostPort`,
          `must equal containerPort (${pm.containerPort}) with networkMode host`,
        );
      }
      hostPort = pm.containerPort;
    }
    out.push({ containerPort: pm.containerPort, hostPort, protocol });
  }
  return out;
}

function healthcheckOf(c: ContainerDefinition): DockerCreateOptions['Healthcheck'] {
  const h = c.healthCheck;
  if (!h) return undefined;
  if (!Array.isArray(h.command) || h.command.length === 0) {
    throw new TaskConfigError(
      `containerDefinitions[${c.name}].healthCheck.command`,
      'must be a non-empty list (["CMD-SHELL", "..."] or ["CMD", ...])',
    );
  }
  return {
    Test: [...h.command],
    Interval: (h.interval ?? HEALTH_DEFAULTS.interval) * NS_PER_S,
    Timeout: (h.timeout ?? HEALTH_DEFAULTS.timeout) * NS_PER_S,
    Retries: h.retries ?? HEALTH_DEFAULTS.retries,
    StartPeriod: (h.startPeriod ?? HEALTH_DEFAULTS.startPeriod) * NS_PER_S,
  };
}

/** ECS `volumes` → the Docker volumes to create and a lookup for mountPoints. */
function planVolumes(
  input: TaskPlanInput,
  labels: Readonly<Record<string, string>>,
): { volumes: PlannedVolume[]; sourceOf: Map<string, string> } {
  const volumes: PlannedVolume[] = [];
  const sourceOf = new Map<string, string>();
  for (const [i, v] of (input.taskDefinition.volumes ?? []).entries()) {
    const name = v.name;
    if (!name) throw new TaskConfigError(`volumes[${i}].name`, 'is required');
    if (sourceOf.has(name)) throw new TaskConfigError(`volumes[${i}].name`, `${name} is repeated`);
    const sourcePath = v.host?.sourcePath;
    if (sourcePath !== undefined && sourcePath !== '') {
      if (!sourcePath.startsWith('/')) {
        throw new TaskConfigError(
          `volumes[${name}].host.sourcePath`,
          `${JSON.stringify(sourcePath)} is not an absolute path`,
        );
      }
      sourceOf.set(name, sourcePath);
      continue;
    }
    const dv = v.dockerVolumeConfiguration;
    const shared = dv?.scope === 'shared';
    const dockerName = shared ? name : taskVolumeNameOf(input.taskArn, name);
    sourceOf.set(name, dockerName);
    volumes.push({
      name,
      dockerName,
      taskScoped: !shared,
      driver: dv?.driver ?? 'local',
      driverOpts: { ...(dv?.driverOpts ?? {}) },
      labels: { ...(dv?.labels ?? {}), ...(shared ? {} : labels) },
    });
  }
  return { volumes, sourceOf };
}

/** Orders containers so that links, volumesFrom and dependsOn targets come first. */
function startOrder(defs: readonly ContainerDefinition[]): ContainerDefinition[] {
  const byName = new Map(defs.map((d) => [d.name, d]));
  const deps = (d: ContainerDefinition): string[] => [
    ...(d.links ?? []).map((l) => l.split(':', 1)[0] as string),
    ...(d.volumesFrom ?? []).map((v) => v.sourceContainer ?? ''),
    ...(d.dependsOn ?? []).map((x) => x.containerName),
  ];
  const out: ContainerDefinition[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (d: ContainerDefinition, path: string[]): void => {
    const s = state.get(d.name);
    if (s === 'done') return;
    if (s === 'visiting') {
      throw new TaskConfigError(
        `containerDefinitions[${d.name}]`,
        `dependency cycle: ${[...path, d.name].join(' → ')}`,
      );
    }
    state.set(d.name, 'visiting');
    for (const dep of deps(d)) {
      const target = byName.get(dep);
      if (!target) {
        throw new TaskConfigError(
          `containerDefinitions[${d.name}]`,
          `refers to unknown container ${JSON.stringify(dep)} (links, volumesFrom or dependsOn)`,
        );
      }
      visit(target, [...path, d.name]);
    }
    state.set(d.name, 'done');
    out.push(d);
  };
  for (const d of defs) visit(d, []);
  return out;
}

function checkDefinitions(td: TaskDefinition): void {
  if (!Array.isArray(td.containerDefinitions) || td.containerDefinitions.length === 0) {
    throw new TaskConfigError('containerDefinitions', 'must list at least one container');
  }
  const seen = new Set<string>();
  for (const [i, c] of td.containerDefinitions.entries()) {
    if (!c.name) throw new TaskConfigError(`containerDefinitions[${i}].name`, 'is required');
    if (seen.has(c.name)) {
      throw new TaskConfigError(`containerDefinitions[${i}].name`, `${c.name} is repeated`);
    }
    seen.add(c.name);
    if (!c.image || typeof c.image !== 'string') {
      throw new TaskConfigError(`containerDefinitions[${c.name}].image`, 'is required');
    }
  }
  if (!td.containerDefinitions.some((c) => c.essential !== false)) {
    throw new TaskConfigError('containerDefinitions', 'at least one container must be essential');
  }
}

/**
 * Maps a task to the Docker objects that run it. Throws TaskConfigError (naming the field)
 * for a definition berth cannot run.
 */
export function planTask(input: TaskPlanInput): TaskPlan {
  const td = input.taskDefinition;
  checkDefinitions(td);
  const mode = networkModeOf(td);
  const version = String(td.revision);
  const taskLabels = {
    ...(input.extraLabels ?? {}),
    [LABEL_CLUSTER]: input.cluster,
    [LABEL_TASK_ARN]: input.taskArn,
    [LABEL_INSTANCE_ID]: input.instanceId,
  };
  const { volumes, sourceOf } = planVolumes(input, taskLabels);
  const dockerNames = new Map(
    td.containerDefinitions.map((c) => [
      c.name,
      dockerNameOf(td.family, td.revision, c.name, input.taskArn),
    ]),
  );
  const containers = startOrder(td.containerDefinitions).map((raw): PlannedContainer => {
    const c = applyOverride(raw, input.overrides);
    const field = `containerDefinitions[${c.name}]`;
    const dockerName = dockerNames.get(c.name) as string;
    const ports = portMappingsOf(c, mode);
    const exposed: Record<string, Record<string, never>> = {};
    const bindings: Record<string, { HostIp: string; HostPort: string }[]> = {};
    for (const p of ports) {
      const key = `${p.containerPort}/${p.protocol}`;
      exposed[key] = {};
      if (mode === 'bridge') {
        (bindings[key] ??= []).push({
          HostIp: input.hostIp ?? '',
          HostPort: p.hostPort === 0 ? '' : String(p.hostPort),
        });
      }
    }
    const binds = (c.mountPoints ?? []).map((m, i) => {
      const source = m.sourceVolume === undefined ? undefined : sourceOf.get(m.sourceVolume);
      if (source === undefined) {
        throw new TaskConfigError(
          `${field}.mountPoints[${i}].sourceVolume`,
          `${JSON.stringify(m.sourceVolume)} is not a volume of the task`,
        );
      }
      if (!m.containerPath || !m.containerPath.startsWith('/')) {
        throw new TaskConfigError(
          `${field}.mountPoints[${i}].containerPath`,
          `${JSON.stringify(m.containerPath)} is not an absolute path`,
        );
      }
      return `${source}:${m.containerPath}${m.readOnly ? ':ro' : ''}`;
    });
    if (mode !== 'bridge' && (c.links?.length ?? 0) > 0) {
      throw new TaskConfigError(`${field}.links`, `links need networkMode bridge, not ${mode}`);
    }
    const links = (c.links ?? []).map((l) => {
      const [target, alias] = l.split(':', 2) as [string, string | undefined];
      return `${dockerNames.get(target)}:${alias ?? target}`;
    });
    const volumesFrom = (c.volumesFrom ?? []).map(
      (v) => `${dockerNames.get(v.sourceContainer ?? '')}${v.readOnly ? ':ro' : ''}`,
    );
    const useContainerDns =
      input.containerDns !== undefined && !c.dnsServers?.length && mode === 'bridge';
    const dns = useContainerDns ? [input.containerDns as string] : c.dnsServers;
    const dnsSearch = useContainerDns
      ? [...new Set([...(c.dnsSearchDomains ?? []), CONSUL_SEARCH_DOMAIN])]
      : c.dnsSearchDomains;
    const stopTimeoutS = c.stopTimeout ?? input.defaultStopTimeoutS ?? 30;
    const healthcheck = healthcheckOf(c);
    const cpu = c.cpu ?? 0;
    const hostConfig: DockerCreateOptions['HostConfig'] = {
      NetworkMode: mode,
      PortBindings: bindings,
      CpuShares: Math.max(cpu, MIN_CPU_SHARES),
      ...(c.memory ? { Memory: c.memory * MIB } : {}),
      ...(c.memoryReservation ? { MemoryReservation: c.memoryReservation * MIB } : {}),
      ...(links.length ? { Links: links } : {}),
      ...(binds.length ? { Binds: binds } : {}),
      ...(volumesFrom.length ? { VolumesFrom: volumesFrom } : {}),
      ...(c.ulimits?.length
        ? {
            Ulimits: c.ulimits.map((u) => ({ Name: u.name, Soft: u.softLimit, Hard: u.hardLimit })),
          }
        : {}),
      ...(c.logConfiguration
        ? {
            LogConfig: {
              Type: c.logConfiguration.logDriver,
              Config: { ...(c.logConfiguration.options ?? {}) },
            },
          }
        : {}),
      ...(dns?.length ? { Dns: [...dns] } : {}),
      ...(dnsSearch?.length ? { DnsSearch: [...dnsSearch] } : {}),
      ...(c.extraHosts?.length
        ? { ExtraHosts: c.extraHosts.map((h) => `${h.hostname}:${h.ipAddress}`) }
        : {}),
      RestartPolicy: { Name: 'no' },
    };
    const options: DockerCreateOptions = {
      name: dockerName,
      Image: c.image,
      ...(c.command ? { Cmd: [...c.command] } : {}),
      ...(c.entryPoint ? { Entrypoint: [...c.entryPoint] } : {}),
      Env: c.env,
      Labels: {
        ...(c.dockerLabels ?? {}),
        ...(input.extraLabels ?? {}),
        ...identityLabels({
          cluster: input.cluster,
          taskArn: input.taskArn,
          containerName: c.name,
          family: td.family,
          version,
          instanceId: input.instanceId,
        }),
      },
      ExposedPorts: exposed,
      ...(c.workingDirectory ? { WorkingDir: c.workingDirectory } : {}),
      ...(c.user ? { User: c.user } : {}),
      ...(c.hostname ? { Hostname: c.hostname } : {}),
      StopTimeout: stopTimeoutS,
      ...(healthcheck ? { Healthcheck: healthcheck } : {}),
      HostConfig: hostConfig,
    };
    return {
      name: c.name,
      dockerName,
      image: c.image,
      essential: c.essential !== false,
      restartPolicy: c.restartPolicy,
      stopTimeoutS,
      portMappings: ports,
      options,
    };
  });
  return { networkMode: mode, volumes, containers };
}
