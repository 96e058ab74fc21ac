/**
 * KV helpers on top of ConsulClient: get / set / cas / delete / keys / getTree, JSON variants,
 * and transactions (txn splits into ≤64-op batches; txnAtomic refuses more than 64).
 * Must never retry a write on its own: CAS callers decide what a failed write means.
 */
import type { ConsulClient, KvReadEntry } from './client.js';
import { ConsulClientError, TxnFailedError, TxnTooLargeError } from '../errors.js';
import {
  chunk,
  MAX_TXN_OPS,
  parseTxnErrors,
  parseTxnResults,
  toConsulOp,
  type TxnOp,
  type TxnResult,
} from '../core/txn-ops.js';

/** One KV entry. */
export interface KvEntry {
  readonly key: string;
  /** The value as UTF-8 text; null for an empty value. */
  readonly value: string | null;
  readonly flags: number;
  readonly lockIndex: number;
  readonly session: string | undefined;
  readonly createIndex: number;
  readonly modifyIndex: number;
}

function toEntry(raw: KvReadEntry): KvEntry {
  return {
    key: raw.Key,
    value: raw.Value ?? null,
    flags: raw.Flags ?? 0,
    lockIndex: raw.LockIndex ?? 0,
    session: raw.Session || undefined,
    createIndex: raw.CreateIndex,
    modifyIndex: raw.ModifyIndex,
  };
}

function parseJson<T>(entry: KvEntry): T | undefined {
  if (entry.value === null) return undefined;
  try {
    return JSON.parse(entry.value) as T;
  } catch (e) {
    throw new ConsulClientError('CONSUL_KV_BAD_JSON', `KV key ${entry.key} is not JSON`, {
      cause: e,
    });
  }
}

/** KV helpers; reach them as `consul.kv`. */
export class ConsulKv {
  readonly #c: ConsulClient;
  constructor(client: ConsulClient) {
    this.#c = client;
  }

  /** The entry at `key`, or undefined when absent. */
  async get(key: string, signal?: AbortSignal): Promise<KvEntry | undefined> {
    const r = await this.#c.kvRead(key, false, { signal });
    const body = r.body;
    if (!body) return undefined;
    return toEntry(Array.isArray(body) ? body[0]! : body);
  }

  /** Every entry under `prefix`, sorted by key (empty when none). */
  async getTree(prefix: string, signal?: AbortSignal): Promise<KvEntry[]> {
    const r = await this.#c.kvRead(prefix, true, { signal });
    const body = r.body;
    if (!body) return [];
    return (Array.isArray(body) ? body : [body]).map(toEntry);
  }

  /** Key names under `prefix`, rolled up at `separator` when given (empty when none). */
  async keys(prefix: string, separator?: string): Promise<string[]> {
    const r = await this.#c.kvKeys(prefix, separator);
    return r.body ?? [];
  }

  /** Unconditional write; always true on Consul. */
  set(key: string, value: string | Buffer, opts: { flags?: number } = {}): Promise<boolean> {
    return this.#c.kvPut(key, value, opts);
  }

  /**
   * Write only if the key's ModifyIndex is still `modifyIndex` (0: only if the key is absent).
   * False when someone else wrote first.
   */
  cas(
    key: string,
    value: string | Buffer,
    modifyIndex: number,
    opts: { flags?: number } = {},
  ): Promise<boolean> {
    return this.#c.kvPut(key, value, { ...opts, cas: modifyIndex });
  }

  /** Delete `key` (with `recurse`, everything under the prefix; with `cas`, only at that index). */
  delete(key: string, opts: { recurse?: boolean; cas?: number } = {}): Promise<boolean> {
    return this.#c.kvDelete(key, opts);
  }

  /** The JSON value at `key`; undefined when absent or empty. */
  async getJson<T>(key: string): Promise<{ value: T | undefined; entry: KvEntry } | undefined> {
    const entry = await this.get(key);
    return entry ? { value: parseJson<T>(entry), entry } : undefined;
  }

  /** Write `value` as JSON. */
  setJson(key: string, value: unknown): Promise<boolean> {
    return this.set(key, JSON.stringify(value));
  }

  /** CAS-write `value` as JSON (see cas). */
  casJson(key: string, value: unknown, modifyIndex: number): Promise<boolean> {
    return this.cas(key, JSON.stringify(value), modifyIndex);
  }

  /**
   * Run `ops` as ONE atomic Consul transaction. Refuses more than 64 operations with
   * TxnTooLargeError (before sending anything); a rollback throws TxnFailedError.
   */
  async txnAtomic(ops: readonly TxnOp[]): Promise<TxnResult[]> {
    if (ops.length > MAX_TXN_OPS) throw new TxnTooLargeError(ops.length, MAX_TXN_OPS);
    if (ops.length === 0) return [];
    const r = await this.#c.txn(ops.map(toConsulOp));
    if (r.status === 409) throw new TxnFailedError(parseTxnErrors(r.body, 0), 0, 0);
    return parseTxnResults(r.body);
  }

  /**
   * Run `ops` in consecutive batches of at most 64 operations, one Consul transaction each.
   * NOT atomic as a whole: each batch is atomic on its own, batches commit in order, and when
   * batch k rolls back, batches 0..k-1 stay committed and later ones are not sent
   * (TxnFailedError.committedBatches / committedOps say how far it got; opIndex counts from
   * the start of `ops`). Use txnAtomic when all-or-nothing matters.
   */
  async txn(ops: readonly TxnOp[]): Promise<TxnResult[]> {
    const results: TxnResult[] = [];
    let committedOps = 0;
    const batches = chunk(ops, MAX_TXN_OPS);
    for (const [i, batch] of batches.entries()) {
      const r = await this.#c.txn(batch.map(toConsulOp));
      if (r.status === 409) {
        throw new TxnFailedError(parseTxnErrors(r.body, committedOps), i, committedOps);
      }
      results.push(...parseTxnResults(r.body));
      committedOps += batch.length;
    }
    return results;
  }
}
