/**
 * Readers of the task-level lists of a task definition: volumes (host bind mounts and Docker
 * volumes), memberOf placement constraints and tags, with ECS's limits. Pure: must never do
 * I/O.
 */

import { parseClusterQuery } from '../query/index.js';
import { FieldReader } from './field-reader.js';
import { NAME_PATTERN } from './validate-container.js';
import type { NormalizedDockerVolumeConfiguration, NormalizedVolume, Tag } from '@berth/protocol';
import type { Draft, TaskDefinitionInput } from './types.js';

const MAX_TAGS = 50;
const MAX_CONSTRAINTS = 10;

export function readVolumes(r: FieldReader): NormalizedVolume[] {
  const seen = new Set<string>();
  return (r.list('volumes') ?? []).map((v, i) => {
    const at = `volumes[${i}]`;
    const pre: FieldReader = new FieldReader(v, at, `volume ${i}`);
    const name = pre.raw('name');
    if (typeof name !== 'string' || !NAME_PATTERN.test(name)) {
      pre.fail(
        'name',
        'up to 255 letters (uppercase and lowercase), numbers, hyphens, and underscores are allowed',
      );
    }
    if (seen.has(name)) pre.fail('name', `volume name '${name}' is used twice`);
    seen.add(name);
    const vr: FieldReader = new FieldReader(v, at, `volume '${name}'`);
    for (const unsupported of [
      'efsVolumeConfiguration',
      'fsxWindowsFileServerVolumeConfiguration',
    ]) {
      if (vr.has(unsupported)) vr.fail(unsupported, 'berth supports host and Docker volumes only');
    }
    const out: Draft<NormalizedVolume> = { name };
    const host: FieldReader | undefined = vr.child('host');
    const docker: FieldReader | undefined = vr.child('dockerVolumeConfiguration');
    if (host !== undefined && docker !== undefined) {
      vr.fail('host', 'a volume has either host or dockerVolumeConfiguration, not both');
    }
    if (host !== undefined) {
      const sourcePath = host.str('sourcePath', 4096);
      out.host = sourcePath === undefined || sourcePath === '' ? {} : { sourcePath };
    }
    if (docker !== undefined) {
      const scope = docker.oneOf('scope', ['task', 'shared'] as const) ?? 'task';
      const autoprovision = docker.bool('autoprovision');
      if (autoprovision === true && scope !== 'shared') {
        docker.fail('autoprovision', 'autoprovision is only supported when scope is shared');
      }
      const config: Draft<NormalizedDockerVolumeConfiguration> = { scope };
      if (autoprovision !== undefined) config.autoprovision = autoprovision;
      const driver = docker.str('driver');
      if (driver !== undefined) config.driver = driver;
      const driverOpts = docker.strMap('driverOpts');
      if (driverOpts !== undefined) config.driverOpts = driverOpts;
      const labels = docker.strMap('labels');
      if (labels !== undefined) config.labels = labels;
      out.dockerVolumeConfiguration = config;
    }
    return out;
  });
}

export function readConstraints(r: FieldReader): TaskDefinitionInput['placementConstraints'] {
  const list = r.list('placementConstraints') ?? [];
  if (list.length > MAX_CONSTRAINTS) {
    r.fail('placementConstraints', `at most ${MAX_CONSTRAINTS} placement constraints are allowed`);
  }
  return list.map((v, i) => {
    const c: FieldReader = new FieldReader(
      v,
      `placementConstraints[${i}]`,
      'the placement constraint',
    );
    const type = c.raw('type');
    if (type !== 'memberOf') {
      c.fail('type', `'${String(type)}' is not supported in a task definition; only memberOf is`);
    }
    const expression = c.str('expression');
    if (expression === undefined || expression === '') {
      c.fail('expression', 'a memberOf constraint needs an expression');
    }
    try {
      parseClusterQuery(expression);
    } catch (err) {
      c.fail('expression', (err as Error).message);
    }
    return { type: 'memberOf' as const, expression };
  });
}

export function readTags(r: FieldReader): Tag[] {
  const keys = new Set<string>();
  const list = r.list('tags') ?? [];
  if (list.length > MAX_TAGS) {
    r.fail('tags', `at most ${MAX_TAGS} tags are allowed`, 'InvalidParameterException');
  }
  return list.map((v, i) => {
    const t: FieldReader = new FieldReader(v, `tags[${i}]`, 'the tag');
    const key = t.str('key');
    if (key === undefined || key.length < 1 || key.length > 128) {
      t.fail('key', 'a tag key is 1 to 128 characters', 'InvalidParameterException');
    }
    if (key.toLowerCase().startsWith('aws:')) {
      t.fail('key', 'the aws: prefix is reserved for AWS use', 'InvalidParameterException');
    }
    if (keys.has(key)) t.fail('key', `duplicate tag key '${key}'`, 'InvalidParameterException');
    keys.add(key);
    const value = t.str('value') ?? '';
    if (value.length > 256) {
      t.fail('value', 'a tag value is at most 256 characters', 'InvalidParameterException');
    }
    return { key, value };
  });
}
