/**
 * Catalog writes over the state: nodes, services and checks, following Consul's
 * `state/catalog.go`: an identical re-registration changes nothing (no index, no wakeup), a
 * check going critical invalidates the sessions that name it, removing a node removes its
 * services, checks and sessions. Never read the clock here: use `tx.now`.
 */
import { NotFoundError, StateError } from '../errors.js';
import { invalidateSessionsForCheck, invalidateSessionsForNode } from './session-ops.js';
import type { Tx } from './tx.js';
import type {
  CheckInput,
  CheckRec,
  CheckStatus,
  NodeInput,
  ServiceInput,
  ServiceRec,
} from './types.js';

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

export function nodeRegister(tx: Tx, n: NodeInput): void {
  const existing = tx.state.nodes.get(n.node);
  if (existing) {
    const { createIndex: _c, modifyIndex: _m, ...rest } = existing;
    if (same(rest, n)) return;
  }
  tx.put(tx.state.nodes, n.node, {
    ...n,
    createIndex: existing?.createIndex ?? tx.index,
    modifyIndex: tx.index,
  });
  tx.node(n.node);
}

export function nodeDeregister(tx: Tx, node: string): void {
  if (!tx.state.nodes.has(node)) return;
  for (const id of [...(tx.state.services.get(node)?.keys() ?? [])])
    serviceDeregister(tx, node, id);
  for (const id of [...(tx.state.checks.get(node)?.keys() ?? [])]) checkDeregister(tx, node, id);
  invalidateSessionsForNode(tx, node);
  tx.node(node);
  tx.drop(tx.state.nodes, node);
  tx.drop(tx.state.services, node);
  tx.drop(tx.state.checks, node);
}

function requireNode(tx: Tx, node: string): void {
  if (!tx.state.nodes.has(node)) throw new StateError('Missing node registration');
}

function nested<T>(tx: Tx, m: Map<string, Map<string, T>>, node: string): Map<string, T> {
  let inner = m.get(node);
  if (!inner) tx.put(m, node, (inner = new Map()));
  return inner;
}

export function serviceRegister(
  tx: Tx,
  node: string,
  s: ServiceInput,
  checks: readonly CheckInput[],
  replaceChecks: boolean,
): void {
  requireNode(tx, node);
  const services = nested(tx, tx.state.services, node);
  const existing = services.get(s.id);
  let changed = true;
  if (existing) {
    const { createIndex: _c, modifyIndex: _m, node: _n, ...rest } = existing;
    changed = !same(rest, s);
    if (changed && existing.service !== s.service) tx.service(existing.service);
  }
  if (changed) {
    const rec: ServiceRec = {
      ...s,
      node,
      createIndex: existing?.createIndex ?? tx.index,
      modifyIndex: tx.index,
    };
    tx.put(services, s.id, rec);
    tx.service(s.service);
    // Checks carry the service's name and tags: refresh the ones that stay.
    for (const c of [...(tx.state.checks.get(node)?.values() ?? [])]) {
      if (c.serviceId === s.id && !checks.some((x) => x.checkId === c.checkId)) {
        if (!same(c.serviceTags, s.tags) || c.serviceName !== s.service) {
          storeCheck(tx, { ...c, serviceName: s.service, serviceTags: [...s.tags] });
        }
      }
    }
  }
  for (const c of checks) checkRegister(tx, node, c);
  if (replaceChecks) {
    for (const c of [...(tx.state.checks.get(node)?.values() ?? [])]) {
      if (c.serviceId === s.id && !checks.some((x) => x.checkId === c.checkId)) {
        if (!c.checkId.startsWith('_service_maintenance:')) checkDeregister(tx, node, c.checkId);
      }
    }
  }
}

export function serviceDeregister(tx: Tx, node: string, id: string): void {
  const services = tx.state.services.get(node);
  const existing = services?.get(id);
  if (!services || !existing) return;
  for (const c of [...(tx.state.checks.get(node)?.values() ?? [])]) {
    if (c.serviceId === id) checkDeregister(tx, node, c.checkId);
  }
  tx.drop(services, id);
  tx.service(existing.service);
}

function storeCheck(tx: Tx, c: Omit<CheckRec, 'modifyIndex'>): CheckRec {
  const rec: CheckRec = { ...c, modifyIndex: tx.index };
  tx.put(nested(tx, tx.state.checks, c.node), c.checkId, rec);
  tx.check(rec);
  if (rec.status === 'critical') invalidateSessionsForCheck(tx, rec.node, rec.checkId);
  return rec;
}

function criticalSince(tx: Tx, prev: CheckRec | undefined, status: CheckStatus): number {
  if (status !== 'critical') return 0;
  return prev?.status === 'critical' ? prev.criticalSince : tx.now;
}

/**
 * Registers or replaces a check. An existing check keeps its status and output unless the
 * registration states a status, so periodic re-registration never flaps health.
 */
export function checkRegister(tx: Tx, node: string, c: CheckInput): void {
  requireNode(tx, node);
  let serviceName = '';
  let serviceTags: readonly string[] = [];
  if (c.serviceId !== '') {
    const svc = tx.state.services.get(node)?.get(c.serviceId);
    if (!svc) throw new NotFoundError(`ServiceID ${JSON.stringify(c.serviceId)} does not exist`);
    serviceName = svc.service;
    serviceTags = [...svc.tags];
  }
  const prev = tx.state.checks.get(node)?.get(c.checkId);
  const keep = prev !== undefined && !c.statusGiven;
  const status = keep ? prev.status : c.status;
  const output = keep ? prev.output : c.output;
  const next = {
    node,
    checkId: c.checkId,
    name: c.name,
    status,
    notes: c.notes,
    output,
    serviceId: c.serviceId,
    serviceName,
    serviceTags,
    type: c.type,
    definition: c.definition,
    criticalSince: criticalSince(tx, prev, status),
    createIndex: prev?.createIndex ?? tx.index,
  };
  if (prev) {
    const { modifyIndex: _m, ...rest } = prev;
    if (same(rest, next)) return;
  }
  storeCheck(tx, next);
}

export function checkDeregister(tx: Tx, node: string, id: string): void {
  const checks = tx.state.checks.get(node);
  const prev = checks?.get(id);
  if (!checks || !prev) return;
  tx.drop(checks, id);
  tx.check(prev);
  invalidateSessionsForCheck(tx, node, id);
}

/**
 * Applies a check result. A new status raises the index; the same status with new output
 * only replaces the stored output (no index, no wakeup), as Consul defers output-only syncs.
 */
export function checkStatus(
  tx: Tx,
  node: string,
  id: string,
  status: CheckStatus,
  output: string,
): void {
  const checks = tx.state.checks.get(node);
  const prev = checks?.get(id);
  if (!checks || !prev) return;
  if (prev.status === status) {
    if (prev.output !== output) tx.put(checks, id, { ...prev, output });
    return;
  }
  const { modifyIndex: _m, ...rest } = prev;
  storeCheck(tx, { ...rest, status, output, criticalSince: criticalSince(tx, prev, status) });
}

/**
 * `catalog/register`: the node (unless `node` is null: SkipNodeUpdate), the service and the
 * checks as one write under one index. A failing part throws and the store rolls back the rest.
 */
export function catalogRegister(
  tx: Tx,
  node: NodeInput | null,
  nodeName: string,
  service: ServiceInput | null,
  checks: readonly CheckInput[],
): void {
  if (node) nodeRegister(tx, node);
  if (service) serviceRegister(tx, nodeName, service, [], false);
  for (const c of checks) checkRegister(tx, nodeName, c);
}
