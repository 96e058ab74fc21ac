/**
 * The parts of mapping an ECS task definition to Docker that planTask (docker-config.ts)
 * assembles: environment and overrides, network mode, port mappings, the health check, task
 * volumes, the start order (dependsOn) and the checks of a definition. Pure: no Docker, no
 * clock, no environment; a definition it cannot map is a TaskConfigError naming the field.
 */

import {
  type ContainerDefinition,
  type KeyValuePair,
  type TaskDefinition,
  type TaskOverride,
} from '@berth/protocol';
import { TaskConfigError } from '../errors.js';
import { taskVolumeNameOf } from './labels.js';
import {
  type DockerCreateOptions,
  type PlannedVolume,
  type TaskPlanInput,
} from './docker-config.js';

/** ECS's default for the health check fields, in seconds. */
export const HEALTH_DEFAULTS = { interval: 30, timeout: 5, retries: 3, startPeriod: 0 } as const;

const NS_PER_S = 1_000_000_000;

export function mergeEnv(
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

export function networkModeOf(td: TaskDefinition): 'bridge' | 'host' | 'none' {
  const mode = td.networkMode ?? 'bridge';
  if (mode === 'bridge' || mode === 'host' || mode === 'none') return mode;
  throw new TaskConfigError(
    'networkMode',
    `${JSON.stringify(mode)} is not supported by berth (use bridge, host or none)`,
  );
}

export function isPort(n: unknown): n is number {
  return typeof n === 'number' && Number.isInteger(n) && n >= 1 && n <= 65535;
}

export function portMappingsOf(
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

export function healthcheckOf(c: ContainerDefinition): DockerCreateOptions['Healthcheck'] {
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
export function planVolumes(
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
export function startOrder(defs: readonly ContainerDefinition[]): ContainerDefinition[] {
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

export function checkDefinitions(td: TaskDefinition): void {
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
