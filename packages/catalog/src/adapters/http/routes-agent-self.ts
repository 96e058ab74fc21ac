/**
 * `/v1/agent/self`, `/v1/agent/members` and `/v1/agent/token/*`: who this agent is (Consul's
 * shapes, `Stats.consul.leader_addr` included), the one member of its gossip pool, and the
 * agent tokens. Never changes the store.
 */
import { keep } from '../../core/acl/acl-filter.js';
import { Fields } from '../../core/fields.js';
import { AclDisabledError, NotFoundError } from '../../errors.js';
import type { Ctx, Reply } from './context.js';
import type { Route } from './route.js';

/** The Consul version berth's catalog reports (the API level it follows). */
export const CONSUL_VERSION = '1.21.5';

export function member(ctx: Ctx, wan: boolean): Record<string, unknown> {
  const { node, datacenter, advertise } = ctx.catalog.config;
  const id = ctx.catalog.store.state.nodes.get(node)?.id ?? '';
  return {
    Name: wan ? `${node}.${datacenter}` : node,
    Addr: advertise,
    Port: wan ? 8302 : 8301,
    Tags: {
      acls: ctx.catalog.acl.enabled ? '1' : '0',
      build: `${CONSUL_VERSION}:berth`,
      dc: datacenter,
      ft_fs: '1',
      ft_si: '1',
      id,
      port: '8300',
      raft_vsn: '3',
      role: 'consul',
      segment: '',
      vsn: '2',
      vsn_max: '3',
      vsn_min: '2',
      wan_join_port: '8302',
    },
    Status: 1,
    ProtocolMin: 1,
    ProtocolMax: 5,
    ProtocolCur: 2,
    DelegateMin: 2,
    DelegateMax: 5,
    DelegateCur: 4,
  };
}

function self(ctx: Ctx): Reply {
  const { node, datacenter, advertise } = ctx.catalog.config;
  ctx.require(ctx.authz.agentRead(node), 'agent:read', node);
  const id = ctx.catalog.store.state.nodes.get(node)?.id ?? '';
  const services = ctx.catalog.store.state.services.get(node)?.size ?? 0;
  const checks = ctx.catalog.store.state.checks.get(node)?.size ?? 0;
  return {
    json: {
      Config: {
        Datacenter: datacenter,
        PrimaryDatacenter: datacenter,
        NodeName: node,
        NodeID: id,
        Revision: 'berth',
        Server: true,
        Version: CONSUL_VERSION,
        BuildDate: '1970-01-01T00:00:00Z',
      },
      DebugConfig: { Datacenter: datacenter, NodeName: node, AdvertiseAddrLAN: advertise },
      Coord: { Vec: [0, 0, 0, 0, 0, 0, 0, 0], Error: 1.5, Adjustment: 0, Height: 0.00001 },
      Member: member(ctx, false),
      Stats: {
        agent: {
          check_monitors: '0',
          check_ttls: '0',
          checks: String(checks),
          services: String(services),
        },
        build: { prerelease: '', revision: 'berth', version: CONSUL_VERSION, version_metadata: '' },
        consul: {
          acl: ctx.catalog.acl.enabled ? 'enabled' : 'disabled',
          bootstrap: 'false',
          known_datacenters: '1',
          leader: 'true',
          leader_addr: `${advertise}:8300`,
          server: 'true',
        },
        raft: { applied_index: String(ctx.catalog.store.index), num_peers: '0', state: 'Leader' },
        runtime: { arch: process.arch, os: process.platform, version: process.version },
      },
      Meta: { 'consul-network-segment': '' },
      xDS: null,
    },
  };
}

/** `PUT /v1/agent/token/:kind` {"Token": "..."}: needs acl:write, as in Consul. */
async function setToken(ctx: Ctx): Promise<Reply> {
  if (!ctx.catalog.acl.enabled) throw new AclDisabledError();
  ctx.require(ctx.authz.aclWrite(), 'acl:write');
  const f = new Fields(await ctx.object(), 'AgentTokenUpdate');
  const token = f.str('Token') ?? '';
  if (!(await ctx.catalog.acl.setAgentToken(ctx.rest, token))) {
    throw new NotFoundError(`Token "${ctx.rest}" is unknown`);
  }
  return {};
}

export const agentSelfRoutes: readonly Route[] = [
  { path: '/v1/agent/self', methods: ['GET'], handle: self },
  {
    path: '/v1/agent/members',
    methods: ['GET'],
    handle: (ctx) => {
      const seen = keep([member(ctx, ctx.has('wan'))], () =>
        ctx.authz.nodeRead(ctx.catalog.config.node),
      );
      return { json: seen.items, filtered: seen.filtered };
    },
  },
  { path: '/v1/agent/token/', prefix: true, methods: ['PUT'], handle: setToken },
];
