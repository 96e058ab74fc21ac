/**
 * GetTaskProtection and UpdateTaskProtection: task scale-in protection of service tasks,
 * stored with the task (`protectedUntil`) through the fenced writer, read by the service
 * reconciler (a protected task is never chosen to stop for a scale-in, a deployment or a
 * rebalance until it expires). Standalone tasks answer the TASK_NOT_VALID failure, unknown
 * ones MISSING, as ECS. Must never protect a task outside the named cluster.
 */
import type { TxnOp } from '@berth/consul';
import { invalidParameter } from '../errors.js';
import { encodeTask, type TaskRec } from '../state/records.js';
import type { TaskRt } from '../state/scheduler-state.js';
import { parseArn, taskArn } from '../core/arn.js';
import { optBool, optInt, optStringList, reqString } from '../core/input.js';
import { activeCluster } from './clusters.js';
import type { ApiContext, Handler } from './context.js';
import { findTask } from './tasks.js';

/** ECS's default protection period: 2 hours. */
const DEFAULT_MINUTES = 120;

interface Failure {
  arn: string;
  reason: string;
  detail?: string;
}

function failureArn(ctx: ApiContext, cluster: string, ref: string): string {
  return ref.startsWith('arn:') && parseArn(ref) ? ref : taskArn(ctx.state.scope, cluster, ref);
}

/** Looks the references up: service tasks, and the failures of the others. */
function lookup(
  ctx: ApiContext,
  cluster: string,
  refs: readonly string[],
): { tasks: TaskRt[]; failures: Failure[] } {
  const tasks: TaskRt[] = [];
  const failures: Failure[] = [];
  for (const ref of refs) {
    const t = findTask(ctx, cluster, ref);
    if (!t) failures.push({ arn: failureArn(ctx, cluster, ref), reason: 'MISSING' });
    else if (!t.rec.group?.startsWith('service:')) {
      failures.push({
        arn: taskArn(ctx.state.scope, cluster, t.rec.id),
        reason: 'TASK_NOT_VALID',
        detail: 'The task is not part of an Amazon ECS service.',
      });
    } else tasks.push(t);
  }
  return { tasks, failures };
}

function render(ctx: ApiContext, r: TaskRec, now: number): Record<string, unknown> {
  const on = r.protectedUntil !== undefined && r.protectedUntil > now;
  return {
    taskArn: taskArn(ctx.state.scope, r.cluster, r.id),
    protectionEnabled: on,
    ...(on ? { expirationDate: (r.protectedUntil as number) / 1000 } : {}),
  };
}

export const getTaskProtection: Handler = async (ctx, body) => {
  const cluster = activeCluster(ctx, reqString(body, 'cluster'));
  const refs = optStringList(body, 'tasks');
  if (refs !== undefined && refs.length > 100) {
    throw invalidParameter('tasks can have at most 100 items.');
  }
  const now = ctx.now();
  if (refs === undefined) {
    // Without a list: every protected task of the cluster (ECS does not say; berth's choice).
    const protectedTasks = [];
    for (const t of ctx.state.tasks.values()) {
      const r = t.rec;
      if (t.committed && r.cluster === cluster.name && (r.protectedUntil ?? 0) > now) {
        protectedTasks.push(render(ctx, r, now));
      }
    }
    return { protectedTasks, failures: [] };
  }
  const { tasks, failures } = lookup(ctx, cluster.name, refs);
  return { protectedTasks: tasks.map((t) => render(ctx, t.rec, now)), failures };
};

export const updateTaskProtection: Handler = async (ctx, body) => {
  const cluster = activeCluster(ctx, reqString(body, 'cluster'));
  const refs = optStringList(body, 'tasks');
  if (!refs || refs.length === 0) throw invalidParameter('tasks can not be null or empty.');
  if (refs.length > 10) throw invalidParameter('tasks can have at most 10 items.');
  const enabled = optBool(body, 'protectionEnabled');
  if (enabled === undefined) throw invalidParameter('protectionEnabled can not be null.');
  const minutes = optInt(body, 'expiresInMinutes', 1, 2880) ?? DEFAULT_MINUTES;
  const now = ctx.now();
  const { tasks, failures } = lookup(ctx, cluster.name, refs);
  const ops: TxnOp[] = [];
  const changed: TaskRt[] = [];
  for (const t of tasks) {
    const { protectedUntil: _old, ...rest } = t.rec;
    const next: TaskRec = enabled
      ? { ...rest, protectedUntil: now + minutes * 60_000, version: t.rec.version + 1 }
      : { ...rest, version: t.rec.version + 1 };
    ctx.state.updateTask(t, next);
    changed.push(t);
    ops.push({ verb: 'set', key: ctx.layout.task(next), value: encodeTask(next) });
  }
  if (ops.length > 0) {
    await ctx.persist.write(ops);
    // The service loop decides with protection in view (and wakes when it runs out).
    ctx.state.changed(cluster.name);
  }
  return { protectedTasks: changed.map((t) => render(ctx, t.rec, now)), failures };
};
