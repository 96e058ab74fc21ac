/**
 * PutAttributes, DeleteAttributes, ListAttributes on container instances (the only target
 * type ECS has). Must never apply part of a call: all targets are checked before any write.
 */
import type { TxnOp } from '@berth/consul';
import { EcsError, invalidParameter } from '../errors.js';
import type { InstanceRt } from '../state/scheduler-state.js';
import { instanceArn } from '../core/arn.js';
import { type Body, optInt, optObjectList, optString, reqString } from '../core/input.js';
import { paginate } from '../core/pagination.js';
import { activeCluster } from './clusters.js';
import type { ApiContext, Handler } from './context.js';
import { findInstance } from './instances.js';

const NAME_RE = /^[a-zA-Z0-9_./\\:-]{1,128}$/;
const VALUE_RE = /^[a-zA-Z0-9_.@/\\: -]{1,128}$/;
/** ECS: up to 10 custom attributes per resource (the agent's own ecs.* ones do not count). */
const MAX_CUSTOM = 10;

interface AttrIn {
  name: string;
  value: string | undefined;
  targetType: string;
  targetId: string;
}

function parseList(body: Body, withValues: boolean): AttrIn[] {
  const list = optObjectList(body, 'attributes');
  if (!list || list.length === 0) throw invalidParameter('attributes can not be null or empty.');
  if (list.length > 10) throw invalidParameter('attributes can have at most 10 items.');
  return list.map((a, i) => {
    const label = `attributes[${i}]`;
    const name = reqString(a, 'name', `${label}.name`);
    if (!NAME_RE.test(name)) {
      throw invalidParameter(
        `${label}.name: 1-128 letters, numbers, hyphens, underscores, slashes, back slashes, colons or periods.`,
      );
    }
    const value = optString(a, 'value', `${label}.value`);
    if (withValues && value !== undefined && (!VALUE_RE.test(value) || value.trim() !== value)) {
      throw invalidParameter(
        `${label}.value: 1-128 letters, numbers, hyphens, underscores, periods, at signs, slashes, colons or spaces, not starting or ending with a space.`,
      );
    }
    const targetType = optString(a, 'targetType', `${label}.targetType`) ?? 'container-instance';
    if (targetType !== 'container-instance') {
      throw invalidParameter(`${label}.targetType must be container-instance.`);
    }
    const targetId = reqString(a, 'targetId', `${label}.targetId`);
    return { name, value, targetType, targetId };
  });
}

function resolveTargets(ctx: ApiContext, cluster: string, attrs: AttrIn[]): InstanceRt[] {
  return attrs.map((a) => {
    const inst = findInstance(ctx, cluster, a.targetId);
    if (!inst) {
      throw new EcsError(
        'TargetNotFoundException',
        `Could not find ${a.targetId}. Check the target and try again.`,
      );
    }
    return inst;
  });
}

async function saveAll(ctx: ApiContext, changed: Set<InstanceRt>): Promise<void> {
  const ops: TxnOp[] = [...changed].map((i) => ({
    verb: 'set',
    key: ctx.layout.instance(i.rec.cluster, i.rec.id),
    value: JSON.stringify(i.rec),
  }));
  const index = await ctx.persist.write(ops);
  for (const i of changed) ctx.state.bump(i, index);
}

const out = (ctx: ApiContext, a: AttrIn, inst: InstanceRt): Record<string, unknown> => ({
  name: a.name,
  ...(a.value !== undefined ? { value: a.value } : {}),
  targetType: 'container-instance',
  targetId: instanceArn(ctx.state.scope, inst.rec.cluster, inst.rec.id),
});

export const putAttributes: Handler = async (ctx, body) => {
  const cluster = activeCluster(ctx, optString(body, 'cluster'));
  const attrs = parseList(body, true);
  const targets = resolveTargets(ctx, cluster.name, attrs);
  const next = new Map<InstanceRt, Record<string, string>>();
  attrs.forEach((a, i) => {
    const inst = targets[i] as InstanceRt;
    const m = next.get(inst) ?? { ...inst.rec.attributes };
    m[a.name] = a.value ?? '';
    next.set(inst, m);
  });
  for (const [inst, m] of next) {
    const custom = Object.keys(m).filter((k) => !k.startsWith('ecs.') && !k.startsWith('berth.'));
    if (custom.length > MAX_CUSTOM) {
      throw new EcsError(
        'AttributeLimitExceededException',
        `You can apply up to ${MAX_CUSTOM} custom attributes for each resource (${inst.rec.id}).`,
      );
    }
  }
  for (const [inst, m] of next) ctx.state.putInstance({ ...inst.rec, attributes: m }, ctx.now());
  await saveAll(ctx, new Set(next.keys()));
  return { attributes: attrs.map((a, i) => out(ctx, a, targets[i] as InstanceRt)) };
};

export const deleteAttributes: Handler = async (ctx, body) => {
  const cluster = activeCluster(ctx, optString(body, 'cluster'));
  const attrs = parseList(body, false);
  const targets = resolveTargets(ctx, cluster.name, attrs);
  const next = new Map<InstanceRt, Record<string, string>>();
  attrs.forEach((a, i) => {
    const inst = targets[i] as InstanceRt;
    const m = next.get(inst) ?? { ...inst.rec.attributes };
    delete m[a.name];
    next.set(inst, m);
  });
  for (const [inst, m] of next) ctx.state.putInstance({ ...inst.rec, attributes: m }, ctx.now());
  await saveAll(ctx, new Set(next.keys()));
  return { attributes: attrs.map((a, i) => out(ctx, a, targets[i] as InstanceRt)) };
};

export const listAttributes: Handler = async (ctx, body) => {
  const cluster = activeCluster(ctx, optString(body, 'cluster'));
  const targetType = reqString(body, 'targetType');
  if (targetType !== 'container-instance') {
    throw invalidParameter('targetType must be container-instance.');
  }
  const name = optString(body, 'attributeName');
  const value = optString(body, 'attributeValue');
  if (value !== undefined && name === undefined) {
    throw invalidParameter('attributeName must be given with attributeValue.');
  }
  const max = optInt(body, 'maxResults', 1, 100);
  const all: { key: string; attr: Record<string, unknown> }[] = [];
  for (const inst of ctx.state.instancesOf(cluster.name)) {
    for (const [n, v] of Object.entries(inst.rec.attributes)) {
      if (name !== undefined && n !== name) continue;
      if (value !== undefined && v !== value) continue;
      all.push({
        key: `${inst.rec.id}\u0000${n}`,
        attr: out(
          ctx,
          { name: n, value: v === '' ? undefined : v, targetType, targetId: inst.rec.id },
          inst,
        ),
      });
    }
  }
  const page = paginate(all, (a) => a.key, optString(body, 'nextToken'), max);
  return {
    attributes: page.items.map((a) => a.attr),
    ...(page.nextToken ? { nextToken: page.nextToken } : {}),
  };
};
