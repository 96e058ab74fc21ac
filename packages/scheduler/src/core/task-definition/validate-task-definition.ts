/**
 * RegisterTaskDefinition validation as ECS does it: the 64 KiB size limit, family, network
 * mode (berth runs bridge, host and none; awsvpc is refused), task size, containers and the
 * checks across them (names, essential, memory, host ports, links, volumesFrom, dependsOn,
 * mount points), volumes, placement constraints, launch types and tags. Returns the
 * normalized definition ECS would store. Pure: must never do I/O.
 */

import { TaskDefinitionError } from './errors.js';
import { FieldReader } from './field-reader.js';
import { parseTaskCpu, parseTaskMemory, TASK_CPU_RANGE, TASK_MEMORY_MIN } from './task-size.js';
import type { Draft, TaskDefinitionInput } from './types.js';
import { checkContainers } from './check-containers.js';
import { readConstraints, readTags, readVolumes } from './task-fields.js';
import { NAME_PATTERN, validateContainer } from './validate-container.js';
import { checkSecretsRole } from './validate-secrets.js';

/** ECS's limit on a RegisterTaskDefinition request, in bytes of JSON. */
export const MAX_TASK_DEFINITION_BYTES = 65_536;
/** ECS's limit on containers per task definition. */
export const MAX_CONTAINERS = 10;

/**
 * Validates a RegisterTaskDefinition request body (without the API's own fields) and returns
 * it normalized: defaults filled in (`networkMode` bridge, `essential` true, `cpu` 0, tcp,
 * host ports, health check timings), task `cpu` / `memory` converted to units and MiB, fields
 * berth does not know dropped (AWS's JSON protocol ignores unknown members).
 * @throws TaskDefinitionError with ECS's exception type and message, naming the field.
 */
export function validateTaskDefinition(input: unknown): TaskDefinitionInput {
  checkSize(input);
  const r: FieldReader = new FieldReader(input, '', 'the task definition');

  const family = r.raw('family');
  if (family === undefined || family === '') {
    throw new TaskDefinitionError('ClientException', 'family', 'Family can not be blank.');
  }
  if (typeof family !== 'string' || !NAME_PATTERN.test(family)) {
    throw new TaskDefinitionError(
      'ClientException',
      'family',
      typeof family === 'string' && family.length > 255
        ? 'Family name must be at most 255 characters long.'
        : 'Family contains invalid characters.',
    );
  }

  const mode = r.raw('networkMode') ?? 'bridge';
  if (mode === 'awsvpc') {
    throw new TaskDefinitionError(
      'ClientException',
      'networkMode',
      'berth does not support networkMode awsvpc (no elastic network interfaces on your own machines); use bridge or host.',
    );
  }
  if (mode !== 'bridge' && mode !== 'host' && mode !== 'none') {
    throw new TaskDefinitionError(
      'InvalidParameterException',
      'networkMode',
      `Invalid networkMode '${String(mode)}'. Valid values are bridge, host, awsvpc and none.`,
    );
  }

  const requiresCompatibilities = r.strList('requiresCompatibilities') ?? [];
  requiresCompatibilities.forEach((c, i) => {
    if (c === 'FARGATE') {
      r.fail(
        `requiresCompatibilities[${i}]`,
        'berth does not run FARGATE tasks; use EC2 or EXTERNAL',
      );
    }
    if (c !== 'EC2' && c !== 'EXTERNAL') {
      r.fail(
        `requiresCompatibilities[${i}]`,
        `'${c}' is not one of EC2, EXTERNAL`,
        'InvalidParameterException',
      );
    }
  });

  const cpu = taskSize(r, 'cpu', parseTaskCpu, TASK_CPU_RANGE.min, TASK_CPU_RANGE.max);
  const memory = taskSize(r, 'memory', parseTaskMemory, TASK_MEMORY_MIN, Infinity);

  const rawContainers = r.raw('containerDefinitions');
  if (rawContainers !== undefined && !Array.isArray(rawContainers)) {
    r.fail('containerDefinitions', 'must be a list');
  }
  if (!Array.isArray(rawContainers) || rawContainers.length === 0) {
    throw new TaskDefinitionError(
      'ClientException',
      'containerDefinitions',
      'Container list cannot be empty.',
    );
  }
  if (rawContainers.length > MAX_CONTAINERS) {
    throw new TaskDefinitionError(
      'ClientException',
      'containerDefinitions',
      'Too many containers.',
    );
  }
  const containers = rawContainers.map((c, i) => validateContainer(c, i, mode));
  const volumes = readVolumes(r);
  checkContainers(containers, volumes, cpu, memory);

  const td: Draft<TaskDefinitionInput> = {
    family,
    containerDefinitions: containers,
    networkMode: mode,
    volumes,
    placementConstraints: readConstraints(r),
    requiresCompatibilities,
    tags: readTags(r),
  };
  for (const key of ['taskRoleArn', 'executionRoleArn'] as const) {
    const v = r.str(key, 1600);
    if (v !== undefined && v !== '') td[key] = v;
  }
  checkSecretsRole(containers, td.executionRoleArn);
  if (cpu !== undefined) td.cpu = String(cpu);
  if (memory !== undefined) td.memory = String(memory);
  const pidMode = r.oneOf('pidMode', ['host', 'task'] as const);
  if (pidMode !== undefined) td.pidMode = pidMode;
  const ipcMode = r.oneOf('ipcMode', ['host', 'task', 'none'] as const);
  if (ipcMode !== undefined) td.ipcMode = ipcMode;
  for (const key of ['runtimePlatform', 'ephemeralStorage', 'proxyConfiguration'] as const) {
    const v = r.opaque(key);
    if (v !== undefined) td[key] = v;
  }
  return td;
}

function checkSize(input: unknown): void {
  let bytes: number;
  try {
    bytes = Buffer.byteLength(JSON.stringify(input) ?? '', 'utf8');
  } catch {
    throw new TaskDefinitionError('ClientException', '', 'The task definition is not valid JSON.');
  }
  if (bytes > MAX_TASK_DEFINITION_BYTES) {
    throw new TaskDefinitionError(
      'ClientException',
      '',
      `Task definition is too large: ${bytes} bytes; the limit is ${MAX_TASK_DEFINITION_BYTES} bytes (64 KiB).`,
    );
  }
}

function taskSize(
  r: FieldReader,
  key: 'cpu' | 'memory',
  parse: (v: unknown) => number | undefined,
  min: number,
  max: number,
): number | undefined {
  const raw = r.raw(key);
  if (raw === undefined || raw === '') return undefined;
  const n = parse(raw);
  const what = key === 'cpu' ? 'CPU units (1024) or vCPU (1 vCPU)' : 'MiB (1024) or GB (1GB)';
  if (n === undefined) r.fail(key, `'${String(raw)}' is not a whole number of ${what}`);
  if (n < min || n > max) {
    r.fail(
      key,
      `${n} is out of range; it must be between ${min} and ${max === Infinity ? 'any size' : max}`,
    );
  }
  return n;
}
