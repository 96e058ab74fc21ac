/**
 * Transactions (`PUT /v1/txn`), applied atomically as Consul's `state/txn.go` does: every
 * operation runs in order against the live state through the write context's journal, all
 * errors are collected (Consul reports each failing OpIndex), and a transaction with any error
 * is rolled back entirely, so nothing of it is applied or logged. KV verbs live here, Node /
 * Service / Check verbs in txn-catalog-ops.ts. Never mutate the state except through `tx`.
 */
import { ApiError, TxnOpError } from '../errors.js';
import { keysUnder, lockDelayed, putEntry, removeEntry } from './kv-ops.js';
import { applyCatalogTxnOp } from './txn-catalog-ops.js';
import type { Tx } from './tx.js';
import type { KvEntry, TxnError, TxnKvOp, TxnOp, TxnOutcome, TxnResult } from './types.js';

const q = JSON.stringify;

function fail(what: string): never {
  throw new TxnOpError(what);
}

function kvOp(tx: Tx, op: TxnKvOp, out: TxnResult[]): void {
  const kv = tx.state.kv;
  const cur = kv.get(op.key);
  const ok = (e: KvEntry | undefined, withValue = false): void => {
    if (e) out.push({ kind: 'kv', entry: e, withValue });
  };
  const set = (session: string, lockIndex: number): void => {
    putEntry(tx, { key: op.key, value: op.value, flags: op.flags, session, lockIndex });
    ok(kv.get(op.key));
  };
  switch (op.verb) {
    case 'set':
      return set(cur?.session ?? '', cur?.lockIndex ?? 0);
    case 'cas':
      if (op.index === 0 ? cur !== undefined : cur?.modifyIndex !== op.index) {
        fail(`failed to set key ${q(op.key)}, index is stale`);
      }
      return set(cur?.session ?? '', cur?.lockIndex ?? 0);
    case 'lock': {
      if (!tx.state.sessions.has(op.session)) {
        fail(`failed to lock key ${q(op.key)}: invalid session ${q(op.session)}`);
      }
      const held = cur !== undefined && cur.session !== '' && cur.session !== op.session;
      if (held || lockDelayed(tx, op.key)) {
        fail(`failed to lock key ${q(op.key)}, lock is already held`);
      }
      const same = cur?.session === op.session;
      return set(op.session, (cur?.lockIndex ?? 0) + (same ? 0 : 1));
    }
    case 'unlock':
      if (!cur || cur.session !== op.session) {
        fail(`failed to unlock key ${q(op.key)}, lock isn't held, or is held by another session`);
      }
      return set('', cur.lockIndex);
    case 'get':
      if (!cur) fail(`key ${q(op.key)} doesn't exist`);
      return ok(cur, true);
    case 'get-or-empty':
      return ok(cur, true);
    case 'get-tree':
      for (const k of keysUnder(kv, op.key)) ok(kv.get(k), true);
      return;
    case 'check-index':
      if (!cur) fail(`key ${q(op.key)} doesn't exist`);
      if (cur.modifyIndex !== op.index) {
        fail(`current modify index ${cur.modifyIndex} != ${op.index}`);
      }
      return ok(cur);
    case 'check-session':
      if (!cur) fail(`key ${q(op.key)} doesn't exist`);
      if (cur.session !== op.session) fail(`current session ${q(cur.session)} != ${q(op.session)}`);
      return ok(cur);
    case 'check-not-exists':
      if (cur) fail(`key ${q(op.key)} exists`);
      return;
    case 'delete':
      return removeEntry(tx, op.key);
    case 'delete-tree':
      for (const k of keysUnder(kv, op.key)) removeEntry(tx, k);
      return;
    case 'delete-cas':
      if (cur && cur.modifyIndex !== op.index) {
        fail(`failed to delete key ${q(op.key)}, index is stale`);
      }
      return removeEntry(tx, op.key);
  }
}

/**
 * Applies a transaction's operations in order; on any error, rolls all of them back and
 * returns every error. Errors that are not operation failures (bugs) propagate.
 */
export function applyTxn(tx: Tx, ops: readonly TxnOp[]): TxnOutcome {
  const results: TxnResult[] = [];
  const errors: TxnError[] = [];
  ops.forEach((op, i) => {
    try {
      if (op.kind === 'node' || op.kind === 'service' || op.kind === 'check') {
        applyCatalogTxnOp(tx, op, results);
      } else kvOp(tx, op, results);
    } catch (err) {
      // The store's own validation errors (ApiError) count as operation failures too.
      if (!(err instanceof TxnOpError) && !(err instanceof ApiError)) throw err;
      errors.push({ OpIndex: i, What: (err as Error).message });
    }
  });
  if (errors.length > 0) {
    tx.rollback();
    return { results: [], errors };
  }
  return { results, errors };
}
