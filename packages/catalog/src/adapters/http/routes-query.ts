/**
 * `/v1/query` (prepared queries): create, list, read, update, delete, execute and explain.
 * Named queries are governed by `query` rules on their name (unnamed ones only by management
 * tokens for reads); execution runs with the query's own Token when it has one, else the
 * caller's, and returns only instances that token may read, with the query's `DNS.TTL` (what
 * `NAME.query.consul` answers carry).
 */
import { randomUUID } from 'node:crypto';
import { instanceReadable, keep } from '../../core/acl/acl-filter.js';
import { Fields } from '../../core/fields.js';
import { executeQuery, resolveQuery } from '../../core/prepared-query/execute.js';
import { renderQuery } from '../../core/prepared-query/render-query.js';
import { validateQuery } from '../../core/prepared-query/query-ops.js';
import { renderCheck, renderNode, renderNodeService } from '../../core/render.js';
import type { QueryInput, QueryRec } from '../../core/types.js';
import { BadRequestError, NotFoundError } from '../../errors.js';
import type { Ctx, Reply } from './context.js';
import type { Route } from './route.js';

const NOT_FOUND = 'Query not found';

function decodeQuery(body: unknown, id: string): QueryInput {
  const f = new Fields(body, 'PreparedQuery');
  const s = f.obj('Service') ?? new Fields({}, 'ServiceQuery');
  const failover = s.obj('Failover');
  const template = f.obj('Template');
  const q: QueryInput = {
    id,
    name: f.str('Name') ?? '',
    session: f.str('Session') ?? '',
    token: f.str('Token') ?? '',
    service: {
      service: s.str('Service') ?? '',
      failoverNearestN: failover?.int('NearestN') ?? 0,
      failoverDatacenters: failover?.strList('Datacenters') ?? null,
      onlyPassing: s.bool('OnlyPassing') ?? false,
      ignoreCheckIds: s.strList('IgnoreCheckIDs') ?? null,
      near: s.str('Near') ?? '',
      tags: s.strList('Tags') ?? null,
      nodeMeta: s.strMap('NodeMeta') ?? null,
      serviceMeta: s.strMap('ServiceMeta') ?? null,
      connect: s.obj('Connect')?.bool('Enabled') ?? false,
      peer: s.str('Peer') ?? '',
    },
    dnsTtl: f.obj('DNS')?.str('TTL') ?? '',
    templateType: template?.str('Type') ?? '',
    templateRegexp: template?.str('Regexp') ?? '',
    templateRemoveEmptyTags: template?.bool('RemoveEmptyTags') ?? false,
  };
  validateQuery(q);
  return q;
}

/** Write access to a query with this name (unnamed queries need no name rule). */
function requireWrite(ctx: Ctx, name: string): void {
  if (name !== '') ctx.require(ctx.authz.queryWrite(name), 'query:write', name);
}

function canRead(ctx: Ctx, q: QueryRec): boolean {
  return ctx.authz.management || (q.name !== '' && ctx.authz.queryRead(q.name));
}

async function create(ctx: Ctx): Promise<Reply> {
  const q = decodeQuery(await ctx.json(), randomUUID());
  requireWrite(ctx, q.name);
  await ctx.catalog.write({ t: 'query-set', query: q, create: true });
  return { json: { ID: q.id } };
}

function list(ctx: Ctx): Reply {
  const s = ctx.catalog.store.state;
  const all = [...s.queries.values()].sort((a, b) => a.createIndex - b.createIndex);
  const seen = keep(all, (q) => canRead(ctx, q));
  return {
    json: seen.items.map((q) => renderQuery(q, ctx.authz.management)),
    index: s.tableIndex.queries,
    filtered: seen.filtered,
  };
}

async function one(ctx: Ctx): Promise<Reply> {
  const parts = ctx.rest.split('/');
  const [idOrName = '', action = ''] = parts;
  if (parts.length > 2 || idOrName === '') throw new BadRequestError('Missing query ID');
  if (action === 'execute' || action === 'explain') {
    if (ctx.method !== 'GET') throw new BadRequestError(`Bad method ${ctx.method}`);
    return action === 'execute' ? execute(ctx, idOrName) : explain(ctx, idOrName);
  }
  if (action !== '') throw new NotFoundError(NOT_FOUND);
  const s = ctx.catalog.store.state;
  const cur = s.queries.get(idOrName);
  if (ctx.method === 'GET') {
    if (!cur) throw new NotFoundError(NOT_FOUND);
    ctx.require(canRead(ctx, cur), 'query:read', cur.name);
    return { json: [renderQuery(cur, ctx.authz.management)], index: cur.modifyIndex };
  }
  if (!cur) throw new NotFoundError(NOT_FOUND);
  requireWrite(ctx, cur.name);
  if (ctx.method === 'DELETE') {
    await ctx.catalog.write({ t: 'query-delete', id: cur.id });
    return {};
  }
  const q = decodeQuery(await ctx.json(), cur.id);
  requireWrite(ctx, q.name);
  await ctx.catalog.write({ t: 'query-set', query: q, create: false });
  return {};
}

function uint(ctx: Ctx, name: string): number {
  const v = ctx.get(name);
  if (v === undefined || v === '') return 0;
  if (!/^\d+$/.test(v)) throw new BadRequestError(`Bad ${name} value ${JSON.stringify(v)}`);
  return Number(v);
}

function execute(ctx: Ctx, idOrName: string): Reply {
  const s = ctx.catalog.store.state;
  const r = resolveQuery(s, idOrName);
  if (!r) throw new NotFoundError(NOT_FOUND);
  // The query runs with its own token when it has one (Consul's "Token" field).
  const authz = r.query.token !== '' ? ctx.catalog.acl.resolve(r.query.token).authz : ctx.authz;
  const remote = ctx.req.socket.remoteAddress?.replace(/^::ffff:/, '');
  const ipNode = [...s.nodes.values()].find((n) => n.address === remote)?.node;
  const out = executeQuery(s, r.service, {
    near: ctx.get('near') ?? '',
    limit: uint(ctx, 'limit'),
    agentNode: ctx.catalog.config.node,
    ipNode,
    random: Math.random,
  });
  const seen = keep(out.value, (i) => instanceReadable(authz, i.node.node, i.service.service));
  const dc = ctx.catalog.config.datacenter;
  return {
    json: {
      Service: r.service.service,
      Nodes: seen.items.map((i) => ({
        Node: renderNode(i.node, dc),
        Service: renderNodeService(i.service),
        Checks: i.checks.map(renderCheck),
      })),
      DNS: { TTL: r.query.dnsTtl },
      Datacenter: dc,
      Failovers: 0,
    },
    index: out.index,
    filtered: seen.filtered,
  };
}

function explain(ctx: Ctx, idOrName: string): Reply {
  const s = ctx.catalog.store.state;
  const r = resolveQuery(s, idOrName);
  if (!r) throw new NotFoundError(NOT_FOUND);
  ctx.require(canRead(ctx, r.query), 'query:read', r.query.name);
  return {
    json: { Query: renderQuery(r.query, ctx.authz.management, r.service) },
    index: r.query.modifyIndex,
  };
}

export const queryRoutes: readonly Route[] = [
  {
    path: '/v1/query',
    methods: ['GET', 'POST'],
    handle: (ctx) => (ctx.method === 'POST' ? create(ctx) : list(ctx)),
  },
  { path: '/v1/query/', prefix: true, methods: ['GET', 'PUT', 'DELETE'], handle: one },
];
