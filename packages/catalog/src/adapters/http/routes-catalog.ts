/**
 * `/v1/catalog/*` and `/v1/health/*`: the cluster-wide views (including the built-in `consul`
 * service and `serfHealth`), every read blocking-capable with Consul's per-query indexes, and
 * catalog register/deregister. Filters apply to the rendered Consul objects.
 */
import { randomUUID } from 'node:crypto';
import { decodeCatalogCheck, decodeNodeMeta, decodeService } from '../../core/decode-service.js';
import { BadRequestError } from '../../errors.js';
import { Fields } from '../../core/fields.js';
import {
  catalogNode,
  catalogNodes,
  catalogService,
  catalogServices,
  healthChecks,
  healthNode,
  healthService,
  healthState,
  type NodeMetaFilter,
} from '../../core/queries.js';
import {
  renderCheck,
  renderNode,
  renderNodeService,
  renderServiceNode,
} from '../../core/render.js';
import type { Change, CheckRec } from '../../core/types.js';
import { blocking } from './blocking.js';
import { type Ctx, parseBool, type Reply } from './context.js';
import type { Route } from './route.js';

function nodeMeta(ctx: Ctx): NodeMetaFilter {
  return ctx.query.getAll('node-meta').map((kv) => {
    const at = kv.indexOf(':');
    return at < 0 ? ([kv, ''] as const) : ([kv.slice(0, at), kv.slice(at + 1)] as const);
  });
}

const always = (): boolean => true;
const forService =
  (name: string) =>
  (c: Change): boolean =>
    c.serviceNames.has(name) || c.tables.has('nodes');

function apply<T>(items: readonly T[], filter: ((v: unknown) => boolean) | undefined): T[] {
  return filter ? items.filter((x) => filter(x)) : [...items];
}

function services(ctx: Ctx): Reply | Promise<Reply> {
  const meta = nodeMeta(ctx);
  const filter = ctx.filter();
  const state = ctx.catalog.store.state;
  const dc = ctx.catalog.config.datacenter;
  return blocking(ctx, {
    tables: ['services', 'nodes'],
    concerns: always,
    run: () => {
      const r = catalogServices(state, meta);
      if (!filter) return { json: Object.fromEntries(r.value), index: r.index };
      const out: Record<string, string[]> = {};
      for (const name of r.value.keys()) {
        for (const inst of catalogService(state, name, [], meta).value) {
          if (!filter(renderServiceNode(inst.node, inst.service, dc))) continue;
          const tags = (out[name] ??= []);
          for (const t of inst.service.tags) if (!tags.includes(t)) tags.push(t);
        }
      }
      return { json: out, index: r.index };
    },
  });
}

function service(ctx: Ctx): Reply | Promise<Reply> {
  const name = ctx.rest;
  if (name === '') throw new BadRequestError('Missing service name');
  const tags = ctx.query.getAll('tag');
  const meta = nodeMeta(ctx);
  const filter = ctx.filter();
  const state = ctx.catalog.store.state;
  const dc = ctx.catalog.config.datacenter;
  return blocking(ctx, {
    tables: ['services', 'nodes'],
    concerns: forService(name),
    run: () => {
      const r = catalogService(state, name, tags, meta);
      const rendered = r.value.map((i) => renderServiceNode(i.node, i.service, dc));
      return { json: apply(rendered, filter), index: r.index };
    },
  });
}

function nodes(ctx: Ctx): Reply | Promise<Reply> {
  const meta = nodeMeta(ctx);
  const filter = ctx.filter();
  const state = ctx.catalog.store.state;
  const dc = ctx.catalog.config.datacenter;
  return blocking(ctx, {
    tables: ['nodes'],
    concerns: always,
    run: () => {
      const r = catalogNodes(state, meta);
      return {
        json: apply(
          r.value.map((n) => renderNode(n, dc)),
          filter,
        ),
        index: r.index,
      };
    },
  });
}

function node(ctx: Ctx): Reply | Promise<Reply> {
  const state = ctx.catalog.store.state;
  const dc = ctx.catalog.config.datacenter;
  const name = ctx.rest;
  return blocking(ctx, {
    tables: ['nodes', 'services'],
    concerns: always,
    run: () => {
      const r = catalogNode(state, name);
      if (!r.value) return { json: null, index: r.index };
      const svc: Record<string, unknown> = {};
      for (const s of r.value.services) svc[s.id] = renderNodeService(s);
      return { json: { Node: renderNode(r.value.node, dc), Services: svc }, index: r.index };
    },
  });
}

async function register(ctx: Ctx): Promise<Reply> {
  const body = await ctx.object();
  const f = new Fields(body, 'RegisterRequest');
  const name = f.str('Node') ?? '';
  if (name === '') throw new BadRequestError('Must provide node');
  const address = f.str('Address') ?? '';
  if (address === '') throw new BadRequestError('Must provide address');
  const cat = ctx.catalog;
  const prev = cat.store.state.nodes.get(name);
  const skip = f.bool('SkipNodeUpdate') === true && prev !== undefined;
  const legacyClients = ctx.options.legacyClients;
  const reg = f.raw('Service');
  const svc =
    reg === undefined || reg === null
      ? undefined
      : decodeService(reg, { catalogShape: true, legacyClients });
  const checkBodies = [f.raw('Check'), ...((f.raw('Checks') as unknown[] | undefined) ?? [])];
  const checks = checkBodies
    .filter((c) => c !== undefined && c !== null)
    .map((c) => decodeCatalogCheck(c, legacyClients));
  // One write: node, service and checks appear together or not at all (Consul applies a
  // RegisterRequest in one raft entry).
  await cat.write({
    t: 'catalog-register',
    nodeName: name,
    node: skip
      ? null
      : {
          id: f.str('ID') || prev?.id || randomUUID(),
          node: name,
          address,
          taggedAddresses: f.strMap('TaggedAddresses') ?? prev?.taggedAddresses ?? {},
          meta: decodeNodeMeta(f.strMap('NodeMeta') ?? { ...(prev?.meta ?? {}) }),
        },
    service: svc ? svc.service : null,
    checks,
  });
  return { json: true };
}

async function deregister(ctx: Ctx): Promise<Reply> {
  const f = new Fields(await ctx.object(), 'DeregisterRequest');
  const name = f.str('Node') ?? '';
  if (name === '') throw new BadRequestError('Must provide node');
  const serviceId = f.str('ServiceID') ?? '';
  const checkId = f.str('CheckID') ?? '';
  if (serviceId !== '') {
    await ctx.catalog.write({ t: 'service-deregister', node: name, id: serviceId });
  } else if (checkId !== '') {
    await ctx.catalog.write({ t: 'check-deregister', node: name, id: checkId });
  } else {
    await ctx.catalog.write({ t: 'node-deregister', node: name });
  }
  return { json: true };
}

function passingParam(ctx: Ctx): boolean {
  const v = ctx.get('passing');
  if (v === undefined) return false;
  if (v === '') return true;
  const b = parseBool(v);
  if (b === undefined) throw new BadRequestError('Invalid value for ?passing');
  return b;
}

function healthServiceRoute(ctx: Ctx): Reply | Promise<Reply> {
  const name = ctx.rest;
  if (name === '') throw new BadRequestError('Missing service name');
  const passing = passingParam(ctx);
  const tags = ctx.query.getAll('tag');
  const meta = nodeMeta(ctx);
  const filter = ctx.filter();
  const state = ctx.catalog.store.state;
  const dc = ctx.catalog.config.datacenter;
  return blocking(ctx, {
    tables: ['services', 'nodes', 'checks'],
    concerns: forService(name),
    run: () => {
      const r = healthService(state, name, { tags, passing, meta });
      const rendered = r.value.map((i) => ({
        Node: renderNode(i.node, dc),
        Service: renderNodeService(i.service),
        Checks: i.checks.map(renderCheck),
      }));
      return { json: apply(rendered, filter), index: r.index };
    },
  });
}

function checksList(
  ctx: Ctx,
  concerns: (c: Change) => boolean,
  query: () => { index: number; value: readonly CheckRec[] },
): Reply | Promise<Reply> {
  const filter = ctx.filter();
  return blocking(ctx, {
    tables: ['checks', 'services', 'nodes'],
    concerns,
    run: () => {
      const r = query();
      return { json: apply(r.value.map(renderCheck), filter), index: r.index };
    },
  });
}

const STATES = new Set(['any', 'passing', 'warning', 'critical']);

export const catalogRoutes: readonly Route[] = [
  {
    path: '/v1/catalog/datacenters',
    methods: ['GET'],
    handle: (ctx) => ({ json: [ctx.catalog.config.datacenter] }),
  },
  { path: '/v1/catalog/register', methods: ['PUT'], handle: register },
  { path: '/v1/catalog/deregister', methods: ['PUT'], handle: deregister },
  { path: '/v1/catalog/nodes', methods: ['GET'], handle: nodes },
  { path: '/v1/catalog/services', methods: ['GET'], handle: services },
  { path: '/v1/catalog/service/', prefix: true, methods: ['GET'], handle: service },
  { path: '/v1/catalog/node/', prefix: true, methods: ['GET'], handle: node },
  { path: '/v1/health/service/', prefix: true, methods: ['GET'], handle: healthServiceRoute },
  {
    path: '/v1/health/checks/',
    prefix: true,
    methods: ['GET'],
    handle: (ctx) => {
      const state = ctx.catalog.store.state;
      return checksList(ctx, forService(ctx.rest), () => healthChecks(state, ctx.rest));
    },
  },
  {
    path: '/v1/health/node/',
    prefix: true,
    methods: ['GET'],
    handle: (ctx) => {
      const state = ctx.catalog.store.state;
      return checksList(ctx, always, () => healthNode(state, ctx.rest));
    },
  },
  {
    path: '/v1/health/state/',
    prefix: true,
    methods: ['GET'],
    handle: (ctx) => {
      const st = ctx.rest;
      if (!STATES.has(st)) throw new BadRequestError(`Invalid state: ${st}`);
      const state = ctx.catalog.store.state;
      return checksList(ctx, always, () => healthState(state, st as 'any'));
    },
  },
];
