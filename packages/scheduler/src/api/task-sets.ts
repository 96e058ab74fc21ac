/**
 * CreateTaskSet, DescribeTaskSets, UpdateTaskSet, DeleteTaskSet, UpdateServicePrimaryTaskSet:
 * task sets of services with the EXTERNAL deployment controller. Validation by the pure
 * services core, lookups here (cluster, service, task definition, task set), then one fenced
 * write of the service record that holds its task sets, and a nudge to the service loop,
 * which runs each set at its scale. Must never write a half-made task set.
 */
import { clientError, EcsError } from '../errors.js';
import type { Service, ServiceTask } from '../core/service-model/index.js';
import {
  addTaskSet,
  checkTaskSetService,
  drainTaskSet,
  makePrimary,
  scaleTaskSet,
} from '../core/service-model/task-set-record.js';
import { taskSetToEcs } from '../core/service-model/task-set-to-ecs.js';
import type { TaskSet } from '../core/service-model/task-set-types.js';
import {
  readScale,
  readTaskSetNames,
  validateCreateTaskSet,
} from '../core/service-model/validate-task-set-request.js';
import { newDeploymentId } from '../core/service-model/service-record.js';
import { serviceGroup, serviceKey, toServiceTask } from '../leader/service-view.js';
import type { TaskDefRec } from '../state/records.js';
import { taskDefinitionArn } from '../core/arn.js';
import { optBool, optStringList, type Body } from '../core/input.js';
import { activeCluster } from './clusters.js';
import type { ApiContext, Handler } from './context.js';
import { findService } from './service-actions.js';
import { resolveTaskDef } from './task-definitions.js';

const taskSetNotFound = (): EcsError =>
  new EcsError('TaskSetNotFoundException', 'The specified task set does not exist.');

function serviceOf(ctx: ApiContext, cluster: string, ref: string): Service {
  const s = findService(ctx, cluster, ref);
  if (!s) throw new EcsError('ServiceNotFoundException', 'Service not found.');
  return s;
}

/** A task set by ID (`ecs-svc/...`) or ARN. */
function findSet(service: Service, ref: string): TaskSet | undefined {
  return service.taskSets?.find((s) => s.id === ref || s.taskSetArn === ref);
}

function tasksOf(ctx: ApiContext, cluster: string, service: Service): ServiceTask[] {
  const group = serviceGroup(service.serviceName);
  const out: ServiceTask[] = [];
  for (const t of ctx.state.tasks.values()) {
    if (t.committed && t.rec.cluster === cluster && t.rec.group === group) {
      out.push(toServiceTask(ctx.state, t));
    }
  }
  return out;
}

function render(
  ctx: ApiContext,
  cluster: string,
  service: Service,
  set: TaskSet,
  include: readonly string[] = [],
): Record<string, unknown> {
  const tasks = tasksOf(ctx, cluster, service).filter((t) => t.deploymentId === set.id);
  return taskSetToEcs(service, set, tasks, include);
}

/**
 * Stores the record: in the view at once (so a concurrent call builds on it, as RunTask
 * reserves), then in KV; answered only after the write committed.
 */
async function save(ctx: ApiContext, cluster: string, s: Service): Promise<void> {
  ctx.state.services.set(serviceKey(cluster, s.serviceName), s);
  const written = ctx.persist.write([
    { verb: 'set', key: ctx.layout.service(cluster, s.serviceName), value: JSON.stringify(s) },
  ]);
  ctx.state.changed(cluster);
  await written;
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

export const createTaskSet: Handler = async (ctx, body) => {
  const checked = validateCreateTaskSet(body);
  const cluster = activeCluster(ctx, checked.cluster);
  const current = serviceOf(ctx, cluster.name, checked.service);
  checkTaskSetService(current, true);
  let td: TaskDefRec;
  try {
    td = resolveTaskDef(ctx, checked.taskDefinition, true);
  } catch (e) {
    if (e instanceof EcsError && /Unable to describe/.test(e.message)) {
      throw clientError('TaskDefinition not found.');
    }
    throw e;
  }
  const input = validateCreateTaskSet(body, containerPorts(td));
  if (input.clientToken !== undefined) {
    const same = current.taskSets?.find((s) => s.clientToken === input.clientToken);
    if (same) return { taskSet: render(ctx, cluster.name, current, same) };
  }
  const id = newDeploymentId(ctx.random);
  const { service, set } = addTaskSet(current, {
    id,
    taskSetArn: `${current.serviceArn.replace(':service/', ':task-set/')}/${id}`,
    taskDefinition: taskDefinitionArn(ctx.state.scope, td.family, td.revision),
    externalId: input.externalId,
    loadBalancers: input.loadBalancers,
    scale: input.scale,
    tags: input.tags,
    clientToken: input.clientToken,
    now: ctx.now(),
  });
  await save(ctx, cluster.name, service);
  return { taskSet: render(ctx, cluster.name, service, set, ['TAGS']) };
};

export const describeTaskSets: Handler = async (ctx, body) => {
  const { cluster: c, service: ref } = readTaskSetNames(body);
  const cluster = activeCluster(ctx, c);
  const service = serviceOf(ctx, cluster.name, ref);
  checkTaskSetService(service, false);
  const include = optStringList(body, 'include') ?? [];
  const refs = optStringList(body, 'taskSets');
  if (refs === undefined) {
    const taskSets = (service.taskSets ?? []).map((s) =>
      render(ctx, cluster.name, service, s, include),
    );
    return { taskSets, failures: [] };
  }
  const taskSets: Record<string, unknown>[] = [];
  const failures: { arn: string; reason: string }[] = [];
  for (const r of refs) {
    const set = findSet(service, r);
    if (set) taskSets.push(render(ctx, cluster.name, service, set, include));
    else failures.push({ arn: r, reason: 'MISSING' });
  }
  return { taskSets, failures };
};

/** The lookups of the actions on one task set. */
function target(
  ctx: ApiContext,
  body: Body,
  field: 'taskSet' | 'primaryTaskSet',
): {
  cluster: string;
  service: Service;
  set: TaskSet;
  r: ReturnType<typeof readTaskSetNames>['r'];
} {
  const names = readTaskSetNames(body, field);
  const cluster = activeCluster(ctx, names.cluster).name;
  const service = serviceOf(ctx, cluster, names.service);
  checkTaskSetService(service, false);
  const set = findSet(service, names.taskSet);
  if (!set) throw taskSetNotFound();
  return { cluster, service, set, r: names.r };
}

export const updateTaskSet: Handler = async (ctx, body) => {
  const { cluster, service, set, r } = target(ctx, body, 'taskSet');
  const scale = readScale(r);
  if (!scale) throw new EcsError('InvalidParameterException', 'scale can not be null.');
  const next = scaleTaskSet(service, set.id, scale, ctx.now());
  await save(ctx, cluster, next);
  return { taskSet: render(ctx, cluster, next, findSet(next, set.id) as TaskSet) };
};

export const deleteTaskSet: Handler = async (ctx, body) => {
  const { cluster, service, set } = target(ctx, body, 'taskSet');
  const next = drainTaskSet(service, set.id, optBool(body, 'force') ?? false, ctx.now());
  if (next !== service) await save(ctx, cluster, next);
  return { taskSet: render(ctx, cluster, next, findSet(next, set.id) ?? set) };
};

export const updateServicePrimaryTaskSet: Handler = async (ctx, body) => {
  const { cluster, service, set } = target(ctx, body, 'primaryTaskSet');
  const next = makePrimary(service, set.id, ctx.now());
  if (next !== service) await save(ctx, cluster, next);
  return { taskSet: render(ctx, cluster, next, findSet(next, set.id) as TaskSet) };
};
