/**
 * Pure translation of berth's KV transaction operations to Consul's /v1/txn JSON and back,
 * and the split into batches. Must never do I/O.
 */
import type { ConsulKvEntry, ConsulKvVerb, ConsulTxnError, ConsulTxnKvOp } from '@berth/protocol';
import type { TxnOpError } from '../errors.js';

/** The most operations berth puts in one Consul transaction (Consul ≤1.13 accepts 64). */
export const MAX_TXN_OPS = 64;

/** One KV operation of a transaction (Consul's KV verbs). */
export type TxnOp =
  | { verb: 'set'; key: string; value: string | Buffer; flags?: number }
  | { verb: 'cas'; key: string; value: string | Buffer; index: number; flags?: number }
  | { verb: 'lock' | 'unlock'; key: string; value: string | Buffer; session: string }
  | { verb: 'get' | 'get-tree' | 'get-or-empty'; key: string }
  | { verb: 'check-index'; key: string; index: number }
  | { verb: 'check-session'; key: string; session: string }
  | { verb: 'check-not-exists'; key: string }
  | { verb: 'delete' | 'delete-tree'; key: string }
  | { verb: 'delete-cas'; key: string; index: number };

/** One KV result of a transaction. Delete verbs and check-not-exists yield none. */
export interface TxnResult {
  readonly key: string;
  /** Present only for get / get-tree / get-or-empty. */
  readonly value: string | null;
  readonly flags: number;
  readonly lockIndex: number;
  readonly session: string | undefined;
  readonly createIndex: number;
  readonly modifyIndex: number;
}

/** Split `items` into consecutive chunks of at most `size`. */
export function chunk<T>(items: readonly T[], size: number = MAX_TXN_OPS): T[][] {
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`chunk size must be ≥1: ${size}`);
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Consul's JSON for one operation: `{ KV: { Verb, Key, Value (base64), Flags, Index, Session } }`. */
export function toConsulOp(op: TxnOp): { KV: ConsulTxnKvOp } {
  const verb: ConsulKvVerb = op.verb;
  return {
    KV: {
      Verb: verb,
      Key: op.key,
      ...('value' in op ? { Value: Buffer.from(op.value).toString('base64') } : {}),
      ...('flags' in op && op.flags !== undefined ? { Flags: op.flags } : {}),
      ...('index' in op ? { Index: op.index } : {}),
      ...('session' in op ? { Session: op.session } : {}),
    },
  };
}

/** Parse the Results of a 200 answer. */
export function parseTxnResults(body: unknown): TxnResult[] {
  // Read leniently: a foreign server may leave fields out.
  const results =
    (body as { Results?: readonly { KV?: Partial<ConsulKvEntry> }[] | null } | null)?.Results ?? [];
  return results.flatMap((r) => {
    const kv = r.KV;
    if (!kv) return [];
    return [
      {
        key: kv.Key ?? '',
        value:
          typeof kv.Value === 'string' ? Buffer.from(kv.Value, 'base64').toString('utf8') : null,
        flags: kv.Flags ?? 0,
        lockIndex: kv.LockIndex ?? 0,
        session: kv.Session || undefined,
        createIndex: kv.CreateIndex ?? 0,
        modifyIndex: kv.ModifyIndex ?? 0,
      },
    ];
  });
}

/** Parse the Errors of a 409 answer, shifting OpIndex by `offset` (the batch's first op). */
export function parseTxnErrors(body: unknown, offset: number): TxnOpError[] {
  const errors = (body as { Errors?: readonly Partial<ConsulTxnError>[] | null } | null)?.Errors;
  if (!errors?.length) return [{ opIndex: offset, what: 'transaction rolled back' }];
  return errors.map((e) => ({ opIndex: offset + (e.OpIndex ?? 0), what: e.What ?? '' }));
}
