/**
 * Read queries over the state, each returning its data and the index a blocking query on it
 * reports (Consul's per-query index rules, consul-api.md §3). Pure functions over plain data:
 * no rendering to JSON shapes here (see render.ts) and never a mutation.
 */
import { compareKeys, keysUnder } from './kv-ops.js';
import type { State } from './state.js';
import type { CheckRec, CheckStatus, KvEntry, NodeRec, ServiceRec, SessionRec } from './types.js';

export interface Result<T> {
  readonly index: number;
  readonly value: T;
}

const floor1 = (n: number): number => Math.max(n, 1);

export function kvGet(s: State, key: string): Result<KvEntry | undefined> {
  const e = s.kv.get(key);
  return { index: floor1(e ? e.modifyIndex : s.tableIndex.kv), value: e };
}

function prefixIndex(s: State, prefix: string, entries: readonly KvEntry[]): number {
  let max = 0;
  for (const e of entries) max = Math.max(max, e.modifyIndex);
  for (const [k, idx] of s.tombstones) if (k.startsWith(prefix)) max = Math.max(max, idx);
  if (s.tombstoneFloor > 0) max = Math.max(max, s.tombstoneFloor);
  return floor1(max === 0 ? s.tableIndex.kv : max);
}

export function kvList(s: State, prefix: string): Result<KvEntry[]> {
  const entries = keysUnder(s.kv, prefix).map((k) => s.kv.get(k) as KvEntry);
  return { index: prefixIndex(s, prefix, entries), value: entries };
}

/** Key names under `prefix`, rolled up at the first `separator` after the prefix. */
export function kvKeys(s: State, prefix: string, separator: string): Result<string[]> {
  const entries = keysUnder(s.kv, prefix).map((k) => s.kv.get(k) as KvEntry);
  const out: string[] = [];
  const seen = new Set<string>();
  for (const e of entries) {
    let k = e.key;
    if (separator !== '') {
      const at = k.indexOf(separator, prefix.length);
      if (at >= 0) k = k.slice(0, at + separator.length);
    }
    if (!seen.has(k)) {
      seen.add(k);
      out.push(k);
    }
  }
  return { index: prefixIndex(s, prefix, entries), value: out };
}

/** `node-meta=key:value` filters: every pair must match the node's Meta. */
export type NodeMetaFilter = readonly (readonly [string, string])[];

function nodeMatches(n: NodeRec | undefined, meta: NodeMetaFilter): boolean {
  if (meta.length === 0) return true;
  if (!n) return false;
  return meta.every(([k, v]) => n.meta[k] === v);
}

function allServices(s: State): ServiceRec[] {
  const out: ServiceRec[] = [];
  for (const node of [...s.services.keys()].sort(compareKeys)) {
    const m = s.services.get(node) as Map<string, ServiceRec>;
    for (const id of [...m.keys()].sort(compareKeys)) out.push(m.get(id) as ServiceRec);
  }
  return out;
}

export function catalogServices(
  s: State,
  meta: NodeMetaFilter = [],
): Result<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  for (const svc of allServices(s)) {
    if (!nodeMatches(s.nodes.get(svc.node), meta)) continue;
    const tags = out.get(svc.service) ?? [];
    for (const t of svc.tags) if (!tags.includes(t)) tags.push(t);
    out.set(svc.service, tags);
  }
  const sorted = new Map([...out.entries()].sort((a, b) => compareKeys(a[0], b[0])));
  return { index: floor1(Math.max(s.tableIndex.services, s.tableIndex.nodes)), value: sorted };
}

export interface Instance {
  readonly node: NodeRec;
  readonly service: ServiceRec;
}

function serviceIndex(s: State, name: string): number {
  const i = s.serviceIndex.get(name);
  if (i !== undefined) return floor1(i);
  return floor1(Math.max(s.tableIndex.services, s.tableIndex.nodes, s.tableIndex.checks));
}

export function catalogService(
  s: State,
  name: string,
  tags: readonly string[] = [],
  meta: NodeMetaFilter = [],
): Result<Instance[]> {
  const value: Instance[] = [];
  for (const svc of allServices(s)) {
    if (svc.service !== name) continue;
    if (!tags.every((t) => svc.tags.includes(t))) continue;
    const node = s.nodes.get(svc.node);
    if (!node || !nodeMatches(node, meta)) continue;
    value.push({ node, service: svc });
  }
  return { index: serviceIndex(s, name), value };
}

export function catalogNodes(s: State, meta: NodeMetaFilter = []): Result<NodeRec[]> {
  const value = [...s.nodes.values()]
    .filter((n) => nodeMatches(n, meta))
    .sort((a, b) => compareKeys(a.node, b.node));
  return { index: floor1(s.tableIndex.nodes), value };
}

export function catalogNode(
  s: State,
  node: string,
): Result<{ node: NodeRec; services: ServiceRec[] } | undefined> {
  const index = floor1(Math.max(s.tableIndex.nodes, s.tableIndex.services));
  const n = s.nodes.get(node);
  if (!n) return { index, value: undefined };
  const m = s.services.get(node) ?? new Map<string, ServiceRec>();
  const services = [...m.keys()].sort(compareKeys).map((id) => m.get(id) as ServiceRec);
  return { index, value: { node: n, services } };
}

function sortedChecks(s: State, node: string): CheckRec[] {
  const m = s.checks.get(node);
  if (!m) return [];
  return [...m.keys()].sort(compareKeys).map((id) => m.get(id) as CheckRec);
}

export interface HealthInstance extends Instance {
  /** Node-level checks first, then the service's. */
  readonly checks: readonly CheckRec[];
}

export function healthService(
  s: State,
  name: string,
  opts: { tags?: readonly string[]; passing?: boolean; meta?: NodeMetaFilter } = {},
): Result<HealthInstance[]> {
  const base = catalogService(s, name, opts.tags ?? [], opts.meta ?? []);
  const value: HealthInstance[] = [];
  for (const inst of base.value) {
    const all = sortedChecks(s, inst.node.node);
    const checks = [
      ...all.filter((c) => c.serviceId === ''),
      ...all.filter((c) => c.serviceId === inst.service.id),
    ];
    if (opts.passing && checks.some((c) => c.status !== 'passing')) continue;
    value.push({ ...inst, checks });
  }
  return { index: base.index, value };
}

export function healthChecks(s: State, service: string): Result<CheckRec[]> {
  const value: CheckRec[] = [];
  for (const node of [...s.checks.keys()].sort(compareKeys)) {
    for (const c of sortedChecks(s, node)) if (c.serviceName === service) value.push(c);
  }
  return { index: serviceIndex(s, service), value };
}

export function healthNode(s: State, node: string): Result<CheckRec[]> {
  return { index: floor1(s.tableIndex.checks), value: sortedChecks(s, node) };
}

export function healthState(s: State, state: 'any' | CheckStatus): Result<CheckRec[]> {
  const value: CheckRec[] = [];
  for (const node of [...s.checks.keys()].sort(compareKeys)) {
    for (const c of sortedChecks(s, node)) if (state === 'any' || c.status === state) value.push(c);
  }
  return { index: floor1(s.tableIndex.checks), value };
}

export function sessionList(s: State, node?: string): Result<SessionRec[]> {
  const value = [...s.sessions.values()]
    .filter((x) => node === undefined || x.node === node)
    .sort((a, b) => a.createIndex - b.createIndex);
  return { index: floor1(s.tableIndex.sessions), value };
}

export function sessionInfo(s: State, id: string): Result<SessionRec[]> {
  const x = s.sessions.get(id);
  return { index: floor1(s.tableIndex.sessions), value: x ? [x] : [] };
}
