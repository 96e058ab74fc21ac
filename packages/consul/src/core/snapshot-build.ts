/**
 * Pure building of CatalogSnapshots from Consul's JSON: registrations (from
 * /v1/health/service/:name or /v1/catalog/node/:node) joined with every check (from
 * /v1/health/state/any). Must never do I/O and never mutate its inputs.
 */
import type {
  ConsulHealthCheck,
  ConsulNode,
  ConsulNodeServices,
  ConsulServiceEntry,
} from '@berth/protocol';
import { deepFreeze, FrozenMap } from './frozen.js';
import type {
  CatalogSnapshot,
  CheckStatus,
  InstanceCheck,
  NodeInfo,
  ServiceInstance,
  ServiceWeights,
} from './snapshot.js';
import { diffLines, instanceToLine, nodeLines, type LinesDiff } from './snapshot-lines.js';

/** A service registration without its checks (checks are joined at build time). */
export interface Registration {
  readonly id: string;
  readonly service: string;
  readonly node: string;
  /** The service's own address; '' when it registered none. */
  readonly serviceAddress: string;
  readonly port: number;
  readonly tags: readonly string[];
  readonly meta: Readonly<Record<string, string>>;
  readonly modifyIndex: number;
  readonly weights: ServiceWeights;
}

/** Registrations of one fetch plus the nodes they named. */
export interface Registrations {
  readonly instances: Registration[];
  readonly nodes: NodeInfo[];
}

function toNode(raw: ConsulNode, fallbackDc: string): NodeInfo {
  return {
    name: raw.Node,
    address: raw.Address ?? '',
    datacenter: raw.Datacenter ?? fallbackDc,
    meta: { ...(raw.Meta ?? {}) },
  };
}

function toRegistration(node: string, s: ConsulServiceEntry['Service']): Registration {
  return {
    id: s.ID,
    service: s.Service,
    node,
    serviceAddress: s.Address ?? '',
    port: s.Port ?? 0,
    tags: [...(s.Tags ?? [])],
    meta: { ...(s.Meta ?? {}) },
    modifyIndex: s.ModifyIndex ?? 0,
    weights: { passing: s.Weights?.Passing ?? 1, warning: s.Weights?.Warning ?? 1 },
  };
}

/** Registrations from a /v1/health/service/:name answer. */
export function registrationsFromHealth(
  entries: readonly ConsulServiceEntry[] | null | undefined,
  fallbackDc = '',
): Registrations {
  const nodes = new Map<string, NodeInfo>();
  const instances: Registration[] = [];
  for (const e of entries ?? []) {
    if (!nodes.has(e.Node.Node)) nodes.set(e.Node.Node, toNode(e.Node, fallbackDc));
    instances.push(toRegistration(e.Node.Node, e.Service));
  }
  return { instances, nodes: [...nodes.values()] };
}

/** Registrations from a /v1/catalog/node/:node answer (null/undefined: unknown node). */
export function registrationsFromNode(
  raw: ConsulNodeServices | null | undefined,
  fallbackDc = '',
): Registrations {
  if (!raw?.Node) return { instances: [], nodes: [] };
  const name = raw.Node.Node;
  const instances = Object.values(raw.Services ?? {}).map((s) => toRegistration(name, s));
  return { instances, nodes: [toNode(raw.Node, fallbackDc)] };
}

/** Registrations from a /v1/catalog/nodes answer: nodes only. */
export function nodesFromCatalog(
  raw: readonly ConsulNode[] | null | undefined,
  fallbackDc = '',
): NodeInfo[] {
  return (raw ?? []).map((n) => toNode(n, fallbackDc));
}

const RANK: Record<CheckStatus, number> = { passing: 0, warning: 1, critical: 2 };

/** Consul status text → CheckStatus; anything unknown counts as critical. */
export function toCheckStatus(s: string): CheckStatus {
  return s === 'passing' || s === 'warning' || s === 'critical' ? s : 'critical';
}

/** True for Consul's node and service maintenance checks. */
export function isMaintenanceCheck(checkId: string): boolean {
  return checkId === '_node_maintenance' || checkId.startsWith('_service_maintenance:');
}

function byId(a: { id: string }, b: { id: string }): number {
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** Input of buildSnapshot. */
export interface SnapshotInput {
  /** Registrations, one array per service (all of one service's instances together). */
  readonly registrations: Iterable<readonly Registration[]>;
  /** Every check (node and service level), as /v1/health/state/any returns them. */
  readonly checks: readonly ConsulHealthCheck[];
  readonly nodes: Iterable<NodeInfo>;
  readonly index: bigint;
  readonly datacenter: string;
  readonly fetchedAt: number;
}

/** What an incremental build keeps per service to reuse it next time. */
interface ServiceBuild {
  readonly regs: readonly Registration[];
  /** Per registration (same order as regs): what it was joined with. */
  readonly inputs: readonly JoinInput[];
  readonly list: readonly ServiceInstance[];
  readonly lines: readonly string[];
}

interface JoinInput {
  readonly nodeAddress: string;
  readonly nodeChecks: readonly ConsulHealthCheck[] | undefined;
  readonly serviceChecks: readonly ConsulHealthCheck[] | undefined;
}

/** State carried from one incremental build to the next (opaque to callers). */
export interface BuildState {
  readonly services: ReadonlyMap<string, ServiceBuild>;
  /** Service names, sorted (reused while the set of names is unchanged). */
  readonly order: readonly string[];
  readonly nodeLines: readonly string[];
}

/** Result of buildIncremental. */
export interface IncrementalBuild {
  readonly snapshot: CatalogSnapshot;
  readonly state: BuildState;
  /** False when the canonical form equals the previous build's (nothing a consumer sees changed). */
  readonly changed: boolean;
  /** Canonical lines (instances and nodes) removed and added since the previous build. */
  readonly diff: LinesDiff;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function sameChecks(
  a: readonly ConsulHealthCheck[] | undefined,
  b: readonly ConsulHealthCheck[] | undefined,
): boolean {
  if (a === b) return true;
  if (!a || !b || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (
      x.CheckID !== y.CheckID ||
      x.Status !== y.Status ||
      x.Name !== y.Name ||
      x.Output !== y.Output ||
      x.ServiceID !== y.ServiceID
    ) {
      return false;
    }
  }
  return true;
}

function toInstanceCheck(c: ConsulHealthCheck): InstanceCheck {
  return {
    id: c.CheckID,
    name: c.Name ?? '',
    status: toCheckStatus(c.Status),
    serviceId: c.ServiceID ?? '',
    output: c.Output ?? '',
  };
}

function byCheckId(a: ConsulHealthCheck, b: ConsulHealthCheck): number {
  return compare(a.CheckID, b.CheckID);
}

// Compare what each registration was joined with last time to what it would be joined with
// now, without allocating: this runs for every service on every round.
function unchanged(
  inputs: readonly JoinInput[],
  regs: readonly Registration[],
  nodes: ReadonlyMap<string, NodeInfo>,
  nodeChecks: ReadonlyMap<string, readonly ConsulHealthCheck[]>,
  serviceChecks: ReadonlyMap<string, ReadonlyMap<string, readonly ConsulHealthCheck[]>>,
): boolean {
  for (let i = 0; i < regs.length; i++) {
    const r = regs[i]!;
    const x = inputs[i]!;
    if (
      x.nodeAddress !== (nodes.get(r.node)?.address ?? '') ||
      !sameChecks(x.nodeChecks, nodeChecks.get(r.node)) ||
      !sameChecks(x.serviceChecks, serviceChecks.get(r.node)?.get(r.id))
    ) {
      return false;
    }
  }
  return true;
}

function sameLines(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((l, i) => l === b[i]);
}

/** Join registrations with checks and nodes into a deeply frozen CatalogSnapshot. */
export function buildSnapshot(input: SnapshotInput): CatalogSnapshot {
  return buildIncremental(input, undefined).snapshot;
}

/**
 * buildSnapshot that reuses, from `prev`, the frozen instances and canonical lines of every
 * service whose registrations (same array object) and checks are unchanged, so one change in
 * a large catalog costs work for that service, not for the catalog. Also says whether the
 * canonical form changed and how.
 */
export function buildIncremental(
  input: SnapshotInput,
  prev: BuildState | undefined,
): IncrementalBuild {
  // node → checks, and node → service ID → checks (nested maps: no key strings to build).
  // Raw checks are grouped, compared and converted only for services that are rebuilt.
  const nodeChecks = new Map<string, ConsulHealthCheck[]>();
  const serviceChecks = new Map<string, Map<string, ConsulHealthCheck[]>>();
  for (const c of input.checks) {
    if (c.ServiceID) {
      let byService = serviceChecks.get(c.Node);
      if (!byService) serviceChecks.set(c.Node, (byService = new Map()));
      const list = byService.get(c.ServiceID);
      if (list) list.push(c);
      else byService.set(c.ServiceID, [c]);
    } else {
      const list = nodeChecks.get(c.Node);
      if (list) list.push(c);
      else nodeChecks.set(c.Node, [c]);
    }
  }
  for (const list of nodeChecks.values()) if (list.length > 1) list.sort(byCheckId);
  for (const m of serviceChecks.values()) {
    for (const l of m.values()) if (l.length > 1) l.sort(byCheckId);
  }

  const nodes = new Map<string, NodeInfo>();
  for (const n of input.nodes) nodes.set(n.name, n);

  const builds = new Map<string, ServiceBuild>();
  const added: string[] = [];
  const removed: string[] = [];
  for (const regs of input.registrations) {
    const name = regs[0]?.service;
    if (name === undefined) continue;
    const old = prev?.services.get(name);
    if (old && old.regs === regs && unchanged(old.inputs, regs, nodes, nodeChecks, serviceChecks)) {
      builds.set(name, old);
      continue;
    }
    const inputs: JoinInput[] = regs.map((r) => ({
      nodeAddress: nodes.get(r.node)?.address ?? '',
      nodeChecks: nodeChecks.get(r.node),
      serviceChecks: serviceChecks.get(r.node)?.get(r.id),
    }));
    const list = regs.map((r, i) => {
      const { nodeAddress, nodeChecks: nc, serviceChecks: sc } = inputs[i]!;
      const checks = [...(nc ?? []), ...(sc ?? [])].map(toInstanceCheck);
      let status: CheckStatus = 'passing';
      for (const c of checks) if (RANK[c.status] > RANK[status]) status = c.status;
      const inst: ServiceInstance = {
        id: r.id,
        service: r.service,
        node: r.node,
        nodeAddress,
        address: r.serviceAddress || nodeAddress,
        port: r.port,
        tags: [...r.tags],
        meta: { ...r.meta },
        checks,
        status,
        maintenance: checks.some((c) => isMaintenanceCheck(c.id)),
        modifyIndex: r.modifyIndex,
        weights: { ...r.weights },
      };
      return inst;
    });
    // Instance IDs are unique per node, not globally: sort by ID, then node.
    list.sort((a, b) => byId(a, b) || compare(a.node, b.node));
    const lines = list.map(instanceToLine).sort(compare);
    builds.set(name, { regs, inputs, list: deepFreeze(list), lines });
    const oldLines = old?.lines ?? [];
    if (!sameLines(oldLines, lines)) {
      const d = diffLines(oldLines, lines);
      added.push(...d.added);
      removed.push(...d.removed);
    }
  }
  if (prev) {
    for (const [name, old] of prev.services) if (!builds.has(name)) removed.push(...old.lines);
  }

  const nodeEntries = [...nodes.entries()]
    .sort(([a], [b]) => compare(a, b))
    .map(([name, n]) => [name, deepFreeze({ ...n, meta: { ...n.meta } })] as const);
  let order = prev?.order;
  if (!order || order.length !== builds.size || order.some((n) => !builds.has(n))) {
    order = [...builds.keys()].sort(compare);
  }
  const snapshot: CatalogSnapshot = Object.freeze({
    index: input.index,
    datacenter: input.datacenter,
    services: new FrozenMap<string, readonly ServiceInstance[]>(
      order.map((name) => [name, builds.get(name)!.list] as const),
    ),
    nodes: new FrozenMap<string, NodeInfo>(nodeEntries),
    fetchedAt: input.fetchedAt,
  });
  const nl = nodeLines(snapshot);
  const prevNodeLines = prev?.nodeLines ?? [];
  if (!sameLines(prevNodeLines, nl)) {
    const d = diffLines(prevNodeLines, nl);
    added.push(...d.added);
    removed.push(...d.removed);
  }
  return {
    snapshot,
    state: { services: builds, order, nodeLines: nl },
    changed: prev === undefined || added.length > 0 || removed.length > 0,
    diff: { added: added.sort(compare), removed: removed.sort(compare) },
  };
}
