/**
 * Node, Service and Check operations of a transaction (txn.mdx: set, cas, get, delete,
 * delete-cas), with Consul's error texts. They reuse the catalog writes of catalog-ops.ts, so
 * a transaction registers exactly what `catalog/register` would. Failures throw; txn-ops.ts
 * collects them and rolls the whole transaction back. Never mutate except through `tx`.
 */
import {
  checkDeregister,
  checkRegister,
  nodeDeregister,
  nodeRegister,
  serviceDeregister,
  serviceRegister,
} from './catalog-ops.js';
import { TxnOpError } from '../errors.js';
import type { Tx } from './tx.js';
import type { TxnCheckOp, TxnNodeOp, TxnResult, TxnServiceOp } from './types.js';

const q = JSON.stringify;

function fail(what: string): never {
  throw new TxnOpError(what);
}

/** ModifyIndex 0 means "only if absent"; otherwise the current ModifyIndex must match. */
function casOk(current: { modifyIndex: number } | undefined, index: number): boolean {
  return index === 0 ? current === undefined : current?.modifyIndex === index;
}

function nodeOp(tx: Tx, op: TxnNodeOp, out: TxnResult[]): void {
  const name = op.node.node;
  const cur = tx.state.nodes.get(name);
  const set = (): void => {
    nodeRegister(tx, { ...op.node, id: op.node.id || cur?.id || op.fallbackId });
    out.push({ kind: 'node', node: tx.state.nodes.get(name) as NonNullable<typeof cur> });
  };
  switch (op.verb) {
    case 'get':
      if (!cur) fail(`node ${q(name)} doesn't exist`);
      out.push({ kind: 'node', node: cur });
      return;
    case 'set':
      return set();
    case 'cas':
      if (!casOk(cur, op.index)) fail(`failed to set node ${q(name)}, index is stale`);
      return set();
    case 'delete':
      return nodeDeregister(tx, name);
    case 'delete-cas':
      if (!cur || cur.modifyIndex !== op.index) {
        fail(`failed to delete node ${q(name)}, index is stale`);
      }
      return nodeDeregister(tx, name);
  }
}

function serviceOp(tx: Tx, op: TxnServiceOp, out: TxnResult[]): void {
  const id = op.service.id;
  const cur = tx.state.services.get(op.node)?.get(id);
  const set = (): void => {
    serviceRegister(tx, op.node, op.service, [], false);
    const rec = tx.state.services.get(op.node)?.get(id);
    if (rec) out.push({ kind: 'service', service: rec });
  };
  const where = `${q(id)} on node ${q(op.node)}`;
  switch (op.verb) {
    case 'get':
      if (!cur) fail(`service ${where} doesn't exist`);
      out.push({ kind: 'service', service: cur });
      return;
    case 'set':
      return set();
    case 'cas':
      if (!casOk(cur, op.index)) fail(`failed to set service ${where}, index is stale`);
      return set();
    case 'delete':
      return serviceDeregister(tx, op.node, id);
    case 'delete-cas':
      if (!cur || cur.modifyIndex !== op.index) {
        fail(`failed to delete service ${where}, index is stale`);
      }
      return serviceDeregister(tx, op.node, id);
  }
}

function checkOp(tx: Tx, op: TxnCheckOp, out: TxnResult[]): void {
  const id = op.check.checkId;
  const cur = tx.state.checks.get(op.node)?.get(id);
  const set = (): void => {
    checkRegister(tx, op.node, op.check);
    const rec = tx.state.checks.get(op.node)?.get(id);
    if (rec) out.push({ kind: 'check', check: rec });
  };
  const where = `${q(id)} on node ${q(op.node)}`;
  switch (op.verb) {
    case 'get':
      if (!cur) fail(`check ${where} doesn't exist`);
      out.push({ kind: 'check', check: cur });
      return;
    case 'set':
      return set();
    case 'cas':
      if (!casOk(cur, op.index)) fail(`failed to set check ${where}, index is stale`);
      return set();
    case 'delete':
      return checkDeregister(tx, op.node, id);
    case 'delete-cas':
      if (!cur || cur.modifyIndex !== op.index) {
        fail(`failed to delete check ${where}, index is stale`);
      }
      return checkDeregister(tx, op.node, id);
  }
}

/** Applies one Node, Service or Check operation; throws on failure. */
export function applyCatalogTxnOp(
  tx: Tx,
  op: TxnNodeOp | TxnServiceOp | TxnCheckOp,
  out: TxnResult[],
): void {
  if (op.kind === 'node') nodeOp(tx, op, out);
  else if (op.kind === 'service') serviceOp(tx, op, out);
  else checkOp(tx, op, out);
}
