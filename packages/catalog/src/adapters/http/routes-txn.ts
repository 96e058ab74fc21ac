/**
 * `PUT /v1/txn` (KV, Node, Service and Check operations): decodes the operation list with
 * Consul's limits (128 operations, 512 KiB), applies it atomically, and answers 200 with
 * Results or 409 with Errors. It never applies part of a transaction.
 */
import { BadRequestError, TooLargeError } from '../../errors.js';
import { Fields, isObject } from '../../core/fields.js';
import { kvKeyProblem } from '../../core/kv-key.js';
import { renderCheck, renderKv, renderNode, renderNodeService } from '../../core/render.js';
import type { ConsulKvVerb } from '@berth/protocol';
import type { TxnKvOp, TxnOp, TxnResult } from '../../core/types.js';
import { decodeCatalogOp } from './txn-catalog-decode.js';
import { txnOpDenied } from './txn-acl.js';
import { type Ctx, MAX_KV_BODY, type Reply } from './context.js';
import type { Route } from './route.js';

/** Consul ≥1.14's limit; berth's own client batches ≤64 for older clusters. */
export const MAX_TXN_OPS = 128;

const VERBS = new Set<ConsulKvVerb>([
  'set',
  'cas',
  'lock',
  'unlock',
  'get',
  'get-or-empty',
  'get-tree',
  'check-index',
  'check-session',
  'check-not-exists',
  'delete',
  'delete-tree',
  'delete-cas',
]);
const TREE = new Set<ConsulKvVerb>(['get-tree', 'delete-tree']);
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function parseError(message: string): BadRequestError {
  return new BadRequestError(`Failed to parse body: ${message}`);
}

function decodeKv(kv: Fields, i: number): TxnKvOp {
  const verb = (kv.str('Verb') ?? '') as ConsulKvVerb;
  if (!VERBS.has(verb)) throw parseError(`operation ${i}: unknown KV verb ${JSON.stringify(verb)}`);
  const key = kv.str('Key') ?? '';
  if (key === '' && !TREE.has(verb)) throw parseError(`operation ${i}: missing key`);
  const problem = kvKeyProblem(key);
  if (problem) throw new BadRequestError(`Invalid key name ${JSON.stringify(key)}: ${problem}`);
  const value = kv.str('Value') ?? '';
  if (!BASE64.test(value) || value.length % 4 === 1) {
    throw parseError(`operation ${i}: Value is not base64`);
  }
  const flagsRaw = kv.raw('Flags');
  let flags = '0';
  if (flagsRaw !== undefined && flagsRaw !== null) {
    if (typeof flagsRaw !== 'number' || !Number.isInteger(flagsRaw) || flagsRaw < 0) {
      throw parseError(`operation ${i}: Flags must be a uint64`);
    }
    flags = BigInt(flagsRaw).toString();
  }
  const index = kv.int('Index') ?? 0;
  if (index < 0) throw parseError(`operation ${i}: Index must be a uint64`);
  const decoded = value === '' ? null : Buffer.from(value, 'base64').toString('base64');
  return { verb, key, value: decoded, flags, index, session: kv.str('Session') ?? '' };
}

function decodeOp(raw: unknown, i: number, ctx: Ctx): TxnOp {
  if (!isObject(raw)) throw parseError(`operation ${i} is not an object`);
  const top = new Fields(raw, 'TxnOp');
  const kinds = ['KV', 'Node', 'Service', 'Check'].filter(
    (k) => top.has(k) && top.raw(k) !== null && top.raw(k) !== undefined,
  );
  if (kinds.length !== 1) {
    throw parseError(`operation ${i} must hold exactly one of KV, Node, Service or Check`);
  }
  const kind = kinds[0] as string;
  const body = top.obj(kind);
  if (!body) throw parseError(`operation ${i}: ${kind} is not an object`);
  if (kind === 'KV') return decodeKv(body, i);
  const inner = body.obj(kind);
  // A Node, Service or Check aimed at another datacenter is never applied here.
  ctx.requireLocalDc(body.str('Datacenter') ?? inner?.str('Datacenter'));
  return decodeCatalogOp(kind as 'Node' | 'Service' | 'Check', body, i);
}

async function txn(ctx: Ctx): Promise<Reply> {
  const text = (await ctx.body(MAX_KV_BODY)).toString('utf8');
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (err) {
    throw parseError((err as Error).message);
  }
  if (!Array.isArray(body)) throw parseError('the body must be a JSON array of operations');
  if (body.length > MAX_TXN_OPS) {
    throw new TooLargeError(
      `Transaction contains too many operations (${body.length} > ${MAX_TXN_OPS})`,
    );
  }
  const ops = body.map((raw, i) => decodeOp(raw, i, ctx));
  const denied = ops.flatMap((op, i) => {
    const what = txnOpDenied(ctx, op);
    return what === undefined ? [] : [{ OpIndex: i, What: what }];
  });
  if (denied.length > 0) {
    await ctx.catalog.readBarrier();
    return { status: 409, json: { Results: null, Errors: denied } };
  }
  const readOnly = ops.every(isRead);
  // The store applies the transaction synchronously inside write(): this is its read index.
  const index = ctx.catalog.store.index;
  const out = await ctx.catalog.write({ t: 'txn', ops });
  if (out.errors.length > 0) {
    return { status: 409, json: { Results: null, Errors: out.errors } };
  }
  const dc = ctx.catalog.config.datacenter;
  const results = out.results.map((r) => renderTxnResult(r, dc));
  // As Consul: only a read-only transaction is answered like a read, with X-Consul-Index.
  return { json: { Results: results, Errors: null }, ...(readOnly ? { index } : {}) };
}

const READ_VERBS = new Set([
  'get',
  'get-or-empty',
  'get-tree',
  'check-index',
  'check-session',
  'check-not-exists',
]);

function isRead(op: TxnOp): boolean {
  return READ_VERBS.has(op.verb);
}

function renderTxnResult(r: TxnResult, dc: string): Record<string, unknown> {
  switch (r.kind) {
    case 'kv':
      return { KV: renderKv(r.entry, r.withValue) };
    case 'node':
      return { Node: renderNode(r.node, dc) };
    case 'service':
      return { Service: renderNodeService(r.service) };
    case 'check':
      return { Check: renderCheck(r.check) };
  }
}

export const txnRoutes: readonly Route[] = [{ path: '/v1/txn', methods: ['PUT'], handle: txn }];
