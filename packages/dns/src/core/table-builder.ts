/**
 * TableBuilder: turns each new catalog snapshot into a new DnsTable, rebuilding only what
 * changed. A service's compiled fragment is reused while its instance arrays are the same
 * objects (@berth/consul's watch shares unchanged ones between snapshots) or hold the same
 * fields the zone uses; the nodes' fragment while node names and addresses are unchanged.
 * The new table shares every untouched shard of names with the one before. A build either
 * returns a complete new table or throws having changed nothing (the caller keeps the old
 * table). Pure: no sockets, no clock, no Consul; never logs.
 */
import type { CatalogSnapshot, NodeInfo, ServiceInstance } from '@berth/consul';
import {
  APEX_OWNER,
  NODES_OWNER,
  nodeMetaOf,
  plainMakers,
  serviceKey,
  serviceOwner,
} from './build-zone.js';
import { compileFragment } from './compile-fragment.js';
import { makeTable, WireCompiler, type DnsTable, type WireName } from './compile-table.js';
import { NameMap } from './name-map.js';
import { ZoneAssembler, type EntryMakers } from './zone-assembler.js';
import { fragmentContext, type Fragment, type FragmentContext } from './fragment-builder.js';
import { apexFragment, nodesFragment, soaRecords, soaSerial } from './node-fragments.js';
import { serviceFragment } from './service-fragment.js';
import { srvWeight, type ZoneOptions } from './zone-options.js';

/** What one build did. */
export interface TableBuild {
  readonly table: DnsTable;
  /** Names whose entries were replaced, added or removed (may include unchanged ones). */
  readonly touched: readonly string[];
  /** Service fragments rebuilt (a full build counts all of them). */
  readonly servicesRebuilt: number;
  /** Whether the nodes' fragment was rebuilt. */
  readonly nodesRebuilt: boolean;
}

interface ServiceState {
  readonly lists: readonly (readonly ServiceInstance[])[];
  readonly fragment: Fragment<WireName>;
}

interface State {
  readonly ctx: FragmentContext;
  readonly assembler: ZoneAssembler<WireName>;
  readonly services: Map<string, ServiceState>;
  /** `name address meta` of every node, in snapshot order. */
  nodes: readonly string[];
  /** Node name → its metadata key, for the services whose SRV answers carry it. */
  metaKeys: ReadonlyMap<string, string>;
  names: NameMap<WireName>;
}

/** Same instances as far as the zone can tell: every field a fragment reads. */
function sameInstance(a: ServiceInstance, b: ServiceInstance): boolean {
  if (a === b) return true;
  if (
    a.node !== b.node ||
    a.nodeAddress !== b.nodeAddress ||
    a.address !== b.address ||
    a.port !== b.port ||
    a.status !== b.status ||
    a.maintenance !== b.maintenance ||
    a.tags.length !== b.tags.length
  )
    return false;
  for (let i = 0; i < a.tags.length; i++) if (a.tags[i] !== b.tags[i]) return false;
  return srvWeight(a) === srvWeight(b);
}

function sameLists(
  a: readonly (readonly ServiceInstance[])[],
  b: readonly (readonly ServiceInstance[])[],
): { identical: boolean; equal: boolean } {
  if (a.length !== b.length) return { identical: false, equal: false };
  let identical = true;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as readonly ServiceInstance[];
    const y = b[i] as readonly ServiceInstance[];
    if (x === y) continue;
    identical = false;
    if (x.length !== y.length) return { identical, equal: false };
    for (let k = 0; k < x.length; k++) {
      if (!sameInstance(x[k] as ServiceInstance, y[k] as ServiceInstance))
        return { identical, equal: false };
    }
  }
  return { identical, equal: true };
}

function metaKey(n: NodeInfo): string {
  const keys = Object.keys(n.meta);
  if (keys.length === 0) return '';
  return JSON.stringify(keys.sort().map((k) => [k, n.meta[k]]));
}

function nodeKeys(nodes: ReadonlyMap<string, NodeInfo>): {
  keys: string[];
  meta: Map<string, string>;
} {
  const keys: string[] = [];
  const meta = new Map<string, string>();
  for (const [name, n] of nodes) {
    const m = metaKey(n);
    keys.push(`${name} ${n.address} ${m}`);
    meta.set(name, m);
  }
  return { keys, meta };
}

/** Nodes whose metadata differs between two builds. */
function metaChanged(
  before: ReadonlyMap<string, string>,
  after: ReadonlyMap<string, string>,
): Set<string> {
  const out = new Set<string>();
  for (const [name, m] of after) if ((before.get(name) ?? '') !== m) out.add(name);
  for (const [name, m] of before) if (!after.has(name) && m !== '') out.add(name);
  return out;
}

function sameStrings(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function wireMakers(ctx: FragmentContext): EntryMakers<WireName> {
  const plain = plainMakers(ctx);
  const c = new WireCompiler(ctx.opts.domains);
  const empties = new Map<number, WireName>();
  return {
    empty(domain) {
      let e = empties.get(domain);
      if (!e) empties.set(domain, (e = c.name('', plain.empty(domain))));
      return e;
    },
    ptr: (targets) => new WireCompiler(ctx.opts.domains).name('', plain.ptr(targets)),
    addr: (address) => {
      const w = new WireCompiler(ctx.opts.domains);
      return plain.addr(address).map(([name, e]) => [name, w.name(name, e)] as const);
    },
  };
}

/** Builds tables for one responder's options, each from the one before. */
export class TableBuilder {
  readonly #opts: ZoneOptions;
  #state: State | undefined;
  /** Consul service name → its DNS key (lower-case), or null when it is no label. */
  readonly #keys = new Map<string, string | null>();

  constructor(opts: ZoneOptions) {
    this.#opts = opts;
  }

  /** serviceGroups, with each name's key remembered from earlier builds. */
  #groups(snapshot: CatalogSnapshot): Map<string, (readonly ServiceInstance[])[]> {
    const out = new Map<string, (readonly ServiceInstance[])[]>();
    for (const [name, instances] of snapshot.services) {
      let key = this.#keys.get(name);
      if (key === undefined) {
        key = serviceKey(name) ?? null;
        this.#keys.set(name, key);
      }
      if (key === null) continue;
      const lists = out.get(key);
      if (lists) lists.push(instances);
      else out.set(key, [instances]);
    }
    return out;
  }

  /** Forgets everything: the next build is a full one. */
  reset(): void {
    this.#state = undefined;
  }

  /** The table for `snapshot`; throws (changing nothing) if it cannot be built. */
  build(snapshot: CatalogSnapshot): TableBuild {
    const prev = this.#state;
    const ctx =
      prev && prev.ctx.dc === snapshot.datacenter.toLowerCase()
        ? prev.ctx
        : fragmentContext(this.#opts, snapshot.datacenter);
    const base = prev?.ctx === ctx ? prev : undefined;
    const domains = this.#opts.domains;

    // 1. Everything that can throw, before any state changes.
    const groups = this.#groups(snapshot);
    const updates: [string, ServiceState | undefined][] = [];
    const changed: [string, Fragment<WireName> | undefined][] = [];
    const nodes = nodeKeys(snapshot.nodes);
    const nodesRebuilt = !base || !sameStrings(base.nodes, nodes.keys);
    // SRV answers carry the metadata of their instances' nodes: a change there rebuilds them.
    const metaNodes =
      base && nodesRebuilt && this.#opts.nodeMetaTxt !== false
        ? metaChanged(base.metaKeys, nodes.meta)
        : undefined;
    const touchesMeta = (lists: readonly (readonly ServiceInstance[])[]): boolean =>
      metaNodes !== undefined &&
      metaNodes.size > 0 &&
      lists.some((l) => l.some((i) => metaNodes.has(i.node)));
    const meta = nodeMetaOf(snapshot);
    let kept = 0;
    for (const [key, lists] of groups) {
      const old = base?.services.get(key);
      if (old) kept++;
      const same = old && !touchesMeta(lists) ? sameLists(old.lists, lists) : undefined;
      if (same?.identical) continue;
      if (old && same?.equal) {
        updates.push([key, { lists, fragment: old.fragment }]);
        continue;
      }
      const fragment = compileFragment(serviceFragment(key, lists.flat(), ctx, meta), domains);
      updates.push([key, { lists, fragment }]);
      changed.push([serviceOwner(key), fragment]);
    }
    // Every group found a distinct old key: when all old keys were found, none is gone.
    if (base && kept < base.services.size) {
      for (const key of base.services.keys()) {
        if (groups.has(key)) continue;
        updates.push([key, undefined]);
        changed.push([serviceOwner(key), undefined]);
      }
    }
    if (nodesRebuilt)
      changed.push([NODES_OWNER, compileFragment(nodesFragment(snapshot.nodes, ctx), domains)]);
    const soa = soaRecords(this.#opts, soaSerial(snapshot.index));
    changed.push([APEX_OWNER, compileFragment(apexFragment(soa, ctx), domains)]);

    // 2. Apply: nothing below throws on valid fragments. Should it anyway, the state is
    // dropped so the next build starts from scratch.
    try {
      const state: State = base ?? {
        ctx,
        assembler: new ZoneAssembler(wireMakers(ctx)),
        services: new Map(),
        nodes: nodes.keys,
        metaKeys: nodes.meta,
        // A full build: shards sized for the names to come (empties and PTR names are a
        // small share), so the draft fills small maps and finish() need not re-shard.
        names: NameMap.sized<WireName>(
          changed.reduce((n, [, f]) => n + (f ? f.names.size + f.empties.size : 0), 0),
        ),
      };
      for (const [key, s] of updates) {
        if (s) state.services.set(key, s);
        else state.services.delete(key);
      }
      for (const [owner, fragment] of changed) state.assembler.replace(owner, fragment);
      const draft = state.names.edit();
      const touched = state.assembler.flush((name, e) => {
        if (e) draft.set(name, e);
        else draft.delete(name);
      });
      state.names = draft.finish();
      state.nodes = nodes.keys;
      state.metaKeys = nodes.meta;
      this.#state = state;
      const table = makeTable(state.names, {
        domains,
        datacenter: ctx.dc,
        soa,
        index: snapshot.index,
        nodeTtl: this.#opts.nodeTtl,
      });
      const servicesRebuilt = changed.length - (nodesRebuilt ? 2 : 1);
      if (this.#keys.size > 2 * state.services.size + 1024) this.#keys.clear();
      return { table, touched, servicesRebuilt, nodesRebuilt };
    } catch (e) {
      this.#state = undefined;
      throw e;
    }
  }
}
