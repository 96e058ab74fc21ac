/**
 * TagResource, UntagResource, ListTagsForResource for clusters, container instances, tasks,
 * task definitions, services (a service's `berth:rebalance` tag is its rebalance option) and
 * task sets.
 * Must never leave more than 50 tags on a resource.
 */
import { EcsError, clusterNotFound, invalidParameter } from '../errors.js';
import type { Tag } from '../state/records.js';
import { encodeTask } from '../state/records.js';
import { REBALANCE_TAG, rebalanceOfTags } from '../core/service-model/service-request-fields.js';
import { serviceKey } from '../leader/service-view.js';
import { parseArn } from '../core/arn.js';
import { optStringList, optTags, reqString } from '../core/input.js';
import type { ApiContext, Handler } from './context.js';

interface Target {
  tags: Tag[];
  save(tags: Tag[]): Promise<void>;
}

const notFound = (): EcsError =>
  new EcsError('ResourceNotFoundException', 'The specified resource could not be found.');

/** A task set (`task-set/<cluster>/<service>/<id>`, the id holding a slash) of a service. */
function taskSetTarget(ctx: ApiContext, arn: string): Target | undefined {
  const m = /^arn:aws[a-z-]*:ecs:[^:]*:\d*:task-set\/([^/]+)\/([^/]+)\/(.+)$/.exec(arn);
  if (!m) return undefined;
  const [, cluster = '', name = ''] = m;
  const key = serviceKey(cluster, name);
  const set = ctx.state.services.get(key)?.taskSets?.find((x) => x.taskSetArn === arn);
  if (!set) throw notFound();
  return {
    tags: set.tags,
    save: async (tags) => {
      const svc = ctx.state.services.get(key);
      if (!svc) throw notFound();
      const next = {
        ...svc,
        taskSets: (svc.taskSets ?? []).map((x) => (x.taskSetArn === arn ? { ...x, tags } : x)),
      };
      ctx.state.services.set(key, next);
      await ctx.persist.write([
        { verb: 'set', key: ctx.layout.service(cluster, name), value: JSON.stringify(next) },
      ]);
    },
  };
}

function target(ctx: ApiContext, arn: string): Target {
  const set = taskSetTarget(ctx, arn);
  if (set) return set;
  const p = parseArn(arn);
  if (!p) throw invalidParameter(`resourceArn ${arn} is not a valid ECS ARN.`);
  const { state, layout, persist } = ctx;
  switch (p.kind) {
    case 'cluster': {
      const c = state.clusters.get(p.name);
      if (!c || c.status !== 'ACTIVE') throw clusterNotFound();
      return {
        tags: c.tags,
        save: async (tags) => {
          const next = { ...c, tags };
          state.clusters.set(c.name, next);
          await persist.write([
            { verb: 'set', key: layout.cluster(c.name), value: JSON.stringify(next) },
          ]);
        },
      };
    }
    case 'container-instance': {
      const inst = state.instances.get(p.name);
      if (!inst || (p.cluster !== undefined && inst.rec.cluster !== p.cluster)) throw notFound();
      return {
        tags: inst.rec.tags,
        save: async (tags) => {
          const rec = { ...inst.rec, tags };
          state.putInstance(rec, ctx.now());
          const index = await persist.write([
            { verb: 'set', key: layout.instance(rec.cluster, rec.id), value: JSON.stringify(rec) },
          ]);
          state.bump(inst, index);
        },
      };
    }
    case 'task': {
      const t = state.tasks.get(p.name);
      if (!t || !t.committed || (p.cluster !== undefined && t.rec.cluster !== p.cluster))
        throw notFound();
      return {
        tags: t.rec.tags ?? [],
        save: async (tags) => {
          const rec = { ...t.rec, tags, version: t.rec.version + 1 };
          state.updateTask(t, rec);
          await persist.write([{ verb: 'set', key: layout.task(rec), value: encodeTask(rec) }]);
        },
      };
    }
    case 'task-definition': {
      const colon = p.name.lastIndexOf(':');
      const td = state.taskDefs.get(p.name.slice(0, colon))?.get(Number(p.name.slice(colon + 1)));
      if (!td || td.status === 'DELETED') throw notFound();
      return {
        tags: td.tags,
        save: async (tags) => {
          const next = { ...td, tags };
          state.taskDefs.get(td.family)?.set(td.revision, next);
          await persist.write([
            {
              verb: 'set',
              key: layout.taskDef(td.family, td.revision),
              value: JSON.stringify(next),
            },
          ]);
        },
      };
    }
    case 'service': {
      const key = serviceKey(p.cluster ?? 'default', p.name);
      const svc = state.services.get(key);
      if (!svc || svc.status === 'INACTIVE') throw notFound();
      return {
        tags: svc.tags,
        save: async (tags) => {
          const current = state.services.get(key) ?? svc;
          // The rebalance option follows its tag; services without it keep theirs.
          const tagged = [...tags, ...current.tags].some((t) => t.key === REBALANCE_TAG);
          const rebalance = tagged
            ? (rebalanceOfTags(tags, current.schedulingStrategy, current.placementStrategy) ?? {
                enable: false,
                maxSkew: 1,
              })
            : current.rebalance;
          const next = { ...current, tags, rebalance };
          state.services.set(key, next);
          const written = persist.write([
            {
              verb: 'set',
              key: layout.service(p.cluster ?? 'default', p.name),
              value: JSON.stringify(next),
            },
          ]);
          state.changed(p.cluster ?? 'default');
          await written;
        },
      };
    }
    default:
      throw notFound();
  }
}

export const tagResource: Handler = async (ctx, body) => {
  const t = target(ctx, reqString(body, 'resourceArn'));
  const add = optTags(body);
  if (!add) throw invalidParameter('tags can not be null.');
  const merged = new Map(t.tags.map((x) => [x.key, x.value]));
  for (const x of add) merged.set(x.key, x.value);
  if (merged.size > 50) throw invalidParameter('tags: a resource can have at most 50 tags.');
  await t.save([...merged].map(([key, value]) => ({ key, value })));
  return {};
};

export const untagResource: Handler = async (ctx, body) => {
  const t = target(ctx, reqString(body, 'resourceArn'));
  const keys = optStringList(body, 'tagKeys');
  if (!keys) throw invalidParameter('tagKeys can not be null.');
  await t.save(t.tags.filter((x) => !keys.includes(x.key)));
  return {};
};

export const listTagsForResource: Handler = async (ctx, body) => {
  const t = target(ctx, reqString(body, 'resourceArn'));
  return { tags: t.tags };
};
