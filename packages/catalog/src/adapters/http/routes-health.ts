/**
 * `/v1/health/*`: service instances with their checks, checks by service, node and state;
 * every read blocking-capable and filtered by the token's node and service read rights
 * (Consul's filterCheckServiceNodes / filterHealthChecks). `health/connect` and
 * `health/ingress` answer the empty lists Consul gives where nothing is Connect-enabled.
 */
import { checkReadable, instanceReadable, keep } from '../../core/acl/acl-filter.js';
import { schemas } from '../../core/filter/index.js';
import { healthChecks, healthNode, healthService, healthState } from '../../core/queries.js';
import { renderCheck, renderNode, renderNodeService } from '../../core/render.js';
import type { Change, CheckRec } from '../../core/types.js';
import { BadRequestError } from '../../errors.js';
import { blocking } from './blocking.js';
import { type Ctx, parseBool, type Reply } from './context.js';
import type { Route } from './route.js';
import { always, apply, forService, nodeMeta } from './routes-catalog.js';

function passingParam(ctx: Ctx): boolean {
  const v = ctx.get('passing');
  if (v === undefined) return false;
  if (v === '') return true;
  const b = parseBool(v);
  if (b === undefined) throw new BadRequestError('Invalid value for ?passing');
  return b;
}

function serviceRoute(ctx: Ctx): Reply | Promise<Reply> {
  const name = ctx.rest;
  if (name === '') throw new BadRequestError('Missing service name');
  const passing = passingParam(ctx);
  const tags = ctx.query.getAll('tag');
  const meta = nodeMeta(ctx);
  const filter = ctx.filter(schemas.CHECK_SERVICE_NODE);
  // No peering here: instances of a named peer do not exist.
  const peer = ctx.get('peer') ?? '';
  const state = ctx.catalog.store.state;
  const dc = ctx.catalog.config.datacenter;
  const authz = ctx.authz;
  return blocking(ctx, {
    tables: ['services', 'nodes', 'checks'],
    concerns: forService(name),
    run: () => {
      const r = healthService(state, name, { tags, passing, meta });
      const seen = keep(peer === '' ? r.value : [], (i) =>
        instanceReadable(authz, i.node.node, i.service.service),
      );
      const rendered = seen.items.map((i) => ({
        Node: renderNode(i.node, dc),
        Service: renderNodeService(i.service),
        Checks: i.checks.filter((c) => checkReadable(authz, c)).map(renderCheck),
      }));
      return { json: apply(rendered, filter), index: r.index, filtered: seen.filtered };
    },
  });
}

function checksList(
  ctx: Ctx,
  concerns: (c: Change) => boolean,
  query: () => { index: number; value: readonly CheckRec[] },
): Reply | Promise<Reply> {
  const filter = ctx.filter(schemas.HEALTH_CHECK);
  const authz = ctx.authz;
  return blocking(ctx, {
    tables: ['checks', 'services', 'nodes'],
    concerns,
    run: () => {
      const r = query();
      const seen = keep(r.value, (c) => checkReadable(authz, c));
      return {
        json: apply(seen.items.map(renderCheck), filter),
        index: r.index,
        filtered: seen.filtered,
      };
    },
  });
}

/** Connect and ingress views: nothing here is Connect-enabled, so always empty. */
function emptyServiceView(ctx: Ctx): Reply {
  if (ctx.rest === '') throw new BadRequestError('Missing service name');
  ctx.filter(schemas.CHECK_SERVICE_NODE);
  return { json: [], index: ctx.catalog.store.index };
}

const STATES = new Set(['any', 'passing', 'warning', 'critical']);

export const healthRoutes: readonly Route[] = [
  { path: '/v1/health/service/', prefix: true, methods: ['GET'], handle: serviceRoute },
  { path: '/v1/health/connect/', prefix: true, methods: ['GET'], handle: emptyServiceView },
  { path: '/v1/health/ingress/', prefix: true, methods: ['GET'], handle: emptyServiceView },
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
