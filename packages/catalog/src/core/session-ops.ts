/**
 * Session writes over the state, following Consul's `state/session.go`: creation checks the
 * node and the named checks; invalidation (destroy, TTL expiry, a critical check, node removal)
 * releases or deletes every key the session holds, starts each key's lock-delay and deletes
 * the prepared queries bound to it. Never read
 * the clock here: use `tx.now`. Lock-delays are not set while replaying the log.
 */
import { StateError } from '../errors.js';
import { putEntry, removeEntry } from './kv-ops.js';
import { deleteQueriesOfSession } from './prepared-query/query-ops.js';
import type { Tx } from './tx.js';
import type { SessionRec } from './types.js';

export function sessionCreate(tx: Tx, s: Omit<SessionRec, 'createIndex' | 'modifyIndex'>): void {
  if (!tx.state.nodes.has(s.node)) throw new StateError('Missing node registration');
  const checks = tx.state.checks.get(s.node);
  for (const id of [...s.nodeChecks, ...(s.serviceChecks ?? [])]) {
    const c = checks?.get(id);
    if (!c) throw new StateError(`Missing check '${id}' registration`);
    if (c.status === 'critical') {
      throw new StateError(`Check '${id}' is in critical state`);
    }
  }
  if (tx.state.sessions.has(s.id)) throw new StateError(`Session ${s.id} already exists`);
  tx.put(tx.state.sessions, s.id, { ...s, createIndex: tx.index, modifyIndex: tx.index });
  tx.sessionsCreated.push(s.id);
  tx.session();
}

/** Destroys a session and applies its Behavior to the keys it holds. Unknown IDs are a no-op. */
export function sessionDestroy(tx: Tx, id: string): void {
  const s = tx.state.sessions.get(id);
  if (!s) return;
  tx.drop(tx.state.sessions, id);
  tx.sessionsDestroyed.push(id);
  tx.session();
  deleteQueriesOfSession(tx, id);
  for (const e of [...tx.state.kv.values()]) {
    if (e.session !== id) continue;
    if (s.behavior === 'delete') removeEntry(tx, e.key);
    else {
      putEntry(tx, {
        key: e.key,
        value: e.value,
        flags: e.flags,
        lockIndex: e.lockIndex,
        session: '',
      });
    }
    if (!tx.replay && s.lockDelayNs > 0) {
      tx.put(tx.state.lockDelays, e.key, tx.now + s.lockDelayNs / 1e6);
    }
  }
}

export function invalidateSessionsForCheck(tx: Tx, node: string, checkId: string): void {
  for (const s of [...tx.state.sessions.values()]) {
    if (s.node !== node) continue;
    if (s.nodeChecks.includes(checkId) || (s.serviceChecks ?? []).includes(checkId)) {
      sessionDestroy(tx, s.id);
    }
  }
}

export function invalidateSessionsForNode(tx: Tx, node: string): void {
  for (const s of [...tx.state.sessions.values()]) if (s.node === node) sessionDestroy(tx, s.id);
}
