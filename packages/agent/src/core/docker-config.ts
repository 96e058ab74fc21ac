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
  type ContainerRestartPolicy,
  LABEL_CLUSTER,
  LABEL_INSTANCE_ID,
  LABEL_TASK_ARN,
  type TaskDefinition,
  type TaskOverride,
} from '@berth/protocol';
import { TaskConfigError } from '../errors.js';
import { dockerNameOf, identityLabels } from './labels.js';
import {
  applyOverride,
  networkModeOf,
  portMappingsOf,
  healthcheckOf,
  planVolumes,
  startOrder,
  checkDefinitions,
} from './definition-parts.js';

export { HEALTH_DEFAULTS, applyOverride } from './definition-parts.js';

/** ECS passes at least 2 CPU shares to Docker (0 would mean Docker's 1024). */
export const MIN_CPU_SHARES = 2;
/** The search domain added with `--container-dns`. */
export const CONSUL_SEARCH_DOMAIN = 'service.consul';

const MIB = 1024 * 1024;

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
