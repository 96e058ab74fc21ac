/**
 * `/v1/kv/` (get with recurse/keys/separator/raw, put with flags/cas/acquire/release, delete
 * with recurse/cas) over the catalog. Bodies are raw bytes, never parsed. It must not apply a
 * write the store has not validated.
 */
import { BadRequestError, StateError } from '../../errors.js';
import { kvKeyProblem } from '../../core/kv-key.js';
import { keep } from '../../core/acl/acl-filter.js';
import { kvGet, kvKeys, kvList } from '../../core/queries.js';
import { renderKv } from '../../core/render.js';
import type { Change } from '../../core/types.js';
import { blocking } from './blocking.js';
import { type Ctx, MAX_KV_BODY, parseUint64, type Reply } from './context.js';
import type { Route } from './route.js';

function validKey(key: string, allowEmpty: boolean): string {
  if (key === '' && !allowEmpty) throw new BadRequestError('Missing key name');
  const problem = kvKeyProblem(key);
  if (problem) throw new BadRequestError(`Invalid key name ${JSON.stringify(key)}: ${problem}`);
  return key;
}

function kvGetReply(ctx: Ctx): Reply | Promise<Reply> {
  const state = ctx.catalog.store.state;
  const recurse = ctx.has('recurse');
  const keys = ctx.has('keys');
  const key = validKey(ctx.rest, recurse || keys);
  const authz = ctx.authz;
  if (keys) {
    const sep = ctx.get('separator') ?? ctx.get('seperator') ?? '';
    return blocking(ctx, {
      tables: ['kv'],
      concerns: (c: Change) => c.kvKeys.some((k) => k.startsWith(key)),
      run: () => {
        const r = kvKeys(state, key, sep);
        // A rolled-up key (`a/b/`) stands for keys under it: it is shown when readable.
        const { items, filtered } = keep(r.value, (k) => authz.keyRead(k));
        if (items.length === 0 && key !== '') return { status: 404, index: r.index, filtered };
        return { json: items, index: r.index, filtered };
      },
    });
  }
  if (recurse) {
    return blocking(ctx, {
      tables: ['kv'],
      concerns: (c: Change) => c.kvKeys.some((k) => k.startsWith(key)),
      run: () => {
        const r = kvList(state, key);
        const { items, filtered } = keep(r.value, (e) => authz.keyRead(e.key));
        if (items.length === 0) return { status: 404, index: r.index, filtered };
        return { json: items.map((e) => renderKv(e)), index: r.index, filtered };
      },
    });
  }
  ctx.require(authz.keyRead(key), 'key:read', key);
  const raw = ctx.has('raw');
  return blocking(ctx, {
    tables: ['kv'],
    concerns: (c: Change) => c.kvKeys.includes(key),
    run: () => {
      const r = kvGet(state, key);
      if (!r.value) return { status: 404, index: r.index };
      if (raw) {
        const bytes =
          r.value.value === null ? Buffer.alloc(0) : Buffer.from(r.value.value, 'base64');
        return {
          raw: bytes,
          index: r.index,
          headers: {
            'content-type': 'text/plain',
            'x-content-type-options': 'nosniff',
            'content-security-policy': 'sandbox',
          },
        };
      }
      return { json: [renderKv(r.value)], index: r.index };
    },
  });
}

/**
 * `flags` and `cas` as Consul's KVS endpoint reads them: `strconv.ParseUint`, whose error is
 * returned as is, a 500 with Go's text.
 */
function goUint(text: string): string {
  const digits = parseUint64(text);
  if (digits !== undefined) return digits;
  const why = /^\d+$/.test(text) ? 'value out of range' : 'invalid syntax';
  throw new StateError(`strconv.ParseUint: parsing ${JSON.stringify(text)}: ${why}`);
}

function casParam(ctx: Ctx): number | undefined {
  const v = ctx.get('cas');
  return v === undefined ? undefined : Number(goUint(v));
}

async function kvPut(ctx: Ctx): Promise<Reply> {
  const key = validKey(ctx.rest, false);
  ctx.require(ctx.authz.keyWrite(key), 'key:write', key);
  const flagsText = ctx.get('flags');
  const flags = flagsText === undefined ? '0' : goUint(flagsText);
  const cas = casParam(ctx);
  const acquire = ctx.get('acquire');
  const release = ctx.get('release');
  const given = [
    cas !== undefined && 'cas',
    acquire !== undefined && 'acquire',
    release !== undefined && 'release',
  ].filter((x): x is string => typeof x === 'string');
  if (given.length > 1) {
    throw new BadRequestError(
      `Conflicting flags: ${given.map((g) => `${g}=${ctx.get(g) ?? ''}`).join('&')}`,
    );
  }
  const body = await ctx.body(MAX_KV_BODY);
  const result = await ctx.catalog.write({
    t: 'kv-set',
    key,
    value: body.length === 0 ? null : body.toString('base64'),
    flags,
    ...(cas !== undefined ? { cas } : {}),
    ...(acquire !== undefined ? { acquire } : {}),
    ...(release !== undefined ? { release } : {}),
  });
  return { json: result };
}

async function kvDelete(ctx: Ctx): Promise<Reply> {
  const recurse = ctx.has('recurse');
  const key = validKey(ctx.rest, recurse);
  if (recurse) ctx.require(ctx.authz.keyWritePrefix(key), 'key:write', key);
  else ctx.require(ctx.authz.keyWrite(key), 'key:write', key);
  const cas = casParam(ctx);
  if (recurse && cas !== undefined) {
    throw new BadRequestError('Conflicting flags: cas=' + String(cas) + '&recurse');
  }
  const result = await ctx.catalog.write({
    t: 'kv-delete',
    key,
    recurse,
    ...(cas !== undefined ? { cas } : {}),
  });
  return { json: result };
}

export const kvRoutes: readonly Route[] = [
  {
    path: '/v1/kv/',
    prefix: true,
    methods: ['GET', 'PUT', 'DELETE'],
    handle: (ctx) => {
      if (ctx.method === 'PUT') return kvPut(ctx);
      if (ctx.method === 'DELETE') return kvDelete(ctx);
      return kvGetReply(ctx);
    },
  },
];
