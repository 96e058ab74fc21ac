/**
 * Task definition checks that look across containers and volumes, after each container was
 * read on its own. Pure: must never do I/O.
 */

import { TaskDefinitionError } from './errors.js';
import type { NormalizedContainerDefinition, NormalizedVolume } from '@berth/protocol';

/**
 * The checks across containers: unique names, an essential container, memory against the
 * task, unique fixed host ports, links / volumesFrom / dependsOn targets, mount points on
 * defined volumes, container cpu within the task's, no dependency cycle.
 * @throws TaskDefinitionError naming the field.
 */
export function checkContainers(
  containers: readonly NormalizedContainerDefinition[],
  volumes: readonly NormalizedVolume[],
  taskCpu: number | undefined,
  taskMemory: number | undefined,
): void {
  const byName = new Map<string, NormalizedContainerDefinition>();
  containers.forEach((c, i) => {
    if (byName.has(c.name)) {
      throw new TaskDefinitionError(
        'ClientException',
        `containerDefinitions[${i}].name`,
        `Duplicate container name '${c.name}'. Container names must be unique within a task definition.`,
      );
    }
    byName.set(c.name, c);
  });
  if (!containers.some((c) => c.essential)) {
    throw new TaskDefinitionError(
      'ClientException',
      'containerDefinitions',
      "Task definition doesn't have any essential container.",
    );
  }
  const volumeNames = new Set(volumes.map((v) => v.name));
  const hostPorts = new Map<string, string>();
  let cpuSum = 0;
  containers.forEach((c, i) => {
    const at = `containerDefinitions[${i}]`;
    const fail: (field: string, message: string) => never = (field, message) => {
      throw new TaskDefinitionError('ClientException', `${at}.${field}`, message);
    };
    if (taskMemory === undefined && c.memory === undefined && c.memoryReservation === undefined) {
      fail(
        'memory',
        `Invalid setting for container '${c.name}'. At least one of 'memory' or 'memoryReservation' must be specified.`,
      );
    }
    if (taskMemory !== undefined && (c.memory ?? c.memoryReservation ?? 0) > taskMemory) {
      fail(
        c.memory !== undefined ? 'memory' : 'memoryReservation',
        `The '${c.memory !== undefined ? 'memory' : 'memoryReservation'}' setting for container '${c.name}' is greater than for the task.`,
      );
    }
    cpuSum += c.cpu;
    c.portMappings.forEach((p, j) => {
      if (p.hostPort === 0) return;
      const key = `${p.hostPort}/${p.protocol}`;
      const other = hostPorts.get(key);
      if (other !== undefined) {
        fail(
          `portMappings[${j}].hostPort`,
          `Invalid 'hostPort' setting for container '${c.name}': host port ${key} is already used by container '${other}'.`,
        );
      }
      hostPorts.set(key, c.name);
    });
    c.links?.forEach((l, j) => {
      const target = l.split(':')[0]!;
      if (target === c.name || !byName.has(target)) {
        fail(
          `links[${j}]`,
          `Invalid 'links' setting for container '${c.name}': '${target}' is not another container of this task definition.`,
        );
      }
    });
    c.volumesFrom.forEach((v, j) => {
      if (v.sourceContainer === c.name || !byName.has(v.sourceContainer)) {
        fail(
          `volumesFrom[${j}].sourceContainer`,
          `Invalid 'volumesFrom' setting for container '${c.name}': '${v.sourceContainer}' is not another container of this task definition.`,
        );
      }
    });
    c.mountPoints.forEach((m, j) => {
      if (!volumeNames.has(m.sourceVolume)) {
        fail(
          `mountPoints[${j}].sourceVolume`,
          `Invalid 'mountPoints' setting for container '${c.name}': volume '${m.sourceVolume}' is not defined in the task definition.`,
        );
      }
    });
    c.dependsOn?.forEach((d, j) => {
      const target = byName.get(d.containerName);
      if (target === undefined || target === c) {
        fail(
          `dependsOn[${j}].containerName`,
          `Invalid 'dependsOn' setting for container '${c.name}': '${d.containerName}' is not another container of this task definition.`,
        );
      }
      if ((d.condition === 'SUCCESS' || d.condition === 'COMPLETE') && target.essential) {
        fail(
          `dependsOn[${j}].condition`,
          'A dependency container with SUCCESS or COMPLETE condition cannot be an essential container',
        );
      }
      if (d.condition === 'HEALTHY' && target.healthCheck === undefined) {
        fail(
          `dependsOn[${j}].condition`,
          `Invalid 'dependsOn' setting for container '${c.name}': '${target.name}' has no healthCheck, so it can never be HEALTHY.`,
        );
      }
    });
  });
  if (taskCpu !== undefined && cpuSum > taskCpu) {
    throw new TaskDefinitionError(
      'ClientException',
      'cpu',
      "The sum of all container 'cpu' values cannot be greater than the value of the task 'cpu'.",
    );
  }
  checkDependencyCycle(containers);
}

function checkDependencyCycle(containers: readonly NormalizedContainerDefinition[]): void {
  const state = new Map<string, 'visiting' | 'done'>();
  const byName = new Map(containers.map((c) => [c.name, c]));
  const visit = (name: string, trail: string[]): void => {
    if (state.get(name) === 'done') return;
    if (state.get(name) === 'visiting') {
      const cycle = [...trail.slice(trail.indexOf(name)), name].join(' -> ');
      throw new TaskDefinitionError(
        'ClientException',
        'containerDefinitions',
        `Circular container dependency: ${cycle}.`,
      );
    }
    state.set(name, 'visiting');
    for (const d of byName.get(name)?.dependsOn ?? []) visit(d.containerName, [...trail, name]);
    state.set(name, 'done');
  };
  for (const c of containers) visit(c.name, []);
}
