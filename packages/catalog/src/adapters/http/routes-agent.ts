/**
 * `/v1/agent/*`: the local node's services and checks (registration, maintenance, TTL
 * updates; self, members and tokens are in routes-agent-self.ts). Agent endpoints show local
 * registrations only (no `consul` service, no `serfHealth`). Never touch other nodes here.
 */
import { createHash } from 'node:crypto';
import { checkReadable } from '../../core/acl/acl-filter.js';
import { decodeCheckRegistration, decodeService } from '../../core/decode-service.js';
import { BadRequestError, NotFoundError } from '../../errors.js';
import { Fields } from '../../core/fields.js';
import { schemas } from '../../core/filter/index.js';
import { renderAgentService, renderCheck } from '../../core/render.js';
import type { CheckStatus } from '../../core/types.js';
import { hashBlocking } from './blocking.js';
import type { Ctx, Reply } from './context.js';
import type { Route } from './route.js';

const NODE_MAINT = '_node_maintenance';
const SERVICE_MAINT = '_service_maintenance:';
const DEFAULT_REASON = (what: string): string =>
  `Maintenance mode is enabled for this ${what}, but no reason was provided. This is a default message.`;

function localServices(ctx: Ctx): Reply {
  const { node, datacenter } = ctx.catalog.config;
  const filter = ctx.filter(schemas.NODE_SERVICE);
  const out: Record<string, unknown> = {};
  const services = ctx.catalog.store.state.services.get(node);
  let filtered = false;
  for (const id of [...(services?.keys() ?? [])].sort()) {
    const s = services?.get(id);
    if (!s || s.id === 'consul') continue;
    if (!ctx.authz.serviceRead(s.service)) {
      filtered = true;
      continue;
    }
    const r = renderAgentService(s, datacenter);
    if (!filter || filter(r)) out[id] = r;
  }
  return { json: out, filtered };
}

function localService(ctx: Ctx): Reply | Promise<Reply> {
  const { node, datacenter } = ctx.catalog.config;
  const id = ctx.rest;
  const state = ctx.catalog.store.state;
  const s = state.services.get(node)?.get(id);
  if (!s || s.id === 'consul') throw new NotFoundError(`unknown service ID: ${id}`);
  ctx.require(ctx.authz.serviceRead(s.service), 'service:read', s.service);
  return hashBlocking(
    ctx,
    {
      tables: ['services'],
      concerns: (c) => c.tables.has('services'),
      run: () => {
        const cur = state.services.get(node)?.get(id);
        const index = Math.max(state.tableIndex.services, 1);
        if (!cur) return { status: 404, text: `unknown service ID: ${id}`, index };
        const r = renderAgentService(cur, datacenter);
        const hash = createHash('sha256').update(JSON.stringify(r)).digest('hex').slice(0, 16);
        return {
          json: { ...r, ContentHash: hash },
          headers: { 'X-Consul-ContentHash': hash },
          index,
        };
      },
    },
    (r) => r.headers?.['X-Consul-ContentHash'],
  );
}

function localChecks(ctx: Ctx): Reply {
  const filter = ctx.filter(schemas.HEALTH_CHECK);
  const out: Record<string, unknown> = {};
  const checks = ctx.catalog.store.state.checks.get(ctx.catalog.config.node);
  let filtered = false;
  for (const id of [...(checks?.keys() ?? [])].sort()) {
    const c = checks?.get(id);
    if (!c || id === 'serfHealth') continue;
    if (!checkReadable(ctx.authz, c)) {
      filtered = true;
      continue;
    }
    const r = renderCheck(c);
    if (!filter || filter(r)) out[id] = r;
  }
  return { json: out, filtered };
}

/** Write on what owns check `id` of our node: its service, or the node itself. */
function requireCheckWrite(ctx: Ctx, id: string): void {
  const node = ctx.catalog.config.node;
  const c = ctx.catalog.store.state.checks.get(node)?.get(id);
  if (c && c.serviceName !== '') {
    ctx.require(ctx.authz.serviceWrite(c.serviceName), 'service:write', c.serviceName);
  } else ctx.require(ctx.authz.nodeWrite(node), 'node:write', node);
}

async function registerService(ctx: Ctx): Promise<Reply> {
  const body = await ctx.object();
  const { service, checks } = decodeService(body, {
    catalogShape: false,
    scripts: ctx.options.scriptChecks,
  });
  if (service.id === 'consul') throw new BadRequestError('Service ID "consul" is reserved');
  ctx.require(ctx.authz.serviceWrite(service.service), 'service:write', service.service);
  const old = ctx.catalog.store.state.services.get(ctx.catalog.config.node)?.get(service.id);
  if (old && old.service !== service.service) {
    ctx.require(ctx.authz.serviceWrite(old.service), 'service:write', old.service);
  }
  await ctx.catalog.write({
    t: 'service-register',
    node: ctx.catalog.config.node,
    service,
    checks,
    replaceChecks: ctx.has('replace-existing-checks'),
  });
  return {};
}

async function deregisterService(ctx: Ctx): Promise<Reply> {
  const s = ctx.catalog.store.state.services.get(ctx.catalog.config.node)?.get(ctx.rest);
  if (s) ctx.require(ctx.authz.serviceWrite(s.service), 'service:write', s.service);
  if (ctx.rest !== 'consul') {
    await ctx.catalog.write({
      t: 'service-deregister',
      node: ctx.catalog.config.node,
      id: ctx.rest,
    });
  }
  return {};
}

async function serviceMaintenance(ctx: Ctx): Promise<Reply> {
  const enable = ctx.requiredBool('enable');
  const node = ctx.catalog.config.node;
  const id = ctx.rest;
  const s = ctx.catalog.store.state.services.get(node)?.get(id);
  if (!s || id === 'consul') {
    throw new NotFoundError(`No service registered with ID ${JSON.stringify(id)}`);
  }
  ctx.require(ctx.authz.serviceWrite(s.service), 'service:write', s.service);
  if (!enable) {
    await ctx.catalog.write({ t: 'check-deregister', node, id: SERVICE_MAINT + id });
    return {};
  }
  await ctx.catalog.write({
    t: 'check-register',
    node,
    check: {
      checkId: SERVICE_MAINT + id,
      name: 'Service Maintenance Mode',
      status: 'critical',
      statusGiven: true,
      notes: ctx.get('reason') || DEFAULT_REASON('service'),
      output: '',
      serviceId: id,
      type: '',
      definition: null,
    },
  });
  return {};
}

async function nodeMaintenance(ctx: Ctx): Promise<Reply> {
  const enable = ctx.requiredBool('enable');
  const node = ctx.catalog.config.node;
  ctx.require(ctx.authz.nodeWrite(node), 'node:write', node);
  if (!enable) {
    await ctx.catalog.write({ t: 'check-deregister', node, id: NODE_MAINT });
    return {};
  }
  await ctx.catalog.write({
    t: 'check-register',
    node,
    check: {
      checkId: NODE_MAINT,
      name: 'Node Maintenance Mode',
      status: 'critical',
      statusGiven: true,
      notes: ctx.get('reason') || DEFAULT_REASON('node'),
      output: '',
      serviceId: '',
      type: '',
      definition: null,
    },
  });
  return {};
}

async function registerCheck(ctx: Ctx): Promise<Reply> {
  const check = decodeCheckRegistration(await ctx.object(), ctx.options.scriptChecks);
  const node = ctx.catalog.config.node;
  const svc = ctx.catalog.store.state.services.get(node)?.get(check.serviceId);
  if (svc) ctx.require(ctx.authz.serviceWrite(svc.service), 'service:write', svc.service);
  else ctx.require(ctx.authz.nodeWrite(node), 'node:write', node);
  await ctx.catalog.write({ t: 'check-register', node: ctx.catalog.config.node, check });
  return {};
}

async function deregisterCheck(ctx: Ctx): Promise<Reply> {
  requireCheckWrite(ctx, ctx.rest);
  if (ctx.rest !== 'serfHealth') {
    await ctx.catalog.write({ t: 'check-deregister', node: ctx.catalog.config.node, id: ctx.rest });
  }
  return {};
}

function ttl(status: CheckStatus) {
  return async (ctx: Ctx): Promise<Reply> => {
    requireCheckWrite(ctx, ctx.rest);
    await ctx.catalog.ttlUpdate(ctx.rest, status, ctx.get('note') ?? '');
    return {};
  };
}

async function updateCheck(ctx: Ctx): Promise<Reply> {
  requireCheckWrite(ctx, ctx.rest);
  const f = new Fields(await ctx.object(), 'checkUpdate');
  const status = f.str('Status') ?? '';
  if (status !== 'passing' && status !== 'warning' && status !== 'critical') {
    throw new BadRequestError(`Invalid check status: '${status}'`);
  }
  await ctx.catalog.ttlUpdate(ctx.rest, status, f.str('Output') ?? '');
  return {};
}

const GET = ['GET'];
const PUT = ['PUT'];

export const agentRoutes: readonly Route[] = [
  { path: '/v1/agent/maintenance', methods: PUT, handle: nodeMaintenance },
  { path: '/v1/agent/services', methods: GET, handle: localServices },
  { path: '/v1/agent/service/register', methods: PUT, handle: registerService },
  {
    path: '/v1/agent/service/deregister/',
    prefix: true,
    methods: PUT,
    legacy: GET,
    handle: deregisterService,
  },
  {
    path: '/v1/agent/service/maintenance/',
    prefix: true,
    methods: PUT,
    handle: serviceMaintenance,
  },
  { path: '/v1/agent/service/', prefix: true, methods: GET, handle: localService },
  { path: '/v1/agent/checks', methods: GET, handle: localChecks },
  { path: '/v1/agent/check/register', methods: PUT, handle: registerCheck },
  {
    path: '/v1/agent/check/deregister/',
    prefix: true,
    methods: PUT,
    legacy: GET,
    handle: deregisterCheck,
  },
  {
    path: '/v1/agent/check/pass/',
    prefix: true,
    methods: PUT,
    legacy: GET,
    handle: ttl('passing'),
  },
  {
    path: '/v1/agent/check/warn/',
    prefix: true,
    methods: PUT,
    legacy: GET,
    handle: ttl('warning'),
  },
  {
    path: '/v1/agent/check/fail/',
    prefix: true,
    methods: PUT,
    legacy: GET,
    handle: ttl('critical'),
  },
  { path: '/v1/agent/check/update/', prefix: true, methods: PUT, handle: updateCheck },
];
