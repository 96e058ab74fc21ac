/**
 * Every name of one service, as Consul answers them: `[tag.]svc.service[.dc].domain` (tags
 * may hold dots), the RFC 2782 forms `_svc._tag.service[.dc].domain` (`_tcp`: every
 * instance; `_udp` and the others: instances with that tag) and, for SRV, the same without
 * the `service` label; SRV targets with their address and their node's metadata TXT in the
 * additional section; PTR and addr claims. Pure; never mutates its inputs.
 */
import type { ServiceInstance } from '@berth/consul';
import type { ZoneExtra, ZoneRecord } from './zone.js';
import { isServed, serviceTtlFor, srvWeight } from './zone-options.js';
import { metaTexts } from './node-meta.js';
import {
  Addresses,
  FragmentBuilder,
  hostName,
  nodeName,
  type FragmentContext,
  type Sets,
  type ZoneFragment,
} from './fragment-builder.js';
import { isLabel, isName } from './wire.js';

/** Instances answering one name form: all served instances, or those with one tag. */
interface Group {
  readonly instances: readonly ServiceInstance[];
  /** A/AAAA/CNAME/ANY sets: the same for every domain. */
  readonly addressSets: Sets;
}

/** A node's metadata, by node name (undefined: none, or not served as TXT). */
export type NodeMeta = (node: string) => Readonly<Record<string, string>> | undefined;

/**
 * Every name of one service (`svc`: its lower-case name; `all`: every registered instance,
 * healthy or not), plus its PTR and addr claims. `meta` gives node metadata for the TXT
 * records of SRV answers (only read when `opts.nodeMetaTxt` is not false).
 */
export function serviceFragment(
  svc: string,
  all: readonly ServiceInstance[],
  ctx: FragmentContext,
  meta: NodeMeta = () => undefined,
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
      if (tags.has(tag) || !isName(tag)) continue;
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
      b.addPtr(inst.address, `${svc}.service${dcPart}.${opts.domains[0] ?? ''}`);
  }
  const withMeta = opts.nodeMetaTxt !== false;

  opts.domains.forEach((domain, di) => {
    const setsCache = new Map<Group, Sets>();
    const setsOf = (g: Group): Sets => {
      let sets = setsCache.get(g);
      if (!sets) {
        sets = instanceSets(g.instances, g.addressSets, {
          ttl,
          domain,
          dcPart,
          addrs,
          meta: withMeta ? meta : undefined,
          claimAddr: (a) => b.addrs.add(a),
        });
        setsCache.set(g, sets);
      }
      return sets;
    };
    // One SRV-only Sets per group and domain, so both datacenter forms share one entry.
    const srvCache = new Map<Sets, Sets>();
    const srvOnly = (sets: Sets): Sets => {
      let only = srvCache.get(sets);
      if (!only) srvCache.set(sets, (only = sets.SRV ? { SRV: sets.SRV } : {}));
      return only;
    };

    const baseSets = setsOf(base);
    const down = base.instances.length === 0;
    for (const dcp of dcs) {
      const suffix = `service${dcp}.${domain}`;
      for (const [tag, g] of tags) {
        const sets = g ? setsOf(g) : {};
        b.set(`${tag}.${svc}.${suffix}`, di, sets, !g);
        b.emptyParents(tag, `${svc}.${suffix}`, di);
        if (tag === 'tcp' || !isLabel(tag)) continue;
        b.set(`_${svc}._${tag}.${suffix}`, di, sets, !g);
        b.empty(`_${tag}.${suffix}`, di);
        b.set(`_${svc}._${tag}${dcp}.${domain}`, di, srvOnly(sets), !g);
        b.empty(`_${tag}${dcp}.${domain}`, di);
      }
      for (const name of [`${svc}.${suffix}`, `_${svc}._tcp.${suffix}`])
        b.set(name, di, baseSets, down);
      b.set(`_${svc}._tcp${dcp}.${domain}`, di, srvOnly(baseSets), down);
      b.empty(`_tcp.${suffix}`, di);
      b.empty(`_tcp${dcp}.${domain}`, di);
    }
  });
  return b.done();
}

/** What instanceSets needs besides the instances. */
export interface InstanceSetsContext {
  readonly ttl: number;
  /** The domain the SRV targets are named in. */
  readonly domain: string;
  /** `.dc1`, or '' (fragmentContext's dcPart). */
  readonly dcPart: string;
  readonly addrs: Addresses;
  /** Node metadata for the TXT records of SRV answers; undefined: none. */
  readonly meta: NodeMeta | undefined;
  /** Called with each address whose `<hex>.addr` name an SRV target uses. */
  readonly claimAddr: (address: string) => void;
}

/**
 * The sets answering `instances` in one domain: their address sets (`addressSets`, from
 * `Addresses.sets`) plus SRV records, one per instance, whose targets carry their address
 * and their node's metadata TXT in the additional section. Shared by the service names and
 * by prepared query answers (`NAME.query.<domain>`).
 */
export function instanceSets(
  instances: readonly ServiceInstance[],
  addressSets: Sets,
  c: InstanceSetsContext,
): Sets {
  const { ttl, domain, dcPart, addrs, meta } = c;
  const targetOf = (inst: ServiceInstance): string | undefined => {
    // A host name registered as the address: the SRV target is that name (Consul).
    if (addrs.bytes(inst.address) === undefined) return hostName(inst.address);
    const node = inst.address === inst.nodeAddress ? nodeName(inst.node) : undefined;
    if (node) return `${node}.node${dcPart}.${domain}`;
    c.claimAddr(inst.address);
    return `${addrs.hex(inst.address) as string}.addr${dcPart}.${domain}`;
  };
  const srv: ZoneRecord[] = [];
  const targets = new Map<string, ZoneExtra[]>();
  let txtDone: Set<string> | undefined;
  let hosts = false;
  for (const inst of instances) {
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
    let extras = targets.get(target);
    if (!extras) {
      targets.set(target, (extras = []));
      const rec = addrs.record(inst.address, ttl);
      if (rec) extras.push({ name: target, record: rec });
      else hosts = true;
    }
    const m = meta?.(inst.node);
    const node = m ? nodeName(inst.node) : undefined;
    if (m && node && !txtDone?.has(node)) {
      (txtDone ??= new Set()).add(node);
      const owner = `${node}.node${dcPart}.${domain}`;
      for (const text of metaTexts(m))
        extras.push({ name: owner, record: { type: 'TXT', ttl, text } });
    }
  }
  if (!srv.length) return addressSets;
  return {
    ...addressSets,
    SRV: {
      records: srv,
      targets,
      limit: 0,
      rotate: true,
      ...(hosts ? { chase: 'additional' as const } : {}),
    },
  };
}
