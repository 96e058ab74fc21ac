/**
 * The agent side of berth's protocol: BerthAgentV1.PollAssignments (long-poll, level-triggered,
 * at-least-once), SubmitTaskStateChange and SubmitContainerStateChange (forward-only,
 * idempotent, acknowledged after the change is durable). Every call counts as agent contact.
 * Must never acknowledge a report before it is written.
 */
import type { Assignment, TaskDefinition } from '@berth/protocol';
import { EcsError, invalidParameter } from '../errors.js';
import {
  applyReport,
  isReportStatus,
  mergeContainers,
  type ContainerReport,
} from '../core/task-transitions.js';
import { parseHealthStatus } from '../core/task-health.js';
import { encodeTask, type TaskRec } from '../state/records.js';
import type { InstanceRt, TaskRt } from '../state/scheduler-state.js';
import { taskArn } from '../core/arn.js';
import { type Body, optInt, optObjectList, optString, optTime, reqString } from '../core/input.js';
import { activeCluster } from './clusters.js';
import type { ApiContext, Handler } from './context.js';
import { findInstance, instanceNotFound } from './instances.js';
import { renderTaskDef, ts } from './render.js';

/** The assignment list of an instance: every committed task not yet confirmed STOPPED. */
export function assignments(ctx: ApiContext, inst: InstanceRt): Assignment[] {
  const out: Assignment[] = [];
  for (const t of inst.tasks.values()) {
    if (!t.committed || t.rec.done) continue;
    const r = t.rec;
    const td = ctx.state.taskDef(r.taskDefinition);
    out.push({
      taskArn: taskArn(ctx.state.scope, r.cluster, r.id),
      desiredStatus: r.desiredStatus,
      lastStatus: r.lastStatus,
      // The stored body is a validated definition (JSON); undefined only if it was deleted.
      taskDefinition: (td
        ? renderTaskDef(ctx.state.scope, td)
        : undefined) as unknown as TaskDefinition,
      overrides: r.overrides ?? { containerOverrides: [] },
      ...(r.startedBy !== undefined ? { startedBy: r.startedBy } : {}),
      group: r.group ?? `family:${t.family}`,
      createdAt: ts(r.createdAt),
      ...(r.stopCode !== undefined ? { stopCode: r.stopCode } : {}),
      ...(r.stoppedReason !== undefined ? { stoppedReason: r.stoppedReason } : {}),
    });
  }
  return out;
}

export const pollAssignments: Handler = async (ctx, body) => {
  const cluster = activeCluster(ctx, optString(body, 'cluster'));
  const ref = reqString(body, 'containerInstance');
  const version = optInt(body, 'version', 0, Number.MAX_SAFE_INTEGER) ?? 0;
  const waitSeconds = optInt(body, 'waitSeconds', 0, 60) ?? 20;
  const inst = findInstance(ctx, cluster.name, ref);
  if (!inst) throw instanceNotFound(ref);
  inst.lastContact = ctx.now();
  ctx.state.contacted(inst);
  if (inst.version === version && waitSeconds > 0) {
    inst.pollsInFlight++;
    try {
      await new Promise<void>((resolve) => {
        const done = (): void => {
          clearTimeout(timer);
          inst.waiters.delete(waiter);
          ctx.signal.removeEventListener('abort', done);
          resolve();
        };
        const waiter = { version, wake: done };
        const timer = setTimeout(done, Math.min(waitSeconds * 1000, ctx.maxPollMs));
        inst.waiters.add(waiter);
        ctx.signal.addEventListener('abort', done);
      });
    } finally {
      inst.pollsInFlight--;
      inst.lastContact = ctx.now();
      ctx.state.contacted(inst);
    }
    if (ctx.signal.aborted) {
      throw new EcsError('ServerException', 'The scheduler replica stopped leading; retry.', 503);
    }
    if (!ctx.state.instances.has(inst.rec.id)) throw instanceNotFound(ref);
  }
  return { version: inst.version, tasks: assignments(ctx, inst) };
};

function healthOf(c: Body, label: string): ContainerReport['healthStatus'] {
  const raw = optString(c, 'healthStatus', `${label}.healthStatus`);
  const h = parseHealthStatus(raw);
  if (raw !== undefined && h === undefined) {
    throw invalidParameter(`${label}.healthStatus must be HEALTHY, UNHEALTHY or UNKNOWN.`);
  }
  return h;
}

function parseContainers(list: Body[] | undefined, field: string): ContainerReport[] {
  return (list ?? []).map((c, i) => {
    const label = `${field}[${i}]`;
    return {
      containerName: reqString(c, 'containerName', `${label}.containerName`),
      runtimeId: optString(c, 'runtimeId', `${label}.runtimeId`),
      status: optString(c, 'status', `${label}.status`),
      exitCode: optInt(c, 'exitCode', -(2 ** 31), 2 ** 31 - 1, `${label}.exitCode`),
      reason: optString(c, 'reason', `${label}.reason`),
      healthStatus: healthOf(c, label),
      networkBindings: optObjectList(c, 'networkBindings', `${label}.networkBindings`) as
        Record<string, unknown>[] | undefined,
    };
  });
}

function reportedTask(ctx: ApiContext, body: Body): TaskRt {
  const cluster = activeCluster(ctx, optString(body, 'cluster'));
  const ref = reqString(body, 'task');
  const id = ref.startsWith('arn:') ? ref.slice(ref.lastIndexOf('/') + 1) : ref;
  const t = ctx.state.tasks.get(id);
  if (!t || !t.committed || t.rec.cluster !== cluster.name) {
    throw invalidParameter('The referenced task was not found.');
  }
  const inst = ctx.state.instances.get(t.rec.instanceId);
  if (inst) {
    inst.lastContact = ctx.now();
    ctx.state.contacted(inst);
  }
  return t;
}

async function store(ctx: ApiContext, t: TaskRt, next: TaskRec): Promise<void> {
  ctx.state.updateTask(t, next);
  const index = await ctx.persist.write([
    { verb: 'set', key: ctx.layout.task(next), value: encodeTask(next) },
  ]);
  const inst = ctx.state.instances.get(next.instanceId);
  if (inst) ctx.state.bump(inst, index);
}

export const submitTaskStateChange: Handler = async (ctx, body) => {
  const t = reportedTask(ctx, body);
  const status = reqString(body, 'status');
  if (!isReportStatus(status)) {
    throw invalidParameter(`status must be PENDING, RUNNING or STOPPED, got '${status}'.`);
  }
  const td = ctx.state.taskDef(t.rec.taskDefinition);
  const defs = (td?.body['containerDefinitions'] as Body[] | undefined) ?? [];
  const essential = (name: string): boolean =>
    defs.find((d) => d['name'] === name)?.['essential'] !== false;
  const next = applyReport(
    t.rec,
    {
      status,
      reason: optString(body, 'reason'),
      containers: parseContainers(optObjectList(body, 'containers'), 'containers'),
      pullStartedAt: optTime(body, 'pullStartedAt'),
      pullStoppedAt: optTime(body, 'pullStoppedAt'),
      executionStoppedAt: optTime(body, 'executionStoppedAt'),
    },
    ctx.now(),
    essential,
  );
  if (next) await store(ctx, t, next);
  return { acknowledgment: 'ACK' };
};

export const submitContainerStateChange: Handler = async (ctx, body) => {
  const t = reportedTask(ctx, body);
  const [report] = parseContainers(
    [
      {
        containerName: reqString(body, 'containerName'),
        ...body,
      },
    ],
    'container',
  );
  if (!report || t.rec.done) return { acknowledgment: 'ACK' };
  const containers = mergeContainers(t.rec.containers, [report], t.rec.id);
  const before = JSON.stringify(t.rec.containers ?? []);
  if (JSON.stringify(containers) !== before) {
    await store(ctx, t, { ...t.rec, containers, version: t.rec.version + 1 });
  }
  return { acknowledgment: 'ACK' };
};
