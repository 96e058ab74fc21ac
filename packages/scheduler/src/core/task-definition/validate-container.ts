/**
 * Validation and normalization of one ECS container definition on its own: names, image,
 * resources, port mappings for the task's network mode, health check, ulimits, restart
 * policy, environment, labels, log configuration. Checks that need the other containers or the
 * volumes live in validate-task-definition.ts. Pure: must never do I/O.
 */

import { TaskDefinitionError } from './errors.js';
import { FieldReader } from './field-reader.js';
import type {
  KeyValuePair,
  MountPoint,
  NormalizedContainerDefinition,
  NormalizedPortMapping,
  VolumeFrom,
} from '@berth/protocol';
import type { Draft } from './types.js';
import {
  readDependsOn,
  readExtraHosts,
  readHealthCheck,
  readLogConfiguration,
  readRestartPolicy,
  readUlimits,
} from './container-settings.js';
import { readContainerSecrets } from './validate-secrets.js';

/** Container, volume and family names: up to 255 letters, numbers, hyphens, underscores. */
export const NAME_PATTERN = /^[a-zA-Z0-9_-]{1,255}$/;

/** Smallest container memory (hard or soft) in MiB that Docker accepts. */
const MIN_MEMORY = 4;

/** Reads container `index` of a task definition whose network mode is `networkMode`. */
export function validateContainer(
  value: unknown,
  index: number,
  networkMode: 'bridge' | 'host' | 'none',
): NormalizedContainerDefinition {
  const path = `containerDefinitions[${index}]`;
  const pre = new FieldReader(value, path, `container ${index}`);
  const name = pre.raw('name');
  if (name === undefined || name === '') {
    throw new TaskDefinitionError(
      'ClientException',
      pre.at('name'),
      'Container.name should not be null or empty.',
    );
  }
  if (typeof name !== 'string' || !NAME_PATTERN.test(name)) {
    throw new TaskDefinitionError(
      'ClientException',
      pre.at('name'),
      'Container.name contains invalid characters.',
    );
  }
  const r = new FieldReader(value, path, `container '${name}'`);
  const image = r.raw('image');
  if (typeof image !== 'string' || image.trim() === '') {
    throw new TaskDefinitionError(
      'ClientException',
      r.at('image'),
      'Container.image should not be null or empty.',
    );
  }
  if (image.length > 255 || /\s/.test(image)) {
    r.fail('image', 'an image reference is at most 255 characters without spaces');
  }

  const memory = r.int('memory', { min: MIN_MEMORY });
  const memoryReservation = r.int('memoryReservation', { min: MIN_MEMORY });
  if (memory !== undefined && memoryReservation !== undefined && memoryReservation > memory) {
    throw new TaskDefinitionError(
      'ClientException',
      r.at('memoryReservation'),
      `Invalid setting for container '${name}'. 'memory' must be greater than or equal to 'memoryReservation'.`,
    );
  }

  const c: Draft<NormalizedContainerDefinition> = {
    name,
    image,
    cpu: r.int('cpu', { min: 0, max: 196_608 }) ?? 0,
    portMappings: readPortMappings(r, networkMode),
    essential: r.bool('essential') ?? true,
    environment: readEnvironment(r),
    mountPoints: readMountPoints(r),
    volumesFrom: readVolumesFrom(r),
  };
  if (memory !== undefined) c.memory = memory;
  if (memoryReservation !== undefined) c.memoryReservation = memoryReservation;

  const links = r.strList('links');
  if (links !== undefined) {
    if (networkMode !== 'bridge') {
      r.fail('links', `links are supported only when networkMode=bridge, not ${networkMode}`);
    }
    links.forEach((l, i) => {
      if (!/^[a-zA-Z0-9_-]{1,255}(:[a-zA-Z0-9_-]{1,255})?$/.test(l)) {
        r.fail(`links[${i}]`, `'${l}' is not of the form name or name:alias`);
      }
    });
    c.links = links;
  }
  copyStrings(r, c, ['hostname', 'user', 'workingDirectory']);
  copyBools(r, c, [
    'disableNetworking',
    'privileged',
    'readonlyRootFilesystem',
    'interactive',
    'pseudoTerminal',
  ]);
  for (const key of [
    'entryPoint',
    'command',
    'dnsServers',
    'dnsSearchDomains',
    'dockerSecurityOptions',
    'credentialSpecs',
  ] as const) {
    const v = r.strList(key);
    if (v !== undefined) c[key] = v;
  }
  const startTimeout = r.int('startTimeout', { min: 0 });
  if (startTimeout !== undefined) c.startTimeout = startTimeout;
  const stopTimeout = r.int('stopTimeout', { min: 0, max: 120 });
  if (stopTimeout !== undefined) c.stopTimeout = stopTimeout;
  const labels = r.strMap('dockerLabels');
  if (labels !== undefined) c.dockerLabels = labels;
  const versionConsistency = r.oneOf('versionConsistency', ['enabled', 'disabled'] as const);
  if (versionConsistency !== undefined) c.versionConsistency = versionConsistency;
  for (const key of ['linuxParameters', 'firelensConfiguration'] as const) {
    const v = r.opaque(key);
    if (v !== undefined) c[key] = v;
  }
  readContainerSecrets(r, c);
  for (const key of ['environmentFiles', 'systemControls', 'resourceRequirements'] as const) {
    const v = r.opaqueList(key);
    if (v !== undefined) c[key] = v;
  }

  const dependsOn = readDependsOn(r);
  if (dependsOn !== undefined) c.dependsOn = dependsOn;
  const extraHosts = readExtraHosts(r);
  if (extraHosts !== undefined) c.extraHosts = extraHosts;
  const ulimits = readUlimits(r);
  if (ulimits !== undefined) c.ulimits = ulimits;
  const healthCheck = readHealthCheck(r);
  if (healthCheck !== undefined) c.healthCheck = healthCheck;
  const restartPolicy = readRestartPolicy(r);
  if (restartPolicy !== undefined) c.restartPolicy = restartPolicy;
  const logConfiguration = readLogConfiguration(r);
  if (logConfiguration !== undefined) c.logConfiguration = logConfiguration;
  return c;
}

function readPortMappings(r: FieldReader, networkMode: string): NormalizedPortMapping[] {
  const list = r.list('portMappings') ?? [];
  if (list.length > 0 && networkMode === 'none') {
    r.fail('portMappings', 'port mappings are not allowed when networkMode=none');
  }
  return list.map((v, i) => {
    const p = new FieldReader(v, r.at(`portMappings[${i}]`), r.owner);
    const containerPort = p.raw('containerPort');
    if (typeof containerPort !== 'number' || !Number.isInteger(containerPort)) {
      invalidPort(r, i, 'containerPort', 'containerPort is required and must be an integer');
    }
    if (containerPort < 1 || containerPort > 65535) {
      invalidPort(r, i, 'containerPort', 'it must be between 1 and 65535');
    }
    const given = p.raw('hostPort');
    if (given !== undefined && (typeof given !== 'number' || !Number.isInteger(given))) {
      invalidPort(r, i, 'hostPort', 'it must be an integer');
    }
    if (given !== undefined && (given < 0 || given > 65535)) {
      invalidPort(r, i, 'hostPort', 'it must be 0 (dynamic) or between 1 and 65535');
    }
    let hostPort = given ?? 0;
    if (networkMode === 'host') {
      if (hostPort !== 0 && hostPort !== containerPort) {
        throw new TaskDefinitionError(
          'ClientException',
          p.at('hostPort'),
          'When networkMode=host, the host ports and container ports in port mappings must match.',
        );
      }
      hostPort = containerPort;
    }
    const protocol = p.raw('protocol') ?? 'tcp';
    if (protocol !== 'tcp' && protocol !== 'udp') {
      invalidPort(r, i, 'protocol', `'${String(protocol)}' is not one of tcp, udp`);
    }
    const out: Draft<NormalizedPortMapping> = { containerPort, hostPort, protocol };
    const name = p.str('name', 64);
    if (name !== undefined) out.name = name;
    const appProtocol = p.oneOf('appProtocol', ['http', 'http2', 'grpc'] as const);
    if (appProtocol !== undefined) out.appProtocol = appProtocol;
    return out;
  });
}

function invalidPort(r: FieldReader, i: number, key: string, reason: string): never {
  throw new TaskDefinitionError(
    'ClientException',
    r.at(`portMappings[${i}].${key}`),
    `Invalid '${key}' setting for ${r.owner}: ${reason}.`,
  );
}

function readEnvironment(r: FieldReader): Required<KeyValuePair>[] {
  return (r.list('environment') ?? []).map((v, i) => {
    const e = new FieldReader(v, r.at(`environment[${i}]`), r.owner);
    const name = e.str('name');
    if (name === undefined || name === '') {
      r.fail(`environment[${i}].name`, 'environment variable names must not be empty');
    }
    return { name, value: e.str('value') ?? '' };
  });
}

function readMountPoints(r: FieldReader): Required<MountPoint>[] {
  return (r.list('mountPoints') ?? []).map((v, i) => {
    const m = new FieldReader(v, r.at(`mountPoints[${i}]`), r.owner);
    const sourceVolume = m.str('sourceVolume');
    if (sourceVolume === undefined || sourceVolume === '') {
      r.fail(`mountPoints[${i}].sourceVolume`, 'sourceVolume is required');
    }
    const containerPath = m.str('containerPath');
    if (containerPath === undefined || containerPath === '') {
      r.fail(`mountPoints[${i}].containerPath`, 'containerPath is required');
    }
    return { sourceVolume, containerPath, readOnly: m.bool('readOnly') ?? false };
  });
}

function readVolumesFrom(r: FieldReader): Required<VolumeFrom>[] {
  return (r.list('volumesFrom') ?? []).map((v, i) => {
    const f = new FieldReader(v, r.at(`volumesFrom[${i}]`), r.owner);
    const sourceContainer = f.str('sourceContainer');
    if (sourceContainer === undefined || sourceContainer === '') {
      r.fail(`volumesFrom[${i}].sourceContainer`, 'sourceContainer is required');
    }
    return { sourceContainer, readOnly: f.bool('readOnly') ?? false };
  });
}

function copyStrings(
  r: FieldReader,
  c: Draft<NormalizedContainerDefinition>,
  keys: readonly ('hostname' | 'user' | 'workingDirectory')[],
): void {
  for (const key of keys) {
    const v = r.str(key);
    if (v !== undefined) c[key] = v;
  }
}

function copyBools(
  r: FieldReader,
  c: Draft<NormalizedContainerDefinition>,
  keys: readonly (
    'disableNetworking' | 'privileged' | 'readonlyRootFilesystem' | 'interactive' | 'pseudoTerminal'
  )[],
): void {
  for (const key of keys) {
    const v = r.bool(key);
    if (v !== undefined) c[key] = v;
  }
}
