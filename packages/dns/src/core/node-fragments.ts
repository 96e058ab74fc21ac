/**
 * The zone's fragments besides the services: `<node>.node[.<dc>].<domain>` for every node
 * (node names may hold dots; metadata as TXT; a host name address as a CNAME), each domain's
 * apex (SOA, NS with glue, `ns.<domain>`, the fixed empty non-terminals), and the entries
 * the assembler makes for PTR and `<hex>.addr` claims. Pure; never mutates its inputs.
 */
import type { NodeInfo } from '@berth/consul';
import type { ZoneExtra, ZoneName, ZoneRecord, ZoneSet } from './zone.js';
import { metaTexts } from './node-meta.js';
import {
  Addresses,
  FragmentBuilder,
  nodeName,
  type FragmentContext,
  type Sets,
  type ZoneFragment,
} from './fragment-builder.js';

/** The sets of one node: its address (or CNAME), its metadata as TXT. */
function nodeSets(node: NodeInfo, ctx: FragmentContext, addrs: Addresses): Sets {
  const ttl = ctx.opts.nodeTtl;
  const txt: ZoneRecord[] = metaTexts(node.meta).map((text) => ({ type: 'TXT', ttl, text }));
  // '' owns the additional TXT: the name asked, whichever form of it.
  const glue: ZoneExtra[] =
    ctx.opts.nodeMetaTxt !== false ? txt.map((record) => ({ name: '', record })) : [];
  const sets = addrs.sets([node.address], ttl, 0, glue);
  if (txt.length === 0) return sets;
  const TXT: ZoneSet = { records: txt, limit: 0, rotate: false };
  const any = sets.ANY;
  // ANY: the address and the metadata in the answer (a CNAME stands alone).
  const ANY: ZoneSet | undefined =
    any && any.chase === undefined
      ? { records: [...any.records, ...txt], limit: 0, rotate: false }
      : (any ?? TXT);
  return { ...sets, TXT, ANY };
}

/** `<node>.node[.<dc>].<domain>` for every node, and the nodes' PTR claims. */
export function nodesFragment(
  nodes: ReadonlyMap<string, NodeInfo>,
  ctx: FragmentContext,
): ZoneFragment {
  const { opts, dcs, dcPart } = ctx;
  const b = new FragmentBuilder();
  const addrs = new Addresses();
  const cache = new Map<string, Sets>();
  opts.domains.forEach((domain, di) => {
    for (const [name, node] of nodes) {
      const label = nodeName(name);
      if (!label) continue;
      let sets = cache.get(name);
      if (!sets) cache.set(name, (sets = nodeSets(node, ctx, addrs)));
      for (const dcp of dcs) {
        b.set(`${label}.node${dcp}.${domain}`, di, sets);
        b.emptyParents(label, `node${dcp}.${domain}`, di);
      }
      if (di === 0) b.addPtr(node.address, `${label}.node${dcPart}.${domain}`);
    }
  });
  return b.done();
}

/** The SOA of each domain (also the negative answers' SOA); `serial` follows the index. */
export function soaRecords(
  opts: FragmentContext['opts'],
  serial: number,
): Extract<ZoneRecord, { type: 'SOA' }>[] {
  return opts.domains.map((d) => ({
    type: 'SOA',
    ttl: 0,
    mname: `ns.${d}`,
    rname: `hostmaster.${d}`,
    serial,
    refresh: 3600,
    retry: 600,
    expire: 86400,
    minimum: 0,
  }));
}

/** The SOA serial for a catalog index (never 0). */
export function soaSerial(index: bigint): number {
  return Number(index % 4294967296n) || 1;
}

/** Each domain's apex (SOA, NS with glue), `ns.<domain>`, and the fixed empty non-terminals. */
export function apexFragment(
  soa: readonly Extract<ZoneRecord, { type: 'SOA' }>[],
  ctx: FragmentContext,
): ZoneFragment {
  const { opts, dc, dcs, dcPart } = ctx;
  const b = new FragmentBuilder();
  const addrs = new Addresses();
  opts.domains.forEach((domain, di) => {
    const apexSoa = soa[di] as ZoneRecord;
    const ns: ZoneRecord = { type: 'NS', ttl: 0, target: `ns.${domain}` };
    const glue = opts.nsAddresses
      .map((a) => addrs.record(a, 0))
      .filter((r): r is ZoneRecord => r !== undefined)
      .map((record) => ({ name: `ns.${domain}`, record }));
    b.set(domain, di, {
      SOA: { records: [apexSoa], limit: 0, rotate: false },
      NS: { records: [ns], glue, limit: 0, rotate: false },
      ANY: { records: [apexSoa, ns], limit: 0, rotate: false },
    });
    b.set(`ns.${domain}`, di, addrs.sets(opts.nsAddresses, 0, 0));
    for (const dcp of dcs) {
      for (const kind of ['service', 'node', 'addr']) b.empty(`${kind}${dcp}.${domain}`, di);
    }
    if (dcPart) b.empty(`${dc}.${domain}`, di);
  });
  return b.done();
}

/** The plain entry of a PTR name pointing at `targets` (sorted): authoritative, as Consul. */
export function ptrEntry(targets: readonly string[], ttl: number): ZoneName {
  const records: ZoneRecord[] = targets.map((target) => ({ type: 'PTR', ttl, target }));
  const set: ZoneSet = { records, limit: 0, rotate: false };
  return { domain: -1, nxdomain: false, authoritative: true, sets: { PTR: set, ANY: set } };
}

/** The `<hex>.addr[.<dc>].<domain>` names of an address and their plain entries. */
export function addrEntries(address: string, ctx: FragmentContext): [string, ZoneName][] {
  const addrs = new Addresses();
  const hex = addrs.hex(address);
  if (!hex) return [];
  const sets = addrs.sets([address], ctx.opts.nodeTtl, 0);
  const out: [string, ZoneName][] = [];
  ctx.opts.domains.forEach((domain, di) => {
    for (const dcp of ctx.dcs)
      out.push([`${hex}.addr${dcp}.${domain}`, { domain: di, nxdomain: false, sets }]);
  });
  return out;
}
