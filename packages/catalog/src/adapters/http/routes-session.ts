/**
 * `/v1/session/*`: create (with Consul's defaults and FixupLockDelay), destroy, renew, info,
 * node and list. Session TTL timers live in the catalog runtime; this file only decodes,
 * validates and renders.
 */
import { randomUUID } from 'node:crypto';
import { formatGoDuration, parseGoDuration } from '../../core/go-duration.js';
import { BadRequestError, NotFoundError, StateError } from '../../errors.js';
import { keep } from '../../core/acl/acl-filter.js';
import { Fields, isObject } from '../../core/fields.js';
import { schemas } from '../../core/filter/index.js';
import { sessionInfo, sessionList } from '../../core/queries.js';
import { renderSession } from '../../core/render.js';
import type { SessionRec } from '../../core/types.js';
import { blocking } from './blocking.js';
import type { Ctx, Reply } from './context.js';
import type { Route } from './route.js';

const MIN_TTL_NS = 10e9;
const MAX_TTL_NS = 24 * 3600e9;

function lockDelayNs(f: Fields): number {
  const v = f.raw('LockDelay');
  if (v === undefined || v === null || v === '') return 15e9;
  let ns: number | undefined;
  if (typeof v === 'number') ns = v;
  else if (typeof v === 'string') ns = parseGoDuration(v);
  if (ns === undefined || !Number.isFinite(ns) || ns < 0) {
    throw new BadRequestError(`Request decode failed: invalid LockDelay ${JSON.stringify(v)}`);
  }
  // Consul's FixupLockDelay: small values are seconds.
  return ns < 1000 ? ns * 1e9 : ns;
}

function serviceChecks(f: Fields): string[] | null {
  const v = f.raw('ServiceChecks');
  if (v === undefined || v === null) return null;
  if (!Array.isArray(v))
    throw new BadRequestError('Request decode failed: ServiceChecks must be a list');
  return v.map((x) => {
    if (typeof x === 'string') return x;
    if (isObject(x)) return new Fields(x, 'ServiceCheck').str('ID') ?? '';
    throw new BadRequestError('Request decode failed: ServiceChecks entries must be objects');
  });
}

async function create(ctx: Ctx): Promise<Reply> {
  const f = new Fields(await ctx.object(), 'SessionRequest');
  const behavior = f.str('Behavior') || 'release';
  if (behavior !== 'release' && behavior !== 'delete') {
    throw new StateError('Invalid Behavior setting');
  }
  const ttl = (f.str('TTL') ?? '').trim();
  if (ttl !== '') {
    const ns = parseGoDuration(ttl);
    if (ns === undefined) throw new StateError(`Invalid Session TTL '${ttl}': not a duration`);
    if (ns !== 0 && (ns < MIN_TTL_NS || ns > MAX_TTL_NS)) {
      throw new StateError(
        `Invalid Session TTL '${ns}', must be between [${formatGoDuration(MIN_TTL_NS)}=${formatGoDuration(MAX_TTL_NS)}]`,
      );
    }
  }
  const nodeChecks = f.has('NodeChecks')
    ? (f.strList('NodeChecks') ?? [])
    : f.has('Checks')
      ? (f.strList('Checks') ?? [])
      : ['serfHealth'];
  const session: Omit<SessionRec, 'createIndex' | 'modifyIndex'> = {
    id: randomUUID(),
    name: f.str('Name') ?? '',
    node: f.str('Node') || ctx.catalog.config.node,
    lockDelayNs: lockDelayNs(f),
    behavior,
    ttl,
    nodeChecks,
    serviceChecks: serviceChecks(f),
  };
  ctx.require(ctx.authz.sessionWrite(session.node), 'session:write', session.node);
  await ctx.catalog.write({ t: 'session-create', session });
  return { json: { ID: session.id } };
}

function requireSessionWrite(ctx: Ctx, id: string): void {
  const s = ctx.catalog.store.state.sessions.get(id);
  if (s) ctx.require(ctx.authz.sessionWrite(s.node), 'session:write', s.node);
}

async function destroy(ctx: Ctx): Promise<Reply> {
  if (ctx.rest === '') throw new BadRequestError('Missing session');
  requireSessionWrite(ctx, ctx.rest);
  await ctx.catalog.write({ t: 'session-destroy', id: ctx.rest });
  return { json: true };
}

async function renew(ctx: Ctx): Promise<Reply> {
  if (ctx.rest === '') throw new BadRequestError('Missing session');
  requireSessionWrite(ctx, ctx.rest);
  const s = ctx.catalog.renewSession(ctx.rest);
  if (!s) throw new NotFoundError(`Session id '${ctx.rest}' not found`);
  // The answer shows the session record: only once its creation is durable.
  await ctx.catalog.readBarrier();
  return { json: [renderSession(s)] };
}

function list(ctx: Ctx, query: () => { index: number; value: readonly SessionRec[] }) {
  const filter = ctx.filter(schemas.SESSION);
  const authz = ctx.authz;
  return blocking(ctx, {
    tables: ['sessions'],
    concerns: () => true,
    run: () => {
      const r = query();
      const seen = keep(r.value, (x) => authz.sessionRead(x.node));
      const out = seen.items.map(renderSession);
      return {
        json: filter ? out.filter((x) => filter(x)) : out,
        index: r.index,
        filtered: seen.filtered,
      };
    },
  });
}

export const sessionRoutes: readonly Route[] = [
  { path: '/v1/session/create', methods: ['PUT'], handle: create },
  { path: '/v1/session/destroy/', prefix: true, methods: ['PUT'], handle: destroy },
  { path: '/v1/session/renew/', prefix: true, methods: ['PUT'], handle: renew },
  {
    path: '/v1/session/info/',
    prefix: true,
    methods: ['GET'],
    handle: (ctx) => list(ctx, () => sessionInfo(ctx.catalog.store.state, ctx.rest)),
  },
  {
    path: '/v1/session/node/',
    prefix: true,
    methods: ['GET'],
    handle: (ctx) => list(ctx, () => sessionList(ctx.catalog.store.state, ctx.rest)),
  },
  {
    path: '/v1/session/list',
    methods: ['GET'],
    handle: (ctx) => list(ctx, () => sessionList(ctx.catalog.store.state)),
  },
];
