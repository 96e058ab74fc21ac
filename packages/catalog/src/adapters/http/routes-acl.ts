/**
 * `/v1/acl/*`, Consul's ACL API (401 "ACL support disabled" while ACLs are off): bootstrap,
 * tokens (create, read, self, update, clone, delete, list), policies and roles (create, read by
 * ID or name, update, delete, list); templated policies and the replication status are in
 * routes-acl-misc.ts. Reads need `acl:read`, writes `acl:write`; a token's SecretID is shown
 * only to tokens that may write ACLs. Every change goes through the catalog's log.
 */
import { randomUUID } from 'node:crypto';
import { renderPolicy, renderRole, renderToken } from '../../core/acl/render-acl.js';
import { Fields } from '../../core/fields.js';
import type { TokenInput } from '../../core/types.js';
import { AclDisabledError, BadRequestError, PermissionDeniedError } from '../../errors.js';
import { decodeExpiration, decodeGrants, decodeRoleLinks } from './acl-decode.js';
import type { Ctx, Reply } from './context.js';
import type { Route } from './route.js';

const NOT_FOUND = 'ACL not found';

export function on(ctx: Ctx): void {
  if (!ctx.catalog.acl.enabled) throw new AclDisabledError();
}

export function readable(ctx: Ctx): void {
  on(ctx);
  ctx.require(ctx.authz.aclRead(), 'acl:read');
}

function writable(ctx: Ctx): void {
  on(ctx);
  ctx.require(ctx.authz.aclWrite(), 'acl:write');
}

const state = (ctx: Ctx) => ctx.catalog.store.state;

async function bootstrap(ctx: Ctx): Promise<Reply> {
  on(ctx);
  const f = new Fields(await ctx.object(), 'BootstrapRequest');
  const token = await ctx.catalog.acl.bootstrap(f.str('BootstrapSecret'));
  return { json: renderToken(state(ctx), token, true) };
}

function tokenInput(ctx: Ctx, f: Fields, accessorId: string, secretId: string): TokenInput {
  const s = state(ctx);
  return {
    accessorId,
    secretId,
    description: f.str('Description') ?? '',
    ...decodeGrants(s, f, 'Invalid Token'),
    roles: decodeRoleLinks(s, f),
    local: f.bool('Local') ?? false,
    expirationTime: decodeExpiration(f, Date.now()),
  };
}

async function createToken(ctx: Ctx): Promise<Reply> {
  writable(ctx);
  const f = new Fields(await ctx.object(), 'ACLToken');
  const token = tokenInput(
    ctx,
    f,
    f.str('AccessorID') || randomUUID(),
    f.str('SecretID') || randomUUID(),
  );
  await ctx.catalog.write({ t: 'acl-token-set', token, create: true });
  const rec = state(ctx).aclTokens.get(token.accessorId);
  return { json: rec ? renderToken(state(ctx), rec, true) : null };
}

function tokenSelf(ctx: Ctx): Reply {
  on(ctx);
  const t = ctx.identity.token;
  if (!t) throw new PermissionDeniedError(NOT_FOUND);
  return { json: renderToken(state(ctx), t, true), index: t.modifyIndex };
}

/** `/v1/acl/token/:id` (GET, PUT, DELETE) and `/v1/acl/token/:id/clone` (PUT). */
async function token(ctx: Ctx): Promise<Reply> {
  const clone = ctx.rest.endsWith('/clone');
  const id = clone ? ctx.rest.slice(0, -'/clone'.length) : ctx.rest;
  if (ctx.method === 'GET') {
    readable(ctx);
    const t = state(ctx).aclTokens.get(id);
    if (!t) throw new PermissionDeniedError(NOT_FOUND);
    return { json: renderToken(state(ctx), t, ctx.authz.aclWrite()), index: t.modifyIndex };
  }
  writable(ctx);
  if (ctx.method === 'DELETE') {
    await ctx.catalog.write({ t: 'acl-token-delete', accessorId: id });
    return { json: true };
  }
  const prev = state(ctx).aclTokens.get(id);
  const f = new Fields(await ctx.object(), 'ACLToken');
  if (!prev) {
    if (clone) throw new PermissionDeniedError(NOT_FOUND);
    throw new BadRequestError(`Cannot find token ${JSON.stringify(id)}`);
  }
  let input: TokenInput;
  if (clone) {
    input = {
      accessorId: randomUUID(),
      secretId: randomUUID(),
      description: f.str('Description') ?? prev.description,
      policies: prev.policies,
      roles: prev.roles,
      serviceIdentities: prev.serviceIdentities,
      nodeIdentities: prev.nodeIdentities,
      templatedPolicies: prev.templatedPolicies,
      local: prev.local,
      expirationTime: prev.expirationTime,
    };
  } else {
    const given = f.str('AccessorID') ?? '';
    if (given !== '' && given !== id) {
      throw new BadRequestError('Token Accessor ID in URL and payload do not match');
    }
    input = tokenInput(ctx, f, id, f.str('SecretID') || prev.secretId);
    if (!f.has('Local')) input = { ...input, local: prev.local };
  }
  await ctx.catalog.write({ t: 'acl-token-set', token: input, create: clone });
  const rec = state(ctx).aclTokens.get(input.accessorId);
  return { json: rec ? renderToken(state(ctx), rec, true) : null };
}

function tokenList(ctx: Ctx): Reply {
  readable(ctx);
  const s = state(ctx);
  const policy = ctx.get('policy');
  const role = ctx.get('role');
  const show = ctx.authz.aclWrite();
  const out = [...s.aclTokens.values()]
    .filter((t) => !policy || t.policies.includes(policy))
    .filter((t) => !role || t.roles.includes(role))
    .sort((a, b) => a.createIndex - b.createIndex)
    .map((t) => renderToken(s, t, show));
  return { json: out, index: s.tableIndex.acl };
}

async function createPolicy(ctx: Ctx, id: string, create: boolean): Promise<Reply> {
  writable(ctx);
  const f = new Fields(await ctx.object(), 'ACLPolicy');
  const given = f.str('ID') ?? '';
  if (!create && given !== '' && given !== id) {
    throw new BadRequestError('Policy ID in URL and payload do not match');
  }
  const policy = {
    id,
    name: f.str('Name') ?? '',
    description: f.str('Description') ?? '',
    rules: f.str('Rules') ?? '',
    datacenters: f.strList('Datacenters') ?? [],
  };
  await ctx.catalog.write({ t: 'acl-policy-set', policy, create });
  const rec = state(ctx).aclPolicies.get(id);
  return { json: rec ? renderPolicy(rec) : null };
}

async function policy(ctx: Ctx): Promise<Reply> {
  const s = state(ctx);
  if (ctx.method === 'GET') {
    readable(ctx);
    const p = s.aclPolicies.get(ctx.rest);
    if (!p) throw new PermissionDeniedError(NOT_FOUND);
    return { json: renderPolicy(p), index: p.modifyIndex };
  }
  if (ctx.method === 'DELETE') {
    writable(ctx);
    await ctx.catalog.write({ t: 'acl-policy-delete', id: ctx.rest });
    return { json: true };
  }
  if (!s.aclPolicies.has(ctx.rest)) {
    writable(ctx);
    throw new BadRequestError(`Cannot find policy ${JSON.stringify(ctx.rest)}`);
  }
  return createPolicy(ctx, ctx.rest, false);
}

function byName<T extends { name: string }>(m: ReadonlyMap<string, T>, name: string): T {
  for (const v of m.values()) if (v.name === name) return v;
  throw new PermissionDeniedError(NOT_FOUND);
}

async function saveRole(ctx: Ctx, id: string, create: boolean): Promise<Reply> {
  writable(ctx);
  const f = new Fields(await ctx.object(), 'ACLRole');
  const role = {
    id,
    name: f.str('Name') ?? '',
    description: f.str('Description') ?? '',
    ...decodeGrants(state(ctx), f, 'Invalid Role'),
  };
  await ctx.catalog.write({ t: 'acl-role-set', role, create });
  const rec = state(ctx).aclRoles.get(id);
  return { json: rec ? renderRole(state(ctx), rec) : null };
}

async function role(ctx: Ctx): Promise<Reply> {
  const s = state(ctx);
  if (ctx.method === 'GET') {
    readable(ctx);
    const r = s.aclRoles.get(ctx.rest);
    if (!r) throw new PermissionDeniedError(NOT_FOUND);
    return { json: renderRole(s, r), index: r.modifyIndex };
  }
  if (ctx.method === 'DELETE') {
    writable(ctx);
    await ctx.catalog.write({ t: 'acl-role-delete', id: ctx.rest });
    return { json: true };
  }
  return saveRole(ctx, ctx.rest, false);
}

const s = (ctx: Ctx) => state(ctx);

export const aclRoutes: readonly Route[] = [
  { path: '/v1/acl/bootstrap', methods: ['PUT'], handle: bootstrap },
  { path: '/v1/acl/token', methods: ['PUT'], handle: createToken },
  { path: '/v1/acl/token/self', methods: ['GET'], handle: tokenSelf },
  { path: '/v1/acl/token/', prefix: true, methods: ['GET', 'PUT', 'DELETE'], handle: token },
  { path: '/v1/acl/tokens', methods: ['GET'], handle: tokenList },
  {
    path: '/v1/acl/policy',
    methods: ['PUT'],
    handle: (ctx) => createPolicy(ctx, randomUUID(), true),
  },
  {
    path: '/v1/acl/policy/name/',
    prefix: true,
    methods: ['GET'],
    handle: (ctx) => {
      readable(ctx);
      return { json: renderPolicy(byName(s(ctx).aclPolicies, ctx.rest)) };
    },
  },
  { path: '/v1/acl/policy/', prefix: true, methods: ['GET', 'PUT', 'DELETE'], handle: policy },
  {
    path: '/v1/acl/policies',
    methods: ['GET'],
    handle: (ctx) => {
      readable(ctx);
      const all = [...s(ctx).aclPolicies.values()].sort((a, b) => a.createIndex - b.createIndex);
      return { json: all.map((p) => renderPolicy(p, true)), index: s(ctx).tableIndex.acl };
    },
  },
  { path: '/v1/acl/role', methods: ['PUT'], handle: (ctx) => saveRole(ctx, randomUUID(), true) },
  {
    path: '/v1/acl/role/name/',
    prefix: true,
    methods: ['GET'],
    handle: (ctx) => {
      readable(ctx);
      return { json: renderRole(s(ctx), byName(s(ctx).aclRoles, ctx.rest)) };
    },
  },
  { path: '/v1/acl/role/', prefix: true, methods: ['GET', 'PUT', 'DELETE'], handle: role },
  {
    path: '/v1/acl/roles',
    methods: ['GET'],
    handle: (ctx) => {
      readable(ctx);
      const all = [...s(ctx).aclRoles.values()].sort((a, b) => a.createIndex - b.createIndex);
      return { json: all.map((r) => renderRole(s(ctx), r)), index: s(ctx).tableIndex.acl };
    },
  },
];
