/**
 * The rest of `/v1/acl/*`: templated policies (list, read, preview: the rules a
 * `builtin/service`, `builtin/node` or `builtin/dns` grant), the empty lists of auth methods
 * and binding rules (none can be configured here) and the replication status of a single
 * datacenter. Read-only.
 */
import { randomUUID } from 'node:crypto';
import { TEMPLATED_POLICIES } from '../../core/acl/builtins.js';
import { Fields } from '../../core/fields.js';
import { BadRequestError, PermissionDeniedError } from '../../errors.js';
import type { Ctx, Reply } from './context.js';
import type { Route } from './route.js';
import { on, readable } from './routes-acl.js';

const NOT_FOUND = 'ACL not found';
const s = (ctx: Ctx) => ctx.catalog.store.state;

function templated(name: string): Record<string, unknown> {
  const t = TEMPLATED_POLICIES.find((x) => x.name === name);
  if (!t) throw new PermissionDeniedError(NOT_FOUND);
  return {
    TemplateName: t.name,
    Schema: t.schema,
    Template: t.template,
    Description: t.description,
  };
}

async function preview(ctx: Ctx): Promise<Reply> {
  readable(ctx);
  const t = TEMPLATED_POLICIES.find((x) => x.name === ctx.rest);
  if (!t) throw new PermissionDeniedError(NOT_FOUND);
  const f = new Fields(await ctx.object(), 'ACLTemplatedPolicyVariables');
  const name = f.str('Name') ?? '';
  if (t.schema !== '' && name === '') {
    throw new BadRequestError(
      `Templated policy ${JSON.stringify(t.name)} requires the variable Name`,
    );
  }
  return {
    json: {
      ID: randomUUID(),
      Name: `synthetic-policy-${Buffer.from(`${t.name}:${name}`).toString('hex').slice(0, 24)}`,
      Description: `synthetic policy generated from templated policy: ${t.name}`,
      Rules: t.rules({ Name: name }),
    },
  };
}

export const aclMiscRoutes: readonly Route[] = [
  {
    path: '/v1/acl/templated-policies',
    methods: ['GET'],
    handle: (ctx) => {
      readable(ctx);
      return {
        json: Object.fromEntries(TEMPLATED_POLICIES.map((t) => [t.name, templated(t.name)])),
      };
    },
  },
  {
    path: '/v1/acl/templated-policy/name/',
    prefix: true,
    methods: ['GET'],
    handle: (ctx) => {
      readable(ctx);
      return { json: templated(ctx.rest) };
    },
  },
  {
    path: '/v1/acl/templated-policy/preview/',
    prefix: true,
    methods: ['POST'],
    handle: preview,
  },
  ...(['/v1/acl/auth-methods', '/v1/acl/binding-rules'] as const).map((path): Route => ({
    path,
    methods: ['GET'],
    // No auth method can be configured here: both lists are always empty.
    handle: (ctx) => {
      readable(ctx);
      return { json: [], index: s(ctx).tableIndex.acl };
    },
  })),
  {
    path: '/v1/acl/replication',
    methods: ['GET'],
    handle: (ctx) => {
      on(ctx);
      return {
        json: {
          Enabled: false,
          Running: false,
          SourceDatacenter: ctx.catalog.config.datacenter,
          ReplicationType: '',
          ReplicatedIndex: 0,
          ReplicatedRoleIndex: 0,
          ReplicatedTokenIndex: 0,
          LastSuccess: '0001-01-01T00:00:00Z',
          LastError: '0001-01-01T00:00:00Z',
          LastErrorMessage: '',
        },
        index: s(ctx).tableIndex.acl,
      };
    },
  },
];
