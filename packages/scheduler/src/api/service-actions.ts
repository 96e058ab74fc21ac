/**
 * CreateService, UpdateService, DeleteService, DescribeServices, ListServices: validation by
 * the pure services core, lookups here (cluster, task definition, a taken name), one fenced
 * write of the service record per call, then a nudge to the leader's service loop, which does
 * the placing. Must never write a half-made service: everything is checked before the write.
 */
import { randomUUID } from 'node:crypto';
import { clientError, invalidParameter } from '../errors.js';
import { validatePlacement } from '../core/placement/index.js';
import type { PlacementConstraint, PlacementStrategy } from '../core/placement/types.js';
import {
  createServiceRecord,
  drainServiceRecord,
  newDeploymentId,
  serviceToEcs,
  updateServiceRecord,
  validateServiceRequest,
  type Service,
} from '../core/service-model/index.js';
import { serviceGroup, serviceKey, toServiceTask } from '../leader/service-view.js';
import type { TaskDefRec } from '../state/records.js';
import { clusterArn, parseArn, taskDefinitionArn } from '../core/arn.js';
import {
  type Body,
  optBool,
  optEnum,
  optInt,
  optString,
  optStringList,
  reqString,
} from '../core/input.js';
import { paginate } from '../core/pagination.js';
import { activeCluster } from './clusters.js';
import type { ApiContext, Handler } from './context.js';
import { resolveTaskDef } from './task-definitions.js';
import { EcsError } from '../errors.js';

const checkPlacement = (s: PlacementStrategy[], c: PlacementConstraint[]): void =>
  validatePlacement(s, c);

/** The ARN of a service, as ECS forms it (new format, with the cluster). */
export function serviceArn(ctx: ApiContext, cluster: string, name: string): string {
  return `${clusterArn(ctx.state.scope, cluster).replace(':cluster/', ':service/')}/${name}`;
}

function serviceNotFound(): EcsError {
  return new EcsError('ServiceNotFoundException', 'Service not found.');
}

/** The service named by a name or ARN in `cluster` (any status). */
export function findService(ctx: ApiContext, cluster: string, ref: string): Service | undefined {
  let name = ref;
  if (ref.startsWith('arn:')) {
    const p = parseArn(ref);
    if (p?.kind !== 'service') return undefined;
    name = p.name.slice(p.name.lastIndexOf('/') + 1);
  }
  return ctx.state.services.get(serviceKey(cluster, name));
}

function containerPorts(td: TaskDefRec): { containerName: string; containerPort: number }[] {
  const out: { containerName: string; containerPort: number }[] = [];
  for (const c of (td.body['containerDefinitions'] as Body[] | undefined) ?? []) {
    for (const pm of (c['portMappings'] as Body[] | undefined) ?? []) {
      out.push({ containerName: String(c['name']), containerPort: Number(pm['containerPort']) });
    }
  }
  return out;
}

function tdArn(ctx: ApiContext, td: TaskDefRec): string {
  return taskDefinitionArn(ctx.state.scope, td.family, td.revision);
}

function resolveForService(ctx: ApiContext, ref: string): TaskDefRec {
  try {
    return resolveTaskDef(ctx, ref, true);
  } catch (e) {
    if (
      e instanceof EcsError &&
      e.type === 'ClientException' &&
      /Unable to describe/.test(e.message)
    )
      throw clientError('TaskDefinition not found.');
    throw e;
  }
}

/** Renders a service with its tasks. */
export function renderService(
  ctx: ApiContext,
  cluster: string,
  s: Service,
  include: readonly string[] = [],
): Record<string, unknown> {
  const group = serviceGroup(s.serviceName);
  const tasks = [];
  for (const t of ctx.state.tasks.values()) {
    if (t.committed && t.rec.cluster === cluster && t.rec.group === group)
      tasks.push(toServiceTask(ctx.state, t));
  }
  return serviceToEcs(s, tasks, ctx.now(), include);
}

/**
 * Stores the record in the view at once (so a concurrent call, or a service loop pass already
 * under way, sees it was replaced), then in KV; the caller answers after the commit.
 */
async function save(ctx: ApiContext, cluster: string, s: Service): Promise<void> {
  ctx.state.services.set(serviceKey(cluster, s.serviceName), s);
  const written = ctx.persist.write([
    { verb: 'set', key: ctx.layout.service(cluster, s.serviceName), value: JSON.stringify(s) },
  ]);
  ctx.state.changed(cluster);
  await written;
}

export const createService: Handler = async (ctx, body) => {
  const cluster = activeCluster(ctx, optString(body, 'cluster'));
  const checked = validateServiceRequest('create', body, { validatePlacement: checkPlacement });
  // An EXTERNAL service has no task definition of its own: its task sets bring theirs.
  const external = checked.deploymentController === 'EXTERNAL';
  const td = external ? undefined : resolveForService(ctx, reqString(body, 'taskDefinition'));
  const input = td
    ? validateServiceRequest('create', body, {
        validatePlacement: checkPlacement,
        containerPorts: containerPorts(td),
      })
    : checked;
  const existing = ctx.state.services.get(serviceKey(cluster.name, input.serviceName));
  if (existing && existing.status !== 'INACTIVE') {
    throw invalidParameter('Creation of service was not idempotent.');
  }
  const now = ctx.now();
  const s = createServiceRecord(input, {
    now,
    serviceArn: serviceArn(ctx, cluster.name, input.serviceName),
    clusterArn: clusterArn(ctx.state.scope, cluster.name),
    taskDefinitionArn: td ? tdArn(ctx, td) : '',
    deploymentId: newDeploymentId(ctx.random),
  });
  await save(ctx, cluster.name, s);
  return { service: renderService(ctx, cluster.name, s, ['TAGS']) };
};

export const updateService: Handler = async (ctx, body) => {
  const cluster = activeCluster(ctx, optString(body, 'cluster'));
  const current = findService(ctx, cluster.name, reqString(body, 'service'));
  if (!current) throw serviceNotFound();
  if (current.deploymentController === 'EXTERNAL') {
    validateServiceRequest('update', body, { current, validatePlacement: checkPlacement });
  }
  const tdRef = optString(body, 'taskDefinition');
  const td = tdRef !== undefined ? resolveForService(ctx, tdRef) : undefined;
  const currentTd = ctx.state.taskDef(
    current.taskDefinition.slice(current.taskDefinition.lastIndexOf('/') + 1),
  );
  const portsOf = td ?? currentTd;
  const input = validateServiceRequest('update', body, {
    current,
    validatePlacement: checkPlacement,
    ...(portsOf ? { containerPorts: containerPorts(portsOf) } : {}),
  });
  const { service } = updateServiceRecord(current, input, {
    now: ctx.now(),
    taskDefinitionArn: td ? tdArn(ctx, td) : undefined,
    deploymentId: newDeploymentId(ctx.random),
  });
  await save(ctx, cluster.name, service);
  return { service: renderService(ctx, cluster.name, service) };
};

export const deleteService: Handler = async (ctx, body) => {
  const cluster = activeCluster(ctx, optString(body, 'cluster'));
  const current = findService(ctx, cluster.name, reqString(body, 'service'));
  if (!current || current.status === 'INACTIVE') throw serviceNotFound();
  const force = optBool(body, 'force') ?? false;
  if (current.status === 'DRAINING') {
    return { service: renderService(ctx, cluster.name, current) };
  }
  const next = drainServiceRecord(current, force);
  await save(ctx, cluster.name, next);
  return { service: renderService(ctx, cluster.name, next) };
};

export const describeServices: Handler = async (ctx, body) => {
  const cluster = activeCluster(ctx, optString(body, 'cluster'));
  const refs = optStringList(body, 'services');
  if (!refs || refs.length === 0) throw invalidParameter('services can not be null or empty.');
  if (refs.length > 10) throw invalidParameter('services can have at most 10 items.');
  const include = optStringList(body, 'include') ?? [];
  const services: Record<string, unknown>[] = [];
  const failures: { arn: string; reason: string }[] = [];
  for (const ref of refs) {
    const s = findService(ctx, cluster.name, ref);
    if (s) services.push(renderService(ctx, cluster.name, s, include));
    else {
      failures.push({
        arn: ref.startsWith('arn:') ? ref : serviceArn(ctx, cluster.name, ref),
        reason: 'MISSING',
      });
    }
  }
  return { services, failures };
};

export const listServices: Handler = async (ctx, body) => {
  const cluster = activeCluster(ctx, optString(body, 'cluster'));
  const launchType = optEnum(body, 'launchType', ['EC2', 'FARGATE', 'EXTERNAL'] as const);
  const strategy = optEnum(body, 'schedulingStrategy', ['REPLICA', 'DAEMON'] as const);
  const max = optInt(body, 'maxResults', 1, 100);
  const out: Service[] = [];
  if (launchType === undefined || launchType === 'EC2') {
    for (const [key, s] of ctx.state.services) {
      if (!key.startsWith(`${cluster.name}\0`) || s.status === 'INACTIVE') continue;
      if (strategy !== undefined && s.schedulingStrategy !== strategy) continue;
      out.push(s);
    }
  }
  const page = paginate(out, (s) => s.serviceName, optString(body, 'nextToken'), max, 10);
  return {
    serviceArns: page.items.map((s) => s.serviceArn),
    ...(page.nextToken ? { nextToken: page.nextToken } : {}),
  };
};

/** A fresh event ID. */
export const newEventId = (): string => randomUUID();
