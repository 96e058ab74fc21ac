/**
 * `PUT /v1/txn` (KV operations only): decodes the operation list with Consul's limits
 * (128 operations, 512 KiB), applies it atomically, and answers 200 with Results or 409 with
 * Errors. It never applies part of a transaction.
 */
import { BadRequestError, TooLargeError } from '../errors.js';
import { Fields, isObject } from '../fields.js';
import { kvKeyProblem } from '../kv-key.js';
import { renderKv } from '../render.js';
import type { KvVerb, TxnKvOp } from '../types.js';
import { type Ctx, MAX_KV_BODY, type Reply } from './context.js';
import type { Route } from './route.js';

/** Consul ≥1.14's limit; berth's own client batches ≤64 for older clusters. */
export const MAX_TXN_OPS = 128;

const VERBS = new Set<KvVerb>([
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
const TREE = new Set<KvVerb>(['get-tree', 'delete-tree']);
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function parseError(message: string): BadRequestError {
  return new BadRequestError(`Failed to parse body: ${message}`);
}

function decodeOp(raw: unknown, i: number): TxnKvOp {
  if (!isObject(raw)) throw parseError(`operation ${i} is not an object`);
  const top = new Fields(raw, 'TxnOp');
  for (const other of ['Node', 'Service', 'Check']) {
    if (top.has(other) && top.raw(other) !== null) {
      throw parseError(`operation ${i}: ${other} operations are not supported by berth catalog`);
    }
  }
  const kv = top.obj('KV');
  if (!kv) throw parseError(`operation ${i} has no KV`);
  const verb = (kv.str('Verb') ?? '') as KvVerb;
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
  const ops = body.map(decodeOp);
  const out = await ctx.catalog.write({ t: 'txn', ops });
  if (out.errors.length > 0) {
    return { status: 409, json: { Results: null, Errors: out.errors } };
  }
  const results = out.results.map((e, i) => ({ KV: renderKv(e, out.withValue[i] === true) }));
  return { json: { Results: results, Errors: null }, index: ctx.catalog.store.index };
}

export const txnRoutes: readonly Route[] = [{ path: '/v1/txn', methods: ['PUT'], handle: txn }];
