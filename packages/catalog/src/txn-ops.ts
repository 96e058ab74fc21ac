/**
 * KV transactions (`PUT /v1/txn`), applied atomically: every operation runs against an overlay
 * of pending writes; all errors are collected (Consul reports each failing OpIndex) and only a
 * transaction without errors is committed, under one index. Never mutate the state before the
 * whole transaction has been checked.
 */
import { compareKeys, lockDelayed, putEntry, removeEntry } from './kv-ops.js';
import type { Tx } from './tx.js';
import type { KvEntry, TxnError, TxnKvOp, TxnOutcome } from './types.js';

class Overlay {
  readonly pending = new Map<string, KvEntry | null>();
  constructor(private readonly tx: Tx) {}

  get(key: string): KvEntry | undefined {
    if (this.pending.has(key)) return this.pending.get(key) ?? undefined;
    return this.tx.state.kv.get(key);
  }

  keysUnder(prefix: string): string[] {
    const keys = new Set<string>();
    for (const k of this.tx.state.kv.keys()) if (k.startsWith(prefix)) keys.add(k);
    for (const k of this.pending.keys()) if (k.startsWith(prefix)) keys.add(k);
    return [...keys].filter((k) => this.get(k) !== undefined).sort(compareKeys);
  }

  set(e: Omit<KvEntry, 'createIndex' | 'modifyIndex'>): KvEntry {
    const prev = this.get(e.key);
    const entry = {
      ...e,
      createIndex: prev?.createIndex ?? this.tx.index,
      modifyIndex: this.tx.index,
    };
    this.pending.set(e.key, entry);
    return entry;
  }

  del(key: string): void {
    if (this.get(key) !== undefined) this.pending.set(key, null);
  }
}

/** Applies a list of KV txn operations; commits only when none failed. */
export function applyTxn(tx: Tx, ops: readonly TxnKvOp[]): TxnOutcome {
  const o = new Overlay(tx);
  const results: KvEntry[] = [];
  const withValue: boolean[] = [];
  const errors: TxnError[] = [];
  const q = JSON.stringify;
  ops.forEach((op, i) => {
    const fail = (what: string): void => {
      errors.push({ OpIndex: i, What: what });
    };
    const ok = (e: KvEntry, value = false): void => {
      results.push(e);
      withValue.push(value);
    };
    const cur = o.get(op.key);
    const base = { key: op.key, value: op.value, flags: op.flags };
    switch (op.verb) {
      case 'set':
        ok(o.set({ ...base, session: cur?.session ?? '', lockIndex: cur?.lockIndex ?? 0 }));
        return;
      case 'cas':
        if (op.index === 0 ? cur !== undefined : cur?.modifyIndex !== op.index) {
          fail(`failed to set key ${q(op.key)}, index is stale`);
          return;
        }
        ok(o.set({ ...base, session: cur?.session ?? '', lockIndex: cur?.lockIndex ?? 0 }));
        return;
      case 'lock': {
        if (!tx.state.sessions.has(op.session)) {
          fail(`failed to lock key ${q(op.key)}: invalid session ${q(op.session)}`);
          return;
        }
        const held = cur !== undefined && cur.session !== '' && cur.session !== op.session;
        if (held || lockDelayed(tx, op.key)) {
          fail(`failed to lock key ${q(op.key)}, lock is already held`);
          return;
        }
        const same = cur?.session === op.session;
        const lockIndex = (cur?.lockIndex ?? 0) + (same ? 0 : 1);
        ok(o.set({ ...base, session: op.session, lockIndex }));
        return;
      }
      case 'unlock':
        if (!cur || cur.session !== op.session) {
          fail(`failed to unlock key ${q(op.key)}, lock isn't held, or is held by another session`);
          return;
        }
        ok(o.set({ ...base, session: '', lockIndex: cur.lockIndex }));
        return;
      case 'get':
        if (!cur) fail(`key ${q(op.key)} doesn't exist`);
        else ok(cur, true);
        return;
      case 'get-or-empty':
        if (cur) ok(cur, true);
        return;
      case 'get-tree':
        for (const k of o.keysUnder(op.key)) ok(o.get(k) as KvEntry, true);
        return;
      case 'check-index':
        if (!cur) fail(`key ${q(op.key)} doesn't exist`);
        else if (cur.modifyIndex !== op.index) {
          fail(`current modify index ${cur.modifyIndex} != ${op.index}`);
        } else ok(cur);
        return;
      case 'check-session':
        if (!cur) fail(`key ${q(op.key)} doesn't exist`);
        else if (cur.session !== op.session) {
          fail(`current session ${q(cur.session)} != ${q(op.session)}`);
        } else ok(cur);
        return;
      case 'check-not-exists':
        if (cur) fail(`key ${q(op.key)} exists`);
        return;
      case 'delete':
        o.del(op.key);
        return;
      case 'delete-tree':
        for (const k of o.keysUnder(op.key)) o.del(k);
        return;
      case 'delete-cas':
        if (cur && cur.modifyIndex !== op.index) {
          fail(`failed to delete key ${q(op.key)}, index is stale`);
          return;
        }
        o.del(op.key);
        return;
    }
  });
  if (errors.length > 0) return { results: [], withValue: [], errors };
  for (const [key, entry] of o.pending) {
    if (entry === null) removeEntry(tx, key);
    else {
      const { createIndex: _c, modifyIndex: _m, ...rest } = entry;
      putEntry(tx, rest);
    }
  }
  return { results, withValue, errors };
}
