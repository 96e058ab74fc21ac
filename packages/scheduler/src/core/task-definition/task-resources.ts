/**
 * What one task of a task definition holds on a container instance: CPU units, MiB and the
 * fixed host ports, with RunTask / StartTask overrides applied as ECS applies them. Pure:
 * must never do I/O.
 */

import { TaskDefinitionError } from './errors.js';
import { FieldReader } from './field-reader.js';
import { parseTaskCpu, parseTaskMemory } from './task-size.js';
import type { ContainerOverride, TaskOverride } from '@berth/protocol';
import type { Draft, TaskDefinitionInput } from './types.js';

/** Resources one task reserves on its instance. */
export interface TaskResources {
  /** CPU units. */
  cpu: number;
  /** MiB. */
  memory: number;
  /** Fixed host ports, sorted, without duplicates. */
  tcpPorts: number[];
  udpPorts: number[];
}

/**
 * CPU units and MiB the task reserves — the task-level values when set, else the sum over its
 * containers (a container reserves `memoryReservation` when given, else `memory`, as ECS
 * subtracts them) — and the fixed host ports it needs: every `hostPort` > 0, which in host
 * network mode is the container port. Dynamic ports (hostPort 0 in bridge mode) are not
 * reserved. `overrides` is RunTask's `overrides` (validated here).
 * @throws TaskDefinitionError (InvalidParameterException) for malformed overrides.
 */
export function taskResources(
  td: TaskDefinitionInput,
  overrides?: TaskOverride | unknown,
): TaskResources {
  const o =
    overrides === undefined || overrides === null ? undefined : validateTaskOverride(overrides, td);
  const byName = new Map<string, ContainerOverride>();
  for (const c of o?.containerOverrides ?? []) byName.set(c.name, c);

  let cpu = parseTaskCpu(o?.cpu ?? td.cpu);
  let memory = parseTaskMemory(o?.memory ?? td.memory);
  if (cpu === undefined || memory === undefined) {
    let cpuSum = 0;
    let memSum = 0;
    for (const c of td.containerDefinitions) {
      const co = byName.get(c.name);
      cpuSum += co?.cpu ?? c.cpu ?? 0;
      const reservation = co?.memoryReservation ?? c.memoryReservation;
      memSum += reservation ?? co?.memory ?? c.memory ?? 0;
    }
    cpu ??= cpuSum;
    memory ??= memSum;
  }

  const tcp = new Set<number>();
  const udp = new Set<number>();
  for (const c of td.containerDefinitions) {
    for (const p of c.portMappings ?? []) {
      const host = td.networkMode === 'host' ? p.hostPort || p.containerPort : p.hostPort;
      if (!(host > 0)) continue;
      (p.protocol === 'udp' ? udp : tcp).add(host);
    }
  }
  return {
    cpu,
    memory,
    tcpPorts: [...tcp].sort((a, b) => a - b),
    udpPorts: [...udp].sort((a, b) => a - b),
  };
}

/**
 * Validates RunTask / StartTask `overrides`; with `td`, container override names must be
 * containers of it.
 * @throws TaskDefinitionError (InvalidParameterException) naming the field.
 */
export function validateTaskOverride(input: unknown, td?: TaskDefinitionInput): TaskOverride {
  const bad: (field: string, message: string) => never = (field, message) => {
    throw new TaskDefinitionError('InvalidParameterException', field, message);
  };
  let r: FieldReader;
  try {
    r = new FieldReader(input, 'overrides', 'the task override');
  } catch {
    return bad('overrides', 'overrides must be a JSON object.');
  }
  const out: Draft<TaskOverride> = {};
  const read = <T>(f: () => T): T => {
    try {
      return f();
    } catch (err) {
      if (err instanceof TaskDefinitionError) return bad(err.field, err.message);
      throw err;
    }
  };
  for (const key of ['cpu', 'memory'] as const) {
    const raw = r.raw(key);
    if (raw === undefined || raw === '') continue;
    const n = key === 'cpu' ? parseTaskCpu(raw) : parseTaskMemory(raw);
    if (n === undefined) bad(`overrides.${key}`, `Invalid '${key}' override: '${String(raw)}'.`);
    out[key] = String(n);
  }
  for (const key of ['taskRoleArn', 'executionRoleArn'] as const) {
    const v = read(() => r.str(key));
    if (v !== undefined) out[key] = v;
  }
  const list = read(() => r.list('containerOverrides')) ?? [];
  out.containerOverrides = list.map((v, i) =>
    read(() => {
      const c: FieldReader = new FieldReader(
        v,
        `overrides.containerOverrides[${i}]`,
        'the container override',
      );
      const name = c.str('name');
      if (name === undefined || name === '')
        return bad(c.at('name'), 'Container override name is required.');
      if (td !== undefined && !td.containerDefinitions.some((d) => d.name === name)) {
        bad(
          c.at('name'),
          `Container override '${name}' does not match a container of the task definition.`,
        );
      }
      const co: Draft<ContainerOverride> = { name };
      const command = c.strList('command');
      if (command !== undefined) co.command = command;
      const env = c.list('environment');
      if (env !== undefined) {
        co.environment = env.map((e, j) => {
          const er: FieldReader = new FieldReader(
            e,
            c.at(`environment[${j}]`),
            'the container override',
          );
          const envName = er.str('name');
          if (!envName) bad(er.at('name'), 'Environment variable names must not be empty.');
          return { name: envName, value: er.str('value') ?? '' };
        });
      }
      for (const key of ['cpu', 'memory', 'memoryReservation'] as const) {
        const n = c.int(key, { min: 0 });
        if (n !== undefined) co[key] = n;
      }
      return co;
    }),
  );
  return out;
}
