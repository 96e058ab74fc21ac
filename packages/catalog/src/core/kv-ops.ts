/**
 * KV writes over the state (set with cas/acquire/release, delete with recurse/cas), following
 * Consul's `state/kvs.go`. Callers validate keys and flag combinations first; these functions
 * validate what needs state, then mutate. Never read the clock here: use `tx.now`.
 */
import { StateError } from '../errors.js';
import type { Tx } from './tx.js';
import type { KvEntry } from './types.js';

/** Deleted keys remembered for prefix-query indexes before the oldest are folded into a floor. */
export const MAX_TOMBSTONES = 10_000;

/** Stores an entry at `tx.index` and clears its tombstone. */
export function putEntry(tx: Tx, entry: Omit<KvEntry, 'modifyIndex' | 'createIndex'>): void {
  const existing = tx.state.kv.get(entry.key);
  tx.put(tx.state.kv, entry.key, {
    ...entry,
    createIndex: existing?.createIndex ?? tx.index,
    modifyIndex: tx.index,
  });
  tx.drop(tx.state.tombstones, entry.key);
  tx.kv(entry.key);
}

/** Removes a key and leaves a tombstone so prefix queries see the delete's index. */
export function removeEntry(tx: Tx, key: string): void {
  if (!tx.drop(tx.state.kv, key)) return;
  const t = tx.state.tombstones;
  tx.drop(t, key);
  tx.put(t, key, tx.index);
  while (t.size > MAX_TOMBSTONES) {
    const [oldest, idx] = t.entries().next().value as [string, number];
    tx.drop(t, oldest);
    tx.field(tx.state, 'tombstoneFloor', Math.max(tx.state.tombstoneFloor, idx));
  }
  tx.kv(key);
}

export interface KvSetArgs {
  readonly key: string;
  readonly value: string | null;
  readonly flags: string;
  readonly cas?: number | undefined;
  readonly acquire?: string | undefined;
  readonly release?: string | undefined;
}

/** True while `key` is under a lock-delay (never during log replay). */
export function lockDelayed(tx: Tx, key: string): boolean {
  if (tx.replay) return false;
  const until = tx.state.lockDelays.get(key);
  if (until === undefined) return false;
  if (until > tx.now) return true;
  tx.drop(tx.state.lockDelays, key);
  return false;
}

/** PUT /v1/kv/:key. Returns what Consul answers: true, or false when a condition failed. */
export function kvSet(tx: Tx, a: KvSetArgs): boolean {
  const existing = tx.state.kv.get(a.key);
  if (a.cas !== undefined) {
    if (a.cas === 0 && existing) return false;
    if (a.cas > 0 && (!existing || existing.modifyIndex !== a.cas)) return false;
  }
  if (a.acquire !== undefined) {
    if (!tx.state.sessions.has(a.acquire)) throw new StateError(`invalid session "${a.acquire}"`);
    if (lockDelayed(tx, a.key)) return false;
    if (existing && existing.session !== '' && existing.session !== a.acquire) return false;
    const same = existing?.session === a.acquire;
    putEntry(tx, {
      key: a.key,
      value: a.value,
      flags: a.flags,
      session: a.acquire,
      lockIndex: same ? (existing?.lockIndex ?? 0) : (existing?.lockIndex ?? 0) + 1,
    });
    return true;
  }
  if (a.release !== undefined) {
    if (!existing || existing.session !== a.release) return false;
    putEntry(tx, {
      key: a.key,
      value: a.value,
      flags: a.flags,
      session: '',
      lockIndex: existing.lockIndex,
    });
    return true;
  }
  putEntry(tx, {
    key: a.key,
    value: a.value,
    flags: a.flags,
    session: existing?.session ?? '',
    lockIndex: existing?.lockIndex ?? 0,
  });
  return true;
}

/** Keys under `prefix`, in lexicographic order. */
export function keysUnder(map: ReadonlyMap<string, unknown>, prefix: string): string[] {
  const out: string[] = [];
  for (const k of map.keys()) if (k.startsWith(prefix)) out.push(k);
  return out.sort(compareKeys);
}

/** Byte-wise (code unit) ordering as Go's string comparison, not locale ordering. */
export function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** DELETE /v1/kv/:key. */
export function kvDelete(tx: Tx, key: string, recurse: boolean, cas?: number): boolean {
  if (recurse) {
    for (const k of keysUnder(tx.state.kv, key)) removeEntry(tx, k);
    return true;
  }
  const existing = tx.state.kv.get(key);
  if (!existing) return true;
  if (cas !== undefined && existing.modifyIndex !== cas) return false;
  removeEntry(tx, key);
  return true;
}
