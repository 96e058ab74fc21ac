/**
 * The zone in pieces: one fragment per service (all its name forms in every domain), one for
 * the nodes, one for the apex. A fragment is a pure function of its inputs, so a rebuild
 * after a catalog change rebuilds only the fragments whose inputs changed. Names one
 * fragment cannot decide alone are claims: empty non-terminals (`_tcp.service.consul`),
 * PTR targets and `<hex>.addr` names, merged across fragments by zone-assembler.ts.
 * Pure: no sockets, no clock, no Consul; never mutates its inputs.
 */
import type { NodeInfo, ServiceInstance } from '@berth/consul';
import type { ZoneName, ZoneRecord, ZoneSet, ZoneType } from './zone.js';
import { isServed, serviceTtlFor, srvWeight, type ZoneOptions } from './zone-options.js';
import { addressBytes, isLabel, isName, reverseName } from './wire.js';

/** A PTR claim: the reverse name of an address and one name it points to. */
export type PtrClaim = readonly [reverse: string, target: string];

/** A piece of the zone; `E` is the entry type (plain ZoneName, or its compiled form). */
export interface Fragment<E> {
  /** Names this fragment answers. */
  readonly names: ReadonlyMap<string, E>;
  /** Empty non-terminals (NODATA unless a fragment answers them), with their domain index. */
  readonly empties: ReadonlyMap<string, number>;
  readonly ptr: readonly PtrClaim[];
  /** Addresses whose `<hex>.addr` names this fragment's SRV targets use. */
  readonly addrs: readonly string[];
}

/** Plain-data fragment, before compilation. */
export type ZoneFragment = Fragment<ZoneName>;

/** Snapshot-wide facts every fragment depends on. */
export interface FragmentContext {
  readonly opts: ZoneOptions;
  /** Lower-case datacenter. */
  readonly dc: string;
  /** Datacenter forms of a name: `['', '.dc1']` (only `['']` when dc is no label). */
  readonly dcs: readonly string[];
  /** `.dc1`, or '' when dc is no label. */
  readonly dcPart: string;
}

/** The context for a snapshot's datacenter. */
export function fragmentContext(opts: ZoneOptions, datacenter: string): FragmentContext {
  const dc = datacenter.toLowerCase();
  const ok = isLabel(dc);
  return { opts, dc, dcs: ok ? ['', `.${dc}`] : [''], dcPart: ok ? `.${dc}` : '' };
}

type Sets = Partial<Record<ZoneType | 'ANY', ZoneSet>>;

/** Parses each address once per fragment (the same few addresses recur many times). */
class Addresses {
  readonly #bytes = new Map<string, Buffer | undefined>();

  bytes(address: string): Buffer | undefined {
    if (this.#bytes.has(address)) return this.#bytes.get(address);
    const b = addressBytes(address);
    this.#bytes.set(address, b);
    return b;
  }

  hex(address: string): string | undefined {
    return this.bytes(address)?.toString('hex');
  }

  record(address: string, ttl: number): ZoneRecord | undefined {
    const bytes = this.bytes(address);
    if (!bytes) return undefined;
    return { type: bytes.length === 4 ? 'A' : 'AAAA', ttl, address };
  }

  sets(addresses: readonly string[], ttl: number, limit: number): Sets {
    const seen = new Set<string>();
    const a: ZoneRecord[] = [];
    const aaaa: ZoneRecord[] = [];
    for (const address of addresses) {
      if (seen.has(address)) continue;
      seen.add(address);
      const r = this.record(address, ttl);
      if (r?.type === 'A') a.push(r);
      else if (r) aaaa.push(r);
    }
    const sets: Sets = {};
    if (a.length) sets.A = { records: a, limit, rotate: true };
    if (aaaa.length) sets.AAAA = { records: aaaa, limit, rotate: true };
    // ANY shares the A (or AAAA) set when there is only one family, so it compiles once.
    if (a.length && aaaa.length) sets.ANY = { records: [...a, ...aaaa], limit, rotate: true };
    else sets.ANY = sets.A ?? sets.AAAA;
    return sets;
  }
}

/** Collects one fragment; names that cannot travel as DNS names are skipped. */
class FragmentBuilder {
  readonly names = new Map<string, ZoneName>();
  readonly empties = new Map<string, number>();
  readonly ptr: PtrClaim[] = [];
  readonly addrs = new Set<string>();
  readonly #ptrSeen = new Set<string>();

  set(name: string, domain: number, sets: Sets, nxdomain = false): void {
    if (name.length <= 253) this.names.set(name, { domain, nxdomain, sets });
  }

  empty(name: string, domain: number): void {
    if (name.length <= 253) this.empties.set(name, domain);
  }

  addPtr(address: string, target: string): void {
    const rev = reverseName(address);
    const key = `${rev} ${target}`;
    if (!rev || this.#ptrSeen.has(key)) return;
    this.#ptrSeen.add(key);
    this.ptr.push([rev, target]);
  }

  done(): ZoneFragment {
    return { names: this.names, empties: this.empties, ptr: this.ptr, addrs: [...this.addrs] };
  }
}

/** Instances answering one name form: all served instances, or those with one tag. */
interface Group {
  readonly instances: readonly ServiceInstance[];
  /** A/AAAA/ANY sets: the same for every domain. */
  readonly addressSets: Sets;
}

function nodeLabel(node: string): string | undefined {
  const l = node.toLowerCase();
  return isLabel(l) ? l : undefined;
}

/**
 * Every name of one service (`svc`: its lower-case name; `all`: every registered instance,
 * healthy or not): `svc.service`, tag forms, RFC 2782 forms, in each domain and datacenter
 * form, plus its PTR and addr claims.
 */
export function serviceFragment(
  svc: string,
  all: readonly ServiceInstance[],
  ctx: FragmentContext,
): ZoneFragment {
  const { opts, dcs, dcPart } = ctx;
  const b = new FragmentBuilder();
  const addrs = new Addresses();
  const ttl = serviceTtlFor(opts.serviceTtl, svc);
  const served = all.filter((i) => isServed(i, opts.onlyPassing));
  const group = (instances: readonly ServiceInstance[]): Group => ({
    instances,
    addressSets: addrs.sets(
      instances.map((i) => i.address),
      ttl,
      opts.aRecordLimit,
    ),
  });
  const base = group(served);
  const tags = new Map<string, Group | undefined>();
  for (const inst of all) {
    for (const t of inst.tags) {
      const tag = t.toLowerCase();
      if (!isLabel(tag) || tags.has(tag)) continue;
      const withTag = served.filter((i) => i.tags.some((x) => x.toLowerCase() === tag));
      // A tag every served instance carries answers exactly like the service: share.
      tags.set(
        tag,
        withTag.length === 0 ? undefined : withTag.length === served.length ? base : group(withTag),
      );
    }
  }
  for (const inst of served) {
    if (inst.address !== inst.nodeAddress)
      b.addPtr(inst.address, `${svc}.service.${opts.domains[0] ?? ''}`);
  }

  opts.domains.forEach((domain, di) => {
    const targetOf = (inst: ServiceInstance): string | undefined => {
      const node = nodeLabel(inst.node);
      if (inst.address === inst.nodeAddress && node) return `${node}.node${dcPart}.${domain}`;
      const hex = addrs.hex(inst.address);
      if (hex) {
        b.addrs.add(inst.address);
        return `${hex}.addr${dcPart}.${domain}`;
      }
      // A host name registered as the address: the SRV target is that name, if it is one.
      const host = inst.address.toLowerCase().replace(/\.$/, '');
      return isName(host) ? host : undefined;
    };
    const setsCache = new Map<Group, Sets>();
    const setsOf = (g: Group): Sets => {
      let sets = setsCache.get(g);
      if (sets) return sets;
      const srv: ZoneRecord[] = [];
      const targets = new Map<string, ZoneRecord[]>();
      for (const inst of g.instances) {
        const target = targetOf(inst);
        if (target === undefined || target.length > 253) continue;
        srv.push({
          type: 'SRV',
          ttl,
          priority: 1,
          weight: srvWeight(inst),
          port: inst.port,
          target,
        });
        if (!targets.has(target)) {
          const rec = addrs.record(inst.address, ttl);
          if (rec) targets.set(target, [rec]);
        }
      }
      sets = srv.length
        ? { ...g.addressSets, SRV: { records: srv, targets, limit: 0, rotate: true } }
        : g.addressSets;
      setsCache.set(g, sets);
      return sets;
    };

    const baseSets = setsOf(base);
    const down = base.instances.length === 0;
    for (const dcp of dcs) {
      const suffix = `service${dcp}.${domain}`;
      for (const [tag, g] of tags) {
        const sets = g ? setsOf(g) : {};
        b.set(`${tag}.${svc}.${suffix}`, di, sets, !g);
        if (tag !== 'tcp' && tag !== 'udp') {
          b.set(`_${svc}._${tag}.${suffix}`, di, sets, !g);
          b.empty(`_${tag}.${suffix}`, di);
        }
      }
      for (const name of [`${svc}.${suffix}`, `_${svc}._tcp.${suffix}`, `_${svc}._udp.${suffix}`])
        b.set(name, di, baseSets, down);
      b.empty(`_tcp.${suffix}`, di);
      b.empty(`_udp.${suffix}`, di);
    }
  });
  return b.done();
}

/** `<node>.node[.<dc>].<domain>` for every node, and the nodes' PTR claims. */
export function nodesFragment(
  nodes: ReadonlyMap<string, NodeInfo>,
  ctx: FragmentContext,
): ZoneFragment {
  const { opts, dcs, dcPart } = ctx;
  const b = new FragmentBuilder();
  const addrs = new Addresses();
  const nodeSets = new Map<string, Sets>();
  opts.domains.forEach((domain, di) => {
    for (const [name, node] of nodes) {
      const label = nodeLabel(name);
      if (!label) continue;
      const sets = nodeSets.get(name) ?? addrs.sets([node.address], opts.nodeTtl, 0);
      nodeSets.set(name, sets);
      for (const dcp of dcs) b.set(`${label}.node${dcp}.${domain}`, di, sets);
      if (di === 0) b.addPtr(node.address, `${label}.node${dcPart}.${domain}`);
    }
  });
  return b.done();
}

/** The SOA of each domain (also the negative answers' SOA); `serial` follows the index. */
export function soaRecords(
  opts: ZoneOptions,
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

/** The plain entry of a PTR name pointing at `targets` (sorted). */
export function ptrEntry(targets: readonly string[], ttl: number): ZoneName {
  const records: ZoneRecord[] = targets.map((target) => ({ type: 'PTR', ttl, target }));
  const set: ZoneSet = { records, limit: 0, rotate: false };
  return { domain: -1, nxdomain: false, sets: { PTR: set, ANY: set } };
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
