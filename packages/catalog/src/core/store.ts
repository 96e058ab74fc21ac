/**
 * The catalog's pure state store: `apply(op, now)` runs one JSON-serialisable operation
 * against plain maps and reports what changed; queries read the same maps. It never does I/O,
 * never reads the clock and never schedules anything: durability, timers and wakeups live in
 * the runtime around it. An operation either applies fully or throws with every mutation it
 * made rolled back (the write context journals them).
 */
import {
  catalogRegister,
  checkDeregister,
  checkRegister,
  checkStatus,
  nodeDeregister,
  nodeRegister,
  serviceDeregister,
  serviceRegister,
} from './catalog-ops.js';
import {
  aclBootstrap,
  policyDelete,
  policySet,
  roleDelete,
  roleSet,
  tokenDelete,
  tokenSet,
} from './acl/acl-ops.js';
import { kvDelete, kvSet } from './kv-ops.js';
import { queryDelete, querySet } from './prepared-query/query-ops.js';
import { sessionCreate, sessionDestroy } from './session-ops.js';
import { createState, type State } from './state.js';
import { applyTxn } from './txn-ops.js';
import { Tx } from './tx.js';
import type { Change, Op, TxnOutcome } from './types.js';

/** What `Store.apply` returns for each operation kind. */
export type OpResult<O extends Op> = O extends { t: 'kv-set' | 'kv-delete' }
  ? boolean
  : O extends { t: 'txn' }
    ? TxnOutcome
    : undefined;

export interface Applied<O extends Op> {
  readonly result: OpResult<O>;
  /** Null when nothing changed (no index raised, nothing to log or wake). */
  readonly change: Change | null;
}

/** The state store: one mutable State, changed only through `apply`. */
export class Store {
  readonly state: State;

  constructor(state: State = createState()) {
    this.state = state;
  }

  /** The global index (never below 1 for readers). */
  get index(): number {
    return Math.max(this.state.index, 1);
  }

  /**
   * Applies one operation at wall-clock `now` (ms). `replay` skips lock-delay bookkeeping and
   * pins the index to the logged one.
   */
  apply<O extends Op>(op: O, now: number, replay?: { index: number }): Applied<O> {
    const index = replay ? replay.index : this.state.index + 1;
    const tx = new Tx(this.state, index, now, replay !== undefined);
    let result: OpResult<O>;
    try {
      result = dispatch(tx, op) as OpResult<O>;
    } catch (err) {
      tx.rollback();
      throw err;
    }
    if (!tx.dirty) return { result, change: null };
    this.state.index = index;
    return { result, change: tx.change() };
  }
}

function dispatch(tx: Tx, op: Op): unknown {
  switch (op.t) {
    case 'kv-set':
      return kvSet(tx, op);
    case 'kv-delete':
      return kvDelete(tx, op.key, op.recurse, op.cas);
    case 'txn':
      return applyTxn(tx, op.ops);
    case 'catalog-register':
      return catalogRegister(tx, op.node, op.nodeName, op.service, op.checks);
    case 'node-register':
      return nodeRegister(tx, op.node);
    case 'node-deregister':
      return nodeDeregister(tx, op.node);
    case 'service-register':
      return serviceRegister(tx, op.node, op.service, op.checks, op.replaceChecks);
    case 'service-deregister':
      return serviceDeregister(tx, op.node, op.id);
    case 'check-register':
      return checkRegister(tx, op.node, op.check);
    case 'check-deregister':
      return checkDeregister(tx, op.node, op.id);
    case 'check-status':
      return checkStatus(tx, op.node, op.id, op.status, op.output);
    case 'session-create':
      return sessionCreate(tx, op.session);
    case 'session-destroy':
      return sessionDestroy(tx, op.id);
    case 'acl-bootstrap':
      return aclBootstrap(tx, op.token, op.resetIndex);
    case 'acl-token-set':
      return tokenSet(tx, op.token, op.create, op.builtin === true);
    case 'acl-token-delete':
      return tokenDelete(tx, op.accessorId);
    case 'acl-policy-set':
      return policySet(tx, op.policy, op.create, op.builtin === true);
    case 'acl-policy-delete':
      return policyDelete(tx, op.id);
    case 'acl-role-set':
      return roleSet(tx, op.role, op.create);
    case 'acl-role-delete':
      return roleDelete(tx, op.id);
    case 'query-set':
      return querySet(tx, op.query, op.create);
    case 'query-delete':
      return queryDelete(tx, op.id);
  }
}
