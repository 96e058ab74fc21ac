/**
 * CreateCluster, DeleteCluster, DescribeClusters, ListClusters. Must never delete a cluster
 * that still holds container instances or tasks.
 */
import { EcsError, clusterNotFound, invalidParameter } from '../errors.js';
import type { ClusterRec } from '../state/records.js';
import { clusterArn, clusterNameOf } from '../wire/arn.js';
import {
  optEnum,
  optInt,
  optObjectList,
  optString,
  optStringList,
  optTags,
  reqString,
} from '../wire/input.js';
import { paginate } from '../wire/pagination.js';
import type { ApiContext, Handler } from './context.js';
import { renderCluster } from './render.js';

const NAME_RE = /^[a-zA-Z0-9_-]{1,255}$/;

/** The ACTIVE cluster named by a `cluster` parameter, or ClusterNotFoundException. */
export function activeCluster(ctx: ApiContext, value: string | undefined): ClusterRec {
  const c = ctx.state.clusters.get(clusterNameOf(value));
  if (!c || c.status !== 'ACTIVE') throw clusterNotFound();
  return c;
}

async function save(ctx: ApiContext, c: ClusterRec): Promise<void> {
  ctx.state.clusters.set(c.name, c);
  await ctx.persist.write([
    { verb: 'set', key: ctx.layout.cluster(c.name), value: JSON.stringify(c) },
  ]);
}

export const createCluster: Handler = async (ctx, body) => {
  const name = optString(body, 'clusterName') ?? 'default';
  if (!NAME_RE.test(name)) {
    throw invalidParameter(
      'clusterName: up to 255 letters (uppercase and lowercase), numbers, underscores, and hyphens are allowed.',
    );
  }
  const tags = optTags(body) ?? [];
  const settings = (optObjectList(body, 'settings') ?? []).map((s, i) => {
    const n = optEnum(s, 'name', ['containerInsights'] as const, `settings[${i}].name`);
    const v = optString(s, 'value', `settings[${i}].value`);
    if (!n || v === undefined) throw invalidParameter(`settings[${i}] needs a name and a value.`);
    return { name: n, value: v };
  });
  const existing = ctx.state.clusters.get(name);
  if (existing?.status === 'ACTIVE')
    return { cluster: renderCluster(ctx.state, existing, ['TAGS']) };
  const c: ClusterRec = {
    name,
    status: 'ACTIVE',
    createdAt: ctx.now(),
    tags,
    settings: settings.length ? settings : [{ name: 'containerInsights', value: 'disabled' }],
  };
  await save(ctx, c);
  return { cluster: renderCluster(ctx.state, c, ['TAGS']) };
};

export const deleteCluster: Handler = async (ctx, body) => {
  const c = activeCluster(ctx, reqString(body, 'cluster'));
  if (ctx.state.instancesOf(c.name).length > 0) {
    throw new EcsError(
      'ClusterContainsContainerInstancesException',
      'The Cluster cannot be deleted while Container Instances are active or draining.',
    );
  }
  for (const t of ctx.state.tasks.values()) {
    if (t.rec.cluster === c.name && !t.rec.done) {
      throw new EcsError(
        'ClusterContainsTasksException',
        'The Cluster cannot be deleted while Tasks are active.',
      );
    }
  }
  const gone: ClusterRec = { ...c, status: 'INACTIVE' };
  await save(ctx, gone);
  return { cluster: renderCluster(ctx.state, gone, ['TAGS']) };
};

export const describeClusters: Handler = async (ctx, body) => {
  const names = optStringList(body, 'clusters') ?? ['default'];
  if (names.length > 100) throw invalidParameter('clusters can have at most 100 items.');
  const include = optStringList(body, 'include') ?? [];
  const clusters: Record<string, unknown>[] = [];
  const failures: { arn: string; reason: string }[] = [];
  for (const ref of names) {
    const c = ctx.state.clusters.get(clusterNameOf(ref));
    if (c) clusters.push(renderCluster(ctx.state, c, include));
    else {
      failures.push({
        arn: ref.startsWith('arn:') ? ref : clusterArn(ctx.state.scope, ref),
        reason: 'MISSING',
      });
    }
  }
  return { clusters, failures };
};

export const listClusters: Handler = async (ctx, body) => {
  const max = optInt(body, 'maxResults', 1, 100);
  const active = [...ctx.state.clusters.values()].filter((c) => c.status === 'ACTIVE');
  const page = paginate(active, (c) => c.name, optString(body, 'nextToken'), max);
  return {
    clusterArns: page.items.map((c) => clusterArn(ctx.state.scope, c.name)),
    ...(page.nextToken ? { nextToken: page.nextToken } : {}),
  };
};
