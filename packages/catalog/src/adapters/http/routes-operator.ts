/**
 * `/v1/operator/raft/configuration` (one voter: this server, the leader) and `/v1/coordinate/*`
 * (network coordinates: the catalog's own node at the origin, as a single server that never
 * measured a round trip reports it). Updates of coordinates are accepted and not kept: there
 * is no network to model. Nothing here changes the store.
 */
import { keep } from '../../core/acl/acl-filter.js';
import { Fields } from '../../core/fields.js';
import { NotFoundError } from '../../errors.js';
import type { Ctx, Reply } from './context.js';
import type { Route } from './route.js';

/** The coordinate of a node nothing was measured for. */
export const ORIGIN = { Vec: [0, 0, 0, 0, 0, 0, 0, 0], Error: 1.5, Adjustment: 0, Height: 1e-5 };

function raftConfiguration(ctx: Ctx): Reply {
  ctx.require(ctx.authz.operatorRead(), 'operator:read');
  const { node, advertise } = ctx.catalog.config;
  const id = ctx.catalog.store.state.nodes.get(node)?.id ?? '';
  return {
    json: {
      Servers: [
        {
          ID: id,
          Node: node,
          Address: `${advertise}:8300`,
          Leader: true,
          ProtocolVersion: '3',
          Voter: true,
          LastIndex: ctx.catalog.store.index,
        },
      ],
      Index: 0,
    },
  };
}

function ownCoordinate(ctx: Ctx): Record<string, unknown>[] {
  const { node } = ctx.catalog.config;
  return [{ Node: node, Segment: '', Coord: ORIGIN }];
}

async function update(ctx: Ctx): Promise<Reply> {
  const f = new Fields(await ctx.object(), 'CoordinateUpdateRequest');
  ctx.requireLocalDc(f.str('Datacenter'));
  const node = f.str('Node') ?? '';
  ctx.require(ctx.authz.nodeWrite(node), 'node:write', node);
  return {};
}

export const operatorRoutes: readonly Route[] = [
  { path: '/v1/operator/raft/configuration', methods: ['GET'], handle: raftConfiguration },
  {
    path: '/v1/coordinate/datacenters',
    methods: ['GET'],
    handle: (ctx) => {
      const { node, datacenter } = ctx.catalog.config;
      return {
        json: [
          {
            Datacenter: datacenter,
            AreaID: 'wan',
            Coordinates: [{ Node: `${node}.${datacenter}`, Coord: ORIGIN }],
          },
        ],
      };
    },
  },
  {
    path: '/v1/coordinate/nodes',
    methods: ['GET'],
    handle: (ctx) => {
      const seen = keep(ownCoordinate(ctx), (c) => ctx.authz.nodeRead(c.Node as string));
      return { json: seen.items, index: ctx.catalog.store.index, filtered: seen.filtered };
    },
  },
  {
    path: '/v1/coordinate/node/',
    prefix: true,
    methods: ['GET'],
    handle: (ctx) => {
      const mine = ownCoordinate(ctx).filter((c) => c.Node === ctx.rest);
      if (mine.length === 0 || !ctx.authz.nodeRead(ctx.rest)) {
        throw new NotFoundError(`No coordinates for node ${JSON.stringify(ctx.rest)}`);
      }
      return { json: mine, index: ctx.catalog.store.index };
    },
  },
  { path: '/v1/coordinate/update', methods: ['PUT'], handle: update },
];
