/**
 * The catalog's whole state as plain maps of immutable records, with its per-table indexes,
 * and its JSON form for snapshots. No I/O and no clock here: the store mutates these maps
 * only inside `apply`, and snapshots are produced and read by the write-ahead log.
 */
import type {
  CheckRec,
  KvEntry,
  NodeRec,
  PolicyRec,
  QueryRec,
  RoleRec,
  ServiceRec,
  SessionRec,
  Table,
  TokenRec,
} from './types.js';
import { WalError } from '../errors.js';

export interface State {
  /** The raft-like global index: raised once per applied write. */
  index: number;
  readonly nodes: Map<string, NodeRec>;
  /** node -> service ID -> record. */
  readonly services: Map<string, Map<string, ServiceRec>>;
  /** node -> check ID -> record. */
  readonly checks: Map<string, Map<string, CheckRec>>;
  readonly kv: Map<string, KvEntry>;
  /** Deleted key -> index of its deletion, so prefix queries see deletes. */
  readonly tombstones: Map<string, number>;
  /** Highest index of tombstones dropped to bound memory (a floor for prefix queries). */
  tombstoneFloor: number;
  readonly sessions: Map<string, SessionRec>;
  readonly tableIndex: Record<Table, number>;
  /** Service name -> index of the last change touching its instances or their health. */
  readonly serviceIndex: Map<string, number>;
  /** Key -> wall-clock ms until which `acquire` is refused (never persisted). */
  readonly lockDelays: Map<string, number>;
  /** ACL tokens by AccessorID. */
  readonly aclTokens: Map<string, TokenRec>;
  /** SecretID -> AccessorID (derived from aclTokens; rebuilt when a snapshot is read). */
  readonly aclSecrets: Map<string, string>;
  readonly aclPolicies: Map<string, PolicyRec>;
  readonly aclRoles: Map<string, RoleRec>;
  /** Index of the ACL bootstrap (0 while ACLs were never bootstrapped). */
  aclBootstrapIndex: number;
  /** Prepared queries by ID. */
  readonly queries: Map<string, QueryRec>;
}

export function createState(): State {
  return {
    index: 0,
    nodes: new Map(),
    services: new Map(),
    checks: new Map(),
    kv: new Map(),
    tombstones: new Map(),
    tombstoneFloor: 0,
    sessions: new Map(),
    tableIndex: { nodes: 0, services: 0, checks: 0, kv: 0, sessions: 0, acl: 0, queries: 0 },
    serviceIndex: new Map(),
    lockDelays: new Map(),
    aclTokens: new Map(),
    aclSecrets: new Map(),
    aclPolicies: new Map(),
    aclRoles: new Map(),
    aclBootstrapIndex: 0,
    queries: new Map(),
  };
}

interface StateJson {
  v: 1;
  index: number;
  nodes: NodeRec[];
  services: ServiceRec[];
  checks: CheckRec[];
  kv: KvEntry[];
  tombstones: [string, number][];
  tombstoneFloor: number;
  sessions: SessionRec[];
  tableIndex: Record<Table, number>;
  serviceIndex: [string, number][];
  /** Absent in snapshots written before ACLs and prepared queries existed. */
  aclTokens?: TokenRec[];
  aclPolicies?: PolicyRec[];
  aclRoles?: RoleRec[];
  aclBootstrapIndex?: number;
  queries?: QueryRec[];
}

/** Serialises the state for a snapshot (lock-delays are runtime-only and left out). */
export function stateToJson(s: State): string {
  const json: StateJson = {
    v: 1,
    index: s.index,
    nodes: [...s.nodes.values()],
    services: [...s.services.values()].flatMap((m) => [...m.values()]),
    checks: [...s.checks.values()].flatMap((m) => [...m.values()]),
    kv: [...s.kv.values()],
    tombstones: [...s.tombstones.entries()],
    tombstoneFloor: s.tombstoneFloor,
    sessions: [...s.sessions.values()],
    tableIndex: s.tableIndex,
    serviceIndex: [...s.serviceIndex.entries()],
    aclTokens: [...s.aclTokens.values()],
    aclPolicies: [...s.aclPolicies.values()],
    aclRoles: [...s.aclRoles.values()],
    aclBootstrapIndex: s.aclBootstrapIndex,
    queries: [...s.queries.values()],
  };
  return JSON.stringify(json);
}

function nested<T extends { node: string }>(
  list: readonly T[],
  id: (x: T) => string,
): Map<string, Map<string, T>> {
  const out = new Map<string, Map<string, T>>();
  for (const x of list) {
    let m = out.get(x.node);
    if (!m) out.set(x.node, (m = new Map()));
    m.set(id(x), x);
  }
  return out;
}

/** Rebuilds a state from `stateToJson` output; throws WalError when it is not one. */
export function stateFromJson(text: string): State {
  let j: StateJson;
  try {
    j = JSON.parse(text) as StateJson;
  } catch (err) {
    throw new WalError('snapshot is not valid JSON', { cause: err });
  }
  if (j === null || typeof j !== 'object' || j.v !== 1 || typeof j.index !== 'number') {
    throw new WalError('snapshot has an unknown format');
  }
  const tokens = j.aclTokens ?? [];
  return {
    index: j.index,
    nodes: new Map(j.nodes.map((n) => [n.node, n])),
    services: nested(j.services, (s) => s.id),
    checks: nested(j.checks, (c) => c.checkId),
    kv: new Map(j.kv.map((e) => [e.key, e])),
    tombstones: new Map(j.tombstones),
    tombstoneFloor: j.tombstoneFloor,
    sessions: new Map(j.sessions.map((s) => [s.id, s])),
    tableIndex: { ...{ acl: 0, queries: 0 }, ...j.tableIndex },
    serviceIndex: new Map(j.serviceIndex),
    lockDelays: new Map(),
    aclTokens: new Map(tokens.map((t) => [t.accessorId, t])),
    aclSecrets: new Map(tokens.map((t) => [t.secretId, t.accessorId])),
    aclPolicies: new Map((j.aclPolicies ?? []).map((p) => [p.id, p])),
    aclRoles: new Map((j.aclRoles ?? []).map((r) => [r.id, r])),
    aclBootstrapIndex: j.aclBootstrapIndex ?? 0,
    queries: new Map((j.queries ?? []).map((q) => [q.id, q])),
  };
}
