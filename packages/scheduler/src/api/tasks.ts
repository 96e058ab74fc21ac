/**
 * RunTask, StartTask, StopTask (ListTasks and DescribeTasks are in `task-queries.ts`). Placement runs on the leader's
 * in-memory view; the chosen tasks are reserved at once (so concurrent calls never double-book
 * an instance), written to KV in one fenced transaction, and only then shown to agents and
 * answered. Must never answer a placement before its write committed.
 */
import type { TxnOp } from '@berth/consul';
import { clientError, invalidParameter, serverError } from '../errors.js';
import {
  place,
  placeOn,
  validatePlacement,
  type PlacementConstraint,
  type PlacementResult,
  type PlacementStrategy,
} from '../core/placement/index.js';
import { encodeTask, type TaskDefRec, type TaskRec } from '../state/records.js';
import type { InstanceRt, TaskRt } from '../state/scheduler-state.js';
import { requestStop } from '../core/task-transitions.js';
import { instanceArn, newId } from '../core/arn.js';
import {
  type Body,
  optBool,
  optEnum,
  optInt,
  optObject,
  optObjectList,
  optString,
  optStringList,
  optTags,
  reqString,
} from '../core/input.js';
import { checkLaunchFields } from '../core/service-model/launch-fields.js';
import { newTaskTags } from '../core/service-model/task-tags.js';
import { activeCluster } from './clusters.js';
import type { ApiContext, Handler } from './context.js';
import { findInstance } from './instances.js';
import { renderTask } from './render.js';
import { resolveTaskDef, resourcesOf } from './task-definitions.js';
import { findTask } from './task-queries.js';

export { findTask, listTasks, describeTasks } from './task-queries.js';

function validateOverrides(td: TaskDefRec, overrides: Body | undefined): void {
  if (!overrides) return;
  const names = new Set(
    ((td.body['containerDefinitions'] as Body[] | undefined) ?? []).map((c) => String(c['name'])),
  );
  (optObjectList(overrides, 'containerOverrides', 'overrides.containerOverrides') ?? []).forEach(
    (o, i) => {
      const name = optString(o, 'name', `overrides.containerOverrides[${i}].name`);
      if (name !== undefined && !names.has(name)) {
        throw invalidParameter(
          `Override for container named ${name} is not a container in the TaskDefinition.`,
        );
      }
      optStringList(o, 'command', `overrides.containerOverrides[${i}].command`);
      optObjectList(o, 'environment', `overrides.containerOverrides[${i}].environment`);
      optInt(o, 'cpu', 0, 1_000_000, `overrides.containerOverrides[${i}].cpu`);
      optInt(o, 'memory', 0, 100_000_000, `overrides.containerOverrides[${i}].memory`);
    },
  );
}

/** What a batch of new tasks shares. */
export interface Common {
  td: TaskDefRec;
  overrides: Body | undefined;
  startedBy: string | undefined;
  group: string | undefined;
  tags: { key: string; value: string }[] | undefined;
}

function parseCommon(ctx: ApiContext, body: Body, cluster: string): Common {
  const td = resolveTaskDef(ctx, reqString(body, 'taskDefinition'), true);
  const overrides = optObject(body, 'overrides');
  validateOverrides(td, overrides);
  const startedBy = optString(body, 'startedBy');
  if (startedBy !== undefined && !/^[A-Za-z0-9_-]{1,36}$/.test(startedBy)) {
    throw invalidParameter(
      'startedBy: up to 36 letters (uppercase and lowercase), numbers, hyphens (-), and underscores (_) are allowed.',
    );
  }
  const group = optString(body, 'group');
  if (group !== undefined && (group.length === 0 || group.length > 255)) {
    throw invalidParameter('group must be 1 to 255 characters.');
  }
  const launchType = optEnum(body, 'launchType', ['EC2', 'FARGATE', 'EXTERNAL'] as const);
  if (launchType !== undefined && launchType !== 'EC2') {
    throw invalidParameter(`launchType ${launchType} is not supported by berth (EC2 only).`);
  }
  checkLaunchFields((f) => body[f]);
  const propagateTags = optEnum(body, 'propagateTags', [
    'TASK_DEFINITION',
    'SERVICE',
    'NONE',
  ] as const);
  if (propagateTags === 'SERVICE') {
    throw invalidParameter('propagateTags SERVICE is only valid for tasks a service starts.');
  }
  const tags = newTaskTags({
    propagateTags,
    enableECSManagedTags: optBool(body, 'enableECSManagedTags'),
    taskDefinitionTags: td.tags,
    requestTags: optTags(body),
    cluster,
  });
  return { td, overrides, startedBy, group, tags };
}

/** Reserves placed tasks, writes them, and commits them into the view; answers ECS-style. */
export async function commitPlacements(
  ctx: ApiContext,
  cluster: string,
  c: Common,
  result: PlacementResult,
  clientToken: string | undefined,
): Promise<{ tasks: Record<string, unknown>[]; failures: unknown[] }> {
  const now = ctx.now();
  const resources = resourcesOf(c.td, c.overrides);
  const created: TaskRt[] = [];
  const ops: TxnOp[] = [];
  const taskDefinition = `${c.td.family}:${c.td.revision}`;
  for (const p of result.placements) {
    const sliced = p.instanceArn.slice(p.instanceArn.lastIndexOf('/') + 1);
    // The instance's own ID string, so a million tasks do not each hold a copy.
    const instanceId = ctx.state.instances.get(sliced)?.rec.id ?? sliced;
    const rec: TaskRec = {
      id: newId(),
      cluster,
      instanceId,
      taskDefinition,
      createdAt: now,
      lastStatus: 'PROVISIONING',
      desiredStatus: 'RUNNING',
      version: 1,
      ...(c.startedBy !== undefined ? { startedBy: c.startedBy } : {}),
      ...(c.group !== undefined ? { group: c.group } : {}),
      ...(c.overrides !== undefined ? { overrides: c.overrides as Record<string, unknown> } : {}),
      ...(c.tags && c.tags.length ? { tags: c.tags } : {}),
      ...(clientToken !== undefined ? { clientToken } : {}),
    };
    const rt: TaskRt = { rec, resources, family: c.td.family, committed: false };
    ctx.state.addTask(rt);
    created.push(rt);
    ops.push({ verb: 'set', key: ctx.layout.task(rec), value: encodeTask(rec) });
  }
  let index: number;
  try {
    index = await ctx.persist.write(ops);
  } catch (e) {
    for (const t of created) ctx.state.dropTask(t);
    throw serverError('The placement could not be stored; nothing was started.', e);
  }
  const touched = new Set<InstanceRt>();
  for (const t of created) {
    t.committed = true;
    const inst = ctx.state.instances.get(t.rec.instanceId);
    if (inst) touched.add(inst);
  }
  for (const inst of touched) ctx.state.bump(inst, index);
  return {
    tasks: created.map((t) => renderTask(ctx.state, t, ['TAGS'])),
    failures: result.failures,
  };
}

function parsePlacement(
  body: Body,
  td: TaskDefRec,
): {
  strategies: PlacementStrategy[];
  constraints: PlacementConstraint[];
} {
  const strategies = body['placementStrategy'];
  const constraints = body['placementConstraints'];
  validatePlacement(strategies, constraints);
  const fromTd = (td.body['placementConstraints'] as PlacementConstraint[] | undefined) ?? [];
  return {
    strategies: (strategies as PlacementStrategy[] | undefined) ?? [],
    constraints: [...((constraints as PlacementConstraint[] | undefined) ?? []), ...fromTd],
  };
}

export const runTask: Handler = async (ctx, body) => {
  const cluster = activeCluster(ctx, optString(body, 'cluster'));
  const count = optInt(body, 'count', 1, 10) ?? 1;
  const c = parseCommon(ctx, body, cluster.name);
  const { strategies, constraints } = parsePlacement(body, c.td);
  const clientToken = optString(body, 'clientToken');
  if (clientToken !== undefined) {
    if (clientToken.length > 64) throw invalidParameter('clientToken can be up to 64 characters.');
    const prior = ctx.state.clientTokens.get(`${cluster.name}\0${clientToken}`);
    if (prior) {
      const tasks = prior
        .map((id) => ctx.state.tasks.get(id))
        .filter((t): t is TaskRt => t !== undefined && t.committed);
      if (tasks.length === prior.length) {
        return { tasks: tasks.map((t) => renderTask(ctx.state, t, ['TAGS'])), failures: [] };
      }
      throw clientError('A RunTask with this clientToken is still in progress; retry later.');
    }
  }
  const now = ctx.now();
  const instances = ctx.state.placementList(cluster.name, now, ctx.agentGraceMs);
  const result = place(instances, {
    count,
    resources: resourcesOf(c.td, c.overrides),
    strategies,
    constraints,
    family: c.td.family,
    ...(c.group !== undefined ? { group: c.group } : {}),
    random: ctx.random,
  });
  return commitPlacements(ctx, cluster.name, c, result, clientToken);
};

export const startTask: Handler = async (ctx, body) => {
  const cluster = activeCluster(ctx, optString(body, 'cluster'));
  const refs = optStringList(body, 'containerInstances');
  if (!refs || refs.length === 0) {
    throw invalidParameter('containerInstances can not be null or empty.');
  }
  if (refs.length > 10) throw invalidParameter('containerInstances can have at most 10 items.');
  const c = parseCommon(ctx, body, cluster.name);
  const fromTd = (c.td.body['placementConstraints'] as PlacementConstraint[] | undefined) ?? [];
  const now = ctx.now();
  const arns: string[] = [];
  const chosen = new Map<string, ReturnType<typeof ctx.state.placementOf>>();
  for (const ref of refs) {
    const inst = findInstance(ctx, cluster.name, ref);
    const arn = inst
      ? instanceArn(ctx.state.scope, cluster.name, inst.rec.id)
      : ref.startsWith('arn:')
        ? ref
        : instanceArn(ctx.state.scope, cluster.name, ref);
    arns.push(arn);
    if (inst) chosen.set(arn, ctx.state.placementOf(inst, now, ctx.agentGraceMs));
  }
  const result = placeOn([...chosen.values()], arns, {
    count: refs.length,
    resources: resourcesOf(c.td, c.overrides),
    strategies: [],
    constraints: fromTd,
    family: c.td.family,
    ...(c.group !== undefined ? { group: c.group } : {}),
  });
  return commitPlacements(ctx, cluster.name, c, result, undefined);
};

export const stopTask: Handler = async (ctx, body) => {
  const cluster = activeCluster(ctx, optString(body, 'cluster'));
  const ref = reqString(body, 'task');
  const reason = optString(body, 'reason');
  if (reason !== undefined && reason.length > 255) {
    throw invalidParameter('reason can be up to 255 characters.');
  }
  const t = findTask(ctx, cluster.name, ref);
  if (!t) throw invalidParameter('The referenced task was not found.');
  const next = requestStop(t.rec, ctx.now(), 'UserInitiated', reason);
  if (next) {
    ctx.state.updateTask(t, next);
    const index = await ctx.persist.write([
      { verb: 'set', key: ctx.layout.task(next), value: encodeTask(next) },
    ]);
    const inst = ctx.state.instances.get(next.instanceId);
    if (inst) ctx.state.bump(inst, index);
  }
  return { task: renderTask(ctx.state, t, ['TAGS']) };
};
