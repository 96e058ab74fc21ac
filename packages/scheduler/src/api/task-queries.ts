/**
 * ListTasks and DescribeTasks, and `findTask`: read-only lookups over the leader's in-memory
 * view of committed tasks. Must never change the state or write to KV.
 */
import { EcsError, invalidParameter } from '../errors.js';
import type { TaskRt } from '../state/scheduler-state.js';
import { idOf, parseArn, taskArn } from '../core/arn.js';
import { optEnum, optInt, optString, optStringList } from '../core/input.js';
import { paginate } from '../core/pagination.js';
import { activeCluster } from './clusters.js';
import type { ApiContext, Handler } from './context.js';
import { findInstance } from './instances.js';
import { renderTask } from './render.js';
import { findService } from './service-actions.js';

/** The task named by an ID or ARN in `cluster`, if committed. */
export function findTask(ctx: ApiContext, cluster: string, ref: string): TaskRt | undefined {
  const id = idOf(ref, 'task');
  if (id === undefined) return undefined;
  const t = ctx.state.tasks.get(id);
  return t && t.committed && t.rec.cluster === cluster ? t : undefined;
}

export const listTasks: Handler = async (ctx, body) => {
  const cluster = activeCluster(ctx, optString(body, 'cluster'));
  const instRef = optString(body, 'containerInstance');
  const family = optString(body, 'family');
  const startedBy = optString(body, 'startedBy');
  const serviceName = optString(body, 'serviceName');
  const desired = optEnum(body, 'desiredStatus', ['RUNNING', 'PENDING', 'STOPPED'] as const);
  const launchType = optEnum(body, 'launchType', ['EC2', 'FARGATE', 'EXTERNAL'] as const);
  const max = optInt(body, 'maxResults', 1, 100);
  // ECS: "When you specify startedBy as the filter, it must be the only filter that you use."
  // desiredStatus (which defaults to RUNNING) is not counted as one.
  if (startedBy !== undefined) {
    const others = { containerInstance: instRef, family, serviceName, launchType };
    const with_ = Object.entries(others)
      .filter(([, v]) => v !== undefined)
      .map(([k]) => k);
    if (with_.length > 0) {
      throw invalidParameter(
        `startedBy must be the only filter when listing tasks; remove ${with_.join(', ')}.`,
      );
    }
  }
  if (serviceName !== undefined && !findService(ctx, cluster.name, serviceName)) {
    throw new EcsError('ServiceNotFoundException', 'Service not found.');
  }
  let instanceId: string | undefined;
  if (instRef !== undefined) {
    const inst = findInstance(ctx, cluster.name, instRef);
    if (!inst)
      throw invalidParameter(`The referenced container instance ${instRef} was not found.`);
    instanceId = inst.rec.id;
  }
  const want = desired ?? 'RUNNING';
  const out: TaskRt[] = [];
  if (launchType === undefined || launchType === 'EC2') {
    for (const t of ctx.state.tasks.values()) {
      const r = t.rec;
      if (!t.committed || r.cluster !== cluster.name) continue;
      if (want === 'PENDING' || r.desiredStatus !== want) continue;
      if (instanceId !== undefined && r.instanceId !== instanceId) continue;
      if (family !== undefined && t.family !== family) continue;
      if (startedBy !== undefined && r.startedBy !== startedBy) continue;
      if (serviceName !== undefined && r.group !== `service:${serviceName}`) continue;
      out.push(t);
    }
  }
  const page = paginate(out, (t) => t.rec.id, optString(body, 'nextToken'), max);
  return {
    taskArns: page.items.map((t) => taskArn(ctx.state.scope, t.rec.cluster, t.rec.id)),
    ...(page.nextToken ? { nextToken: page.nextToken } : {}),
  };
};

export const describeTasks: Handler = async (ctx, body) => {
  const cluster = activeCluster(ctx, optString(body, 'cluster'));
  const refs = optStringList(body, 'tasks');
  if (!refs || refs.length === 0) throw invalidParameter('tasks can not be null or empty.');
  if (refs.length > 100) throw invalidParameter('tasks can have at most 100 items.');
  const include = optStringList(body, 'include') ?? [];
  const tasks: Record<string, unknown>[] = [];
  const failures: { arn: string; reason: string }[] = [];
  for (const ref of refs) {
    const t = findTask(ctx, cluster.name, ref);
    if (t) tasks.push(renderTask(ctx.state, t, include));
    else {
      const p = ref.startsWith('arn:') ? parseArn(ref) : undefined;
      failures.push({
        arn: p ? ref : taskArn(ctx.state.scope, cluster.name, ref),
        reason: 'MISSING',
      });
    }
  }
  return { tasks, failures };
};
