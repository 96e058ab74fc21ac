/**
 * CreateCluster, DeleteCluster, DescribeClusters, ListClusters. Must never delete a cluster
 * that still holds container instances, services (ACTIVE or DRAINING) or tasks.
 */
import { EcsError, clusterNotFound, invalidParameter } from '../errors.js';
import type { ClusterRec } from '../state/records.js';
import { clusterArn, clusterNameOf } from '../core/arn.js';
import { optInt, optString, optStringList, optTags, reqString } from '../core/input.js';
import { paginate } from '../core/pagination.js';
import { effectiveSetting } from './account-settings.js';
import {
  CLUSTER_ANSWER_FIELDS,
  readClusterConfiguration,
  readClusterSettings,
  refuseServiceConnect,
  saveCluster,
} from './cluster-settings.js';
import type { ApiContext, Handler } from './context.js';
import { renderCluster } from './render.js';

const NAME_RE = /^[a-zA-Z0-9_-]{1,255}$/;

/** The ACTIVE cluster named by a `cluster` parameter, or ClusterNotFoundException. */
export function activeCluster(ctx: ApiContext, value: string | undefined): ClusterRec {
  const c = ctx.state.clusters.get(clusterNameOf(value));
  if (!c || c.status !== 'ACTIVE') throw clusterNotFound();
  return c;
}

export const createCluster: Handler = async (ctx, body, caller) => {
  const name = optString(body, 'clusterName') ?? 'default';
  if (!NAME_RE.test(name)) {
    throw invalidParameter(
      'clusterName: up to 255 letters (uppercase and lowercase), numbers, underscores, and hyphens are allowed.',
    );
  }
  const tags = optTags(body) ?? [];
  const settings = readClusterSettings(body) ?? [];
  const configuration = readClusterConfiguration(body);
  refuseServiceConnect(body);
  const existing = ctx.state.clusters.get(name);
  if (existing?.status === 'ACTIVE') {
    return { cluster: renderCluster(ctx.state, existing, CLUSTER_ANSWER_FIELDS) };
  }
  // Without a containerInsights setting, the caller's account setting decides (ECS).
  const insights = effectiveSetting(ctx, caller?.principalArn ?? '', 'containerInsights').value;
  const c: ClusterRec = {
    name,
    status: 'ACTIVE',
    createdAt: ctx.now(),
    tags,
    settings: settings.length ? settings : [{ name: 'containerInsights', value: insights }],
    ...(configuration ? { configuration } : {}),
  };
  return saveCluster(ctx, c);
};

export const deleteCluster: Handler = async (ctx, body) => {
  const c = activeCluster(ctx, reqString(body, 'cluster'));
  if (ctx.state.instancesOf(c.name).length > 0) {
    throw new EcsError(
      'ClusterContainsContainerInstancesException',
      'The Cluster cannot be deleted while Container Instances are active or draining.',
    );
  }
  const inactive: string[] = [];
  for (const [key, svc] of ctx.state.services) {
    if (!key.startsWith(`${c.name}\0`)) continue;
    if (svc.status !== 'INACTIVE') {
      throw new EcsError(
        'ClusterContainsServicesException',
        'The Cluster cannot be deleted while Services are active.',
      );
    }
    inactive.push(svc.serviceName);
  }
  for (const t of ctx.state.tasks.values()) {
    if (t.rec.cluster === c.name && !t.rec.done) {
      throw new EcsError(
        'ClusterContainsTasksException',
        'The Cluster cannot be deleted while Tasks are active.',
      );
    }
  }
  // INACTIVE services go with the cluster: a new cluster of the same name starts empty.
  // The view first: a CreateService racing this call finds no ACTIVE cluster.
  const gone: ClusterRec = { ...c, status: 'INACTIVE' };
  ctx.state.clusters.set(c.name, gone);
  for (const n of inactive) ctx.state.services.delete(`${c.name}\0${n}`);
  await ctx.persist.writeMany([
    ...inactive.map((n) => ({ verb: 'delete' as const, key: ctx.layout.service(c.name, n) })),
    { verb: 'set', key: ctx.layout.cluster(c.name), value: JSON.stringify(gone) },
  ]);
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
