/**
 * RegisterTaskDefinition (validated as ECS validates it, 64 KiB limit), DeregisterTaskDefinition,
 * DescribeTaskDefinition, ListTaskDefinitions, ListTaskDefinitionFamilies, and the lookup of a
 * `taskDefinition` parameter (family, family:revision or ARN). Must never reuse a revision.
 */
import { clientError, invalidParameter } from '../errors.js';
import type { TaskDefRec, TaskResources } from '../state/records.js';
import { taskResources, validateTaskDefinition } from '../core/task-definition/index.js';
import { parseArn, taskDefinitionArn } from '../core/arn.js';
import {
  type Body,
  optEnum,
  optInt,
  optString,
  optStringList,
  optTags,
  reqString,
} from '../core/input.js';
import { paginate } from '../core/pagination.js';
import type { ApiContext, Handler } from './context.js';
import { renderTaskDef } from './render.js';

/** Resources one task of `td` holds, with RunTask/StartTask overrides applied. */
export function resourcesOf(td: TaskDefRec, overrides?: unknown): TaskResources {
  const r = taskResources(td.body as unknown as Parameters<typeof taskResources>[0], overrides);
  return { cpu: r.cpu, memory: r.memory, tcpPorts: [...r.tcpPorts], udpPorts: [...r.udpPorts] };
}

/**
 * The task definition a `taskDefinition` parameter names: `family` (latest ACTIVE revision),
 * `family:revision`, or an ARN. ClientException when there is none; with `forRun`, also when
 * the revision is INACTIVE.
 */
export function resolveTaskDef(ctx: ApiContext, ref: string, forRun = false): TaskDefRec {
  let text = ref;
  if (ref.startsWith('arn:')) {
    const p = parseArn(ref);
    if (p?.kind !== 'task-definition') {
      throw invalidParameter(`taskDefinition ${ref} is not a task definition ARN.`);
    }
    text = p.name;
  }
  const colon = text.lastIndexOf(':');
  let td: TaskDefRec | undefined;
  if (colon < 0) td = ctx.state.latestActive(text);
  else {
    const rev = Number(text.slice(colon + 1));
    if (!Number.isInteger(rev) || rev < 1) {
      throw clientError(`Invalid revision number. Number: ${text.slice(colon + 1)}`);
    }
    td = ctx.state.taskDefs.get(text.slice(0, colon))?.get(rev);
  }
  if (!td || td.status === 'DELETED') throw clientError('Unable to describe task definition.');
  if (forRun && td.status !== 'ACTIVE') {
    throw clientError(`TaskDefinition is inactive (${td.family}:${td.revision}).`);
  }
  return td;
}

async function save(ctx: ApiContext, td: TaskDefRec): Promise<void> {
  let revs = ctx.state.taskDefs.get(td.family);
  if (!revs) {
    revs = new Map();
    ctx.state.taskDefs.set(td.family, revs);
  }
  revs.set(td.revision, td);
  await ctx.persist.write([
    { verb: 'set', key: ctx.layout.taskDef(td.family, td.revision), value: JSON.stringify(td) },
  ]);
}

export const registerTaskDefinition: Handler = async (ctx, body) => {
  const { tags: _t, ...input } = body;
  const tags = optTags(body) ?? [];
  const { tags: _tags, ...normalized } = validateTaskDefinition(input) as unknown as Body;
  const family = String(normalized['family']);
  const revision = ctx.state.lastRevision(family) + 1;
  const td: TaskDefRec = {
    family,
    revision,
    status: 'ACTIVE',
    registeredAt: ctx.now(),
    body: {
      ...normalized,
      compatibilities: ['EXTERNAL', 'EC2'],
      requiresAttributes: [],
    },
    tags,
  };
  await save(ctx, td);
  return { taskDefinition: renderTaskDef(ctx.state.scope, td), tags };
};

export const deregisterTaskDefinition: Handler = async (ctx, body) => {
  const ref = reqString(body, 'taskDefinition');
  const name = ref.startsWith('arn:') ? (parseArn(ref)?.name ?? ref) : ref;
  if (!name.includes(':')) {
    throw invalidParameter('taskDefinition: a revision must be specified (family:revision).');
  }
  const td = resolveTaskDef(ctx, ref);
  if (td.status !== 'ACTIVE') return { taskDefinition: renderTaskDef(ctx.state.scope, td) };
  const next: TaskDefRec = { ...td, status: 'INACTIVE', deregisteredAt: ctx.now() };
  await save(ctx, next);
  return { taskDefinition: renderTaskDef(ctx.state.scope, next) };
};

export const describeTaskDefinition: Handler = async (ctx, body) => {
  const td = resolveTaskDef(ctx, reqString(body, 'taskDefinition'));
  const include = optStringList(body, 'include') ?? [];
  return {
    taskDefinition: renderTaskDef(ctx.state.scope, td),
    ...(include.includes('TAGS') ? { tags: td.tags } : {}),
  };
};

function allDefs(ctx: ApiContext): TaskDefRec[] {
  const out: TaskDefRec[] = [];
  for (const revs of ctx.state.taskDefs.values()) out.push(...revs.values());
  return out;
}

export const listTaskDefinitions: Handler = async (ctx, body: Body) => {
  const family = optString(body, 'familyPrefix');
  const status =
    optEnum(body, 'status', ['ACTIVE', 'INACTIVE', 'DELETE_IN_PROGRESS'] as const) ?? 'ACTIVE';
  const sort = optEnum(body, 'sort', ['ASC', 'DESC'] as const) ?? 'ASC';
  const max = optInt(body, 'maxResults', 1, 100);
  const defs = allDefs(ctx).filter(
    (td) => td.status === status && (family === undefined || td.family === family),
  );
  // Sort key: family then zero-padded revision; DESC inverts the revision order.
  const key = (td: TaskDefRec): string =>
    `${td.family}\u0000${String(sort === 'ASC' ? td.revision : 99_999_999 - td.revision).padStart(8, '0')}`;
  const page = paginate(defs, key, optString(body, 'nextToken'), max);
  return {
    taskDefinitionArns: page.items.map((td) =>
      taskDefinitionArn(ctx.state.scope, td.family, td.revision),
    ),
    ...(page.nextToken ? { nextToken: page.nextToken } : {}),
  };
};

export const listTaskDefinitionFamilies: Handler = async (ctx, body) => {
  const prefix = optString(body, 'familyPrefix') ?? '';
  const status = optEnum(body, 'status', ['ACTIVE', 'INACTIVE', 'ALL'] as const) ?? 'ACTIVE';
  const max = optInt(body, 'maxResults', 1, 100);
  const families: string[] = [];
  for (const [family, revs] of ctx.state.taskDefs) {
    if (!family.startsWith(prefix)) continue;
    const active = [...revs.values()].some((td) => td.status === 'ACTIVE');
    const shown = [...revs.values()].some((td) => td.status !== 'DELETED');
    if (shown && (status === 'ALL' || (status === 'ACTIVE') === active)) families.push(family);
  }
  const page = paginate(families, (f) => f, optString(body, 'nextToken'), max);
  return { families: page.items, ...(page.nextToken ? { nextToken: page.nextToken } : {}) };
};
