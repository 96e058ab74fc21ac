/**
 * `/v1/catalog/*`: the cluster-wide views (including the built-in `consul` service and
 * `serfHealth`), every read blocking-capable with Consul's per-query indexes and filtered by
 * the token's node and service read rights, and catalog register/deregister, which check their
 * datacenter (query and body) and the token's write rights before anything is applied.
 */
import { randomUUID } from 'node:crypto';
import { instanceReadable, keep } from '../../core/acl/acl-filter.js';
import { decodeCatalogCheck, decodeNodeMeta, decodeService } from '../../core/decode-service.js';
import { Fields } from '../../core/fields.js';
import { schemas } from '../../core/filter/index.js';
import {
  catalogNode,
  catalogNodes,
  catalogService,
  catalogServices,
  type NodeMetaFilter,
} from '../../core/queries.js';
import { renderNode, renderNodeService, renderServiceNode } from '../../core/render.js';
import type { Change, NodeInput } from '../../core/types.js';
import { BadRequestError } from '../../errors.js';
import { blocking } from './blocking.js';
import type { Ctx, Reply } from './context.js';
import type { Route } from './route.js';

export function nodeMeta(ctx: Ctx): NodeMetaFilter {
  return ctx.query.getAll('node-meta').map((kv) => {
    const at = kv.indexOf(':');
    return at < 0 ? ([kv, ''] as const) : ([kv.slice(0, at), kv.slice(at + 1)] as const);
  });
}

export const always = (): boolean => true;
export const forService =
  (name: string) =>
  (c: Change): boolean =>
    c.serviceNames.has(name) || c.tables.has('nodes');

export function apply<T>(items: readonly T[], filter: ((v: unknown) => boolean) | undefined): T[] {
  return filter ? items.filter((x) => filter(x)) : [...items];
}

function services(ctx: Ctx): Reply | Promise<Reply> {
  const meta = nodeMeta(ctx);
  const filter = ctx.filter(schemas.SERVICE_NODE);
  const state = ctx.catalog.store.state;
  const dc = ctx.catalog.config.datacenter;
  const authz = ctx.authz;
  return blocking(ctx, {
    tables: ['services', 'nodes'],
    concerns: always,
    run: () => {
      const r = catalogServices(state, meta);
      const names = keep([...r.value.keys()], (n) => authz.serviceRead(n));
      const out: Record<string, string[]> = {};
      for (const name of names.items) {
        if (!filter) {
          out[name] = r.value.get(name) ?? [];
          continue;
        }
        for (const inst of catalogService(state, name, [], meta).value) {
          if (!filter(renderServiceNode(inst.node, inst.service, dc))) continue;
          const tags = (out[name] ??= []);
          for (const t of inst.service.tags) if (!tags.includes(t)) tags.push(t);
        }
      }
      return { json: out, index: r.index, filtered: names.filtered };
    },
  });
}

function service(ctx: Ctx): Reply | Promise<Reply> {
  const name = ctx.rest;
  if (name === '') throw new BadRequestError('Missing service name');
  const tags = ctx.query.getAll('tag');
  const meta = nodeMeta(ctx);
  const filter = ctx.filter(schemas.SERVICE_NODE);
  const state = ctx.catalog.store.state;
  const dc = ctx.catalog.config.datacenter;
  const authz = ctx.authz;
  return blocking(ctx, {
    tables: ['services', 'nodes'],
    concerns: forService(name),
    run: () => {
      const r = catalogService(state, name, tags, meta);
      const seen = keep(r.value, (i) => instanceReadable(authz, i.node.node, i.service.service));
      const rendered = seen.items.map((i) => renderServiceNode(i.node, i.service, dc));
      return { json: apply(rendered, filter), index: r.index, filtered: seen.filtered };
    },
  });
}

function nodes(ctx: Ctx): Reply | Promise<Reply> {
  const meta = nodeMeta(ctx);
  const filter = ctx.filter(schemas.NODE);
  const state = ctx.catalog.store.state;
  const dc = ctx.catalog.config.datacenter;
  const authz = ctx.authz;
  return blocking(ctx, {
    tables: ['nodes'],
    concerns: always,
    run: () => {
      const r = catalogNodes(state, meta);
      const seen = keep(r.value, (n) => authz.nodeRead(n.node));
      const json = apply(
        seen.items.map((n) => renderNode(n, dc)),
        filter,
      );
      return { json, index: r.index, filtered: seen.filtered };
    },
  });
}

function node(ctx: Ctx): Reply | Promise<Reply> {
  const state = ctx.catalog.store.state;
  const dc = ctx.catalog.config.datacenter;
  const name = ctx.rest;
  const authz = ctx.authz;
  const filter = ctx.filter(schemas.NODE_SERVICE);
  return blocking(ctx, {
    tables: ['nodes', 'services'],
    concerns: always,
    run: () => {
      const r = catalogNode(state, name);
      if (!r.value) return { json: null, index: r.index };
      if (!authz.nodeRead(name)) return { json: null, index: r.index, filtered: true };
      const seen = keep(r.value.services, (s) => authz.serviceRead(s.service));
      const svc: Record<string, unknown> = {};
      for (const s of seen.items) {
        const rendered = renderNodeService(s);
        if (!filter || filter(rendered)) svc[s.id] = rendered;
      }
      return {
        json: { Node: renderNode(r.value.node, dc), Services: svc },
        index: r.index,
        filtered: seen.filtered,
      };
    },
  });
}

function nodeChanges(prev: NodeInput | undefined, next: NodeInput): boolean {
  if (!prev) return true;
  const strip = (n: NodeInput) => JSON.stringify([n.id, n.address, n.taggedAddresses, n.meta]);
  return strip(prev) !== strip(next);
}

async function register(ctx: Ctx): Promise<Reply> {
  const body = await ctx.object();
  const f = new Fields(body, 'RegisterRequest');
  ctx.requireLocalDc(f.str('Datacenter'));
  const name = f.str('Node') ?? '';
  if (name === '') throw new BadRequestError('Must provide node');
  const address = f.str('Address') ?? '';
  if (address === '') throw new BadRequestError('Must provide address');
  const cat = ctx.catalog;
  const prev = cat.store.state.nodes.get(name);
  const skip = f.bool('SkipNodeUpdate') === true && prev !== undefined;
  const reg = f.raw('Service');
  const svc =
    reg === undefined || reg === null
      ? undefined
      : decodeService(reg, { catalogShape: true, scripts: true });
  const checkBodies = [f.raw('Check'), ...((f.raw('Checks') as unknown[] | undefined) ?? [])];
  const checks = checkBodies
    .filter((c) => c !== undefined && c !== null)
    .map((c) => decodeCatalogCheck(c));
  const nodeInput: NodeInput | null = skip
    ? null
    : {
        id: f.str('ID') || prev?.id || randomUUID(),
        node: name,
        address,
        taggedAddresses: f.strMap('TaggedAddresses') ?? prev?.taggedAddresses ?? {},
        meta: decodeNodeMeta(f.strMap('NodeMeta') ?? { ...(prev?.meta ?? {}) }),
      };
  // Consul's vetRegisterWithACL: node write only when the node changes; service write for
  // the service (and the one it replaces); node or service write for each check.
  const authz = ctx.authz;
  if (nodeInput && nodeChanges(prev, nodeInput)) {
    ctx.require(authz.nodeWrite(name), 'node:write', name);
  }
  const services = cat.store.state.services.get(name);
  if (svc) {
    ctx.require(authz.serviceWrite(svc.service.service), 'service:write', svc.service.service);
    const old = services?.get(svc.service.id);
    if (old && old.service !== svc.service.service) {
      ctx.require(authz.serviceWrite(old.service), 'service:write', old.service);
    }
  }
  for (const c of checks) {
    const owner =
      c.serviceId === ''
        ? undefined
        : (services?.get(c.serviceId)?.service ??
          (svc?.service.id === c.serviceId ? svc.service.service : undefined));
    if (owner === undefined) ctx.require(authz.nodeWrite(name), 'node:write', name);
    else ctx.require(authz.serviceWrite(owner), 'service:write', owner);
  }
  // One write: node, service and checks appear together or not at all (Consul applies a
  // RegisterRequest in one raft entry).
  await cat.write({
    t: 'catalog-register',
    nodeName: name,
    node: nodeInput,
    service: svc ? svc.service : null,
    checks,
  });
  return { json: true };
}

async function deregister(ctx: Ctx): Promise<Reply> {
  const f = new Fields(await ctx.object(), 'DeregisterRequest');
  ctx.requireLocalDc(f.str('Datacenter'));
  const name = f.str('Node') ?? '';
  if (name === '') throw new BadRequestError('Must provide node');
  const serviceId = f.str('ServiceID') ?? '';
  const checkId = f.str('CheckID') ?? '';
  const state = ctx.catalog.store.state;
  const authz = ctx.authz;
  if (serviceId !== '') {
    const s = state.services.get(name)?.get(serviceId);
    if (s) ctx.require(authz.serviceWrite(s.service), 'service:write', s.service);
    await ctx.catalog.write({ t: 'service-deregister', node: name, id: serviceId });
  } else if (checkId !== '') {
    const c = state.checks.get(name)?.get(checkId);
    if (c && c.serviceName !== '') {
      ctx.require(authz.serviceWrite(c.serviceName), 'service:write', c.serviceName);
    } else ctx.require(authz.nodeWrite(name), 'node:write', name);
    await ctx.catalog.write({ t: 'check-deregister', node: name, id: checkId });
  } else {
    ctx.require(authz.nodeWrite(name), 'node:write', name);
    await ctx.catalog.write({ t: 'node-deregister', node: name });
  }
  return { json: true };
}

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
  {
    path: '/v1/catalog/connect/',
    prefix: true,
    methods: ['GET'],
    // No service here is Connect-capable: a valid, always empty list.
    handle: (ctx) => {
      ctx.filter(schemas.SERVICE_NODE);
      return { json: [], index: ctx.catalog.store.index };
    },
  },
  { path: '/v1/catalog/node/', prefix: true, methods: ['GET'], handle: node },
];
