/**
 * Builds the whole zone (plain data) from a catalog snapshot at once: the fragments of
 * service-fragment.ts and node-fragments.ts merged by a ZoneAssembler. Used for golden tests and dumps; the server
 * rebuilds incrementally with TableBuilder from the same fragments. Pure: no sockets, no
 * clock, no Consul; the same snapshot and options always give the same zone.
 */
import type { CatalogSnapshot, ServiceInstance } from '@berth/consul';
import type { Zone, ZoneName } from './zone.js';
import { ZoneAssembler, type EntryMakers } from './zone-assembler.js';
import { fragmentContext, type FragmentContext } from './fragment-builder.js';
import {
  addrEntries,
  apexFragment,
  nodesFragment,
  ptrEntry,
  soaRecords,
  soaSerial,
} from './node-fragments.js';
import { serviceFragment, type NodeMeta } from './service-fragment.js';
import type { ZoneOptions } from './zone-options.js';
import { isLabel } from './wire.js';

/** Owner keys of fragments; the smallest wins a name several fragments answer. */
export const APEX_OWNER = '0';
export const NODES_OWNER = '1';
/** The owner key of a service's fragment. */
export function serviceOwner(key: string): string {
  return `2${key}`;
}

/** The DNS key of a Consul service name: lower-case, or undefined when it is no label. */
export function serviceKey(name: string): string | undefined {
  const key = name.toLowerCase();
  return isLabel(key) ? key : undefined;
}

/**
 * Instance lists by lower-case service name (DNS names are case-insensitive, so `Web` and
 * `web` answer together), in snapshot order; names that cannot be one label are skipped.
 */
export function serviceGroups(
  snapshot: CatalogSnapshot,
): Map<string, (readonly ServiceInstance[])[]> {
  const out = new Map<string, (readonly ServiceInstance[])[]>();
  for (const [name, instances] of snapshot.services) {
    const key = serviceKey(name);
    if (key === undefined) continue;
    const lists = out.get(key);
    if (lists) lists.push(instances);
    else out.set(key, [instances]);
  }
  return out;
}

/** Node metadata by node name, for the TXT records of SRV answers (empty metadata: none). */
export function nodeMetaOf(snapshot: CatalogSnapshot): NodeMeta {
  // Asked once per SRV instance: the answer per node is worked out once per snapshot.
  const known = new Map<string, Readonly<Record<string, string>> | undefined>();
  return (node) => {
    if (known.has(node)) return known.get(node);
    const m = snapshot.nodes.get(node)?.meta;
    const out = m && hasKeys(m) ? m : undefined;
    known.set(node, out);
    return out;
  };
}

function hasKeys(o: object): boolean {
  for (const k in o) if (Object.hasOwn(o, k)) return true;
  return false;
}

/** How the assembler makes plain entries. */
export function plainMakers(ctx: FragmentContext): EntryMakers<ZoneName> {
  const empties = new Map<number, ZoneName>();
  return {
    empty(domain) {
      let e = empties.get(domain);
      if (!e) empties.set(domain, (e = { domain, nxdomain: false, sets: {} }));
      return e;
    },
    ptr: (targets) => ptrEntry(targets, ctx.opts.nodeTtl),
    addr: (address) => addrEntries(address, ctx),
  };
}

/** Builds the zone for a snapshot. Names are lower-case; invalid labels are skipped. */
export function buildZone(snapshot: CatalogSnapshot, opts: ZoneOptions): Zone {
  const ctx = fragmentContext(opts, snapshot.datacenter);
  const soa = soaRecords(opts, soaSerial(snapshot.index));
  const asm = new ZoneAssembler<ZoneName>(plainMakers(ctx));
  asm.replace(APEX_OWNER, apexFragment(soa, ctx));
  asm.replace(NODES_OWNER, nodesFragment(snapshot.nodes, ctx));
  const meta = nodeMetaOf(snapshot);
  for (const [key, lists] of serviceGroups(snapshot)) {
    asm.replace(serviceOwner(key), serviceFragment(key, lists.flat(), ctx, meta));
  }
  const names = new Map<string, ZoneName>();
  asm.flush((name, e) => {
    if (e) names.set(name, e);
    else names.delete(name);
  });
  return { domains: opts.domains, datacenter: ctx.dc, soa, names, index: snapshot.index };
}
