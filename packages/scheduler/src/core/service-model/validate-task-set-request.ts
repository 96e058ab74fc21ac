/**
 * CreateTaskSet / UpdateTaskSet request validation: the service, cluster and task definition
 * named, EC2 only (the launch fields berth cannot honour are refused), load balancers as a
 * service's (target groups, checked against the task definition's ports), `scale` a percent
 * 0-100, tags, a client token of up to 32 printable ASCII characters. Pure: the caller looks
 * the names up; must never half-accept a request.
 */
import { checkLaunchFields } from './launch-fields.js';
import { invalid, RequestReader } from './request-reader.js';
import { readLoadBalancers, readTags, type ContainerPorts } from './service-request-fields.js';
import type { TaskSet } from './task-set-types.js';
import type { LoadBalancer, Tag } from './types.js';

/** A CreateTaskSet request, normalized. */
export interface CreateTaskSetInput {
  service: string;
  cluster: string;
  taskDefinition: string;
  externalId: string | undefined;
  loadBalancers: LoadBalancer[];
  scale: TaskSet['scale'];
  clientToken: string | undefined;
  tags: Tag[];
}

/** `scale`: `{value: 0-100, unit: PERCENT}`; undefined when absent. */
export function readScale(r: RequestReader): TaskSet['scale'] | undefined {
  const s = r.object('scale');
  if (!s) return undefined;
  s.enumOf('unit', ['PERCENT'] as const);
  const v = s.raw('value');
  if (v === undefined) return { value: 0, unit: 'PERCENT' };
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > 100) {
    throw invalid(
      'scale.value',
      `scale.value must be a number between 0 and 100. Value: ${String(v)}.`,
    );
  }
  return { value: v, unit: 'PERCENT' };
}

/** The names every task set action takes (cluster, service; taskSet for the set actions). */
export function readTaskSetNames(
  body: unknown,
  setField?: 'taskSet' | 'primaryTaskSet',
): { r: RequestReader; cluster: string; service: string; taskSet: string } {
  const r = RequestReader.root(body);
  const cluster = r.requiredString('cluster', 'cluster can not be blank.');
  const service = r.requiredString('service', 'service can not be blank.');
  const taskSet = setField ? r.requiredString(setField, `${setField} can not be blank.`) : '';
  return { r, cluster, service, taskSet };
}

/** Validates and normalizes a CreateTaskSet body. */
export function validateCreateTaskSet(body: unknown, ports?: ContainerPorts): CreateTaskSetInput {
  const { r, cluster, service } = readTaskSetNames(body);
  const taskDefinition = r.requiredString('taskDefinition', 'taskDefinition can not be blank.');
  const lt = r.enumOf('launchType', ['EC2', 'FARGATE', 'EXTERNAL'] as const);
  if (lt !== undefined && lt !== 'EC2') {
    throw invalid(
      'launchType',
      `launchType ${lt} is not supported: berth runs the EC2 launch type only.`,
    );
  }
  checkLaunchFields((f) => r.raw(f));
  const registries = r.raw('serviceRegistries');
  if (Array.isArray(registries) && registries.length > 0) {
    throw invalid(
      'serviceRegistries',
      'serviceRegistries is not supported by berth (no AWS Cloud Map).',
    );
  }
  const externalId = r.string('externalId');
  if (externalId !== undefined && externalId.length > 255) {
    throw invalid('externalId', 'externalId can be up to 255 characters.');
  }
  const clientToken = r.string('clientToken');
  if (clientToken !== undefined && !/^[\x21-\x7e]{1,32}$/.test(clientToken)) {
    throw invalid('clientToken', 'clientToken: up to 32 ASCII characters are allowed.');
  }
  return {
    service,
    cluster,
    taskDefinition,
    externalId,
    loadBalancers: readLoadBalancers(r, ports) ?? [],
    scale: readScale(r) ?? { value: 0, unit: 'PERCENT' },
    clientToken,
    tags: readTags(r),
  };
}
