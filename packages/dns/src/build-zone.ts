/**
 * Builds the zone (plain data) from a catalog snapshot: which names exist, which instances
 * are healthy enough to serve, and the records of every query form. Pure: no sockets, no
 * clock, no Consul; the same snapshot and options always give the same zone.
 */
import type { CatalogSnapshot, ServiceInstance } from '@berth/consul';
import type { Zone, ZoneName, ZoneRecord, ZoneSet, ZoneType } from './zone.js';
import { addressBytes, isLabel, reverseName } from './wire.js';

/** A `--service-ttl` rule: `web=30` (exact) or `web*=30` (prefix) or `*=5` (default). */
export interface ServiceTtl {
  readonly pattern: string;
  readonly ttl: number;
}

/** What shapes the zone beyond the snapshot. */
export interface ZoneOptions {
  /** Served domains, main first (`consul`), then `--alt-domain`. */
  readonly domains: readonly string[];
  /** Serve only instances whose checks all pass (warning excludes too). */
  readonly onlyPassing: boolean;
  readonly serviceTtl: readonly ServiceTtl[];
  /** TTL of node, addr and PTR answers, seconds. */
  readonly nodeTtl: number;
  /** Most A/AAAA records per answer after rotation; 0 = no limit. */
  readonly aRecordLimit: number;
  /** Addresses answered for `ns.<domain>` and given as NS glue (may be empty). */
  readonly nsAddresses: readonly string[];
}

/** The TTL for a service: the exact rule, else the longest matching prefix rule, else `*`. */
export function serviceTtlFor(rules: readonly ServiceTtl[], service: string): number {
  let best: ServiceTtl | undefined;
  for (const r of rules) {
    if (r.pattern === service) return r.ttl;
    if (!r.pattern.endsWith('*')) continue;
    const prefix = r.pattern.slice(0, -1);
    if (service.startsWith(prefix) && (!best || prefix.length > best.pattern.length - 1)) best = r;
  }
  return best?.ttl ?? 0;
}

/** Whether an instance is served: no critical check (nor warning with onlyPassing), no maintenance. */
export function isServed(inst: ServiceInstance, onlyPassing: boolean): boolean {
  if (inst.maintenance) return false;
  return onlyPassing ? inst.status === 'passing' : inst.status !== 'critical';
}

type Sets = Partial<Record<ZoneType | 'ANY', ZoneSet>>;

class ZoneBuilder {
  readonly names = new Map<string, { domain: number; nxdomain: boolean; sets: Sets }>();

  set(name: string, domain: number, sets: Sets, nxdomain = false): void {
    this.names.set(name, { domain, nxdomain, sets });
  }

  /** Adds a name with no records unless it exists (empty non-terminals answer NODATA). */
  empty(name: string, domain: number): void {
    if (!this.names.has(name)) this.names.set(name, { domain, nxdomain: false, sets: {} });
  }
}

/** Parses each address once per build (the same few addresses recur thousands of times). */
class Addresses {
  readonly #bytes = new Map<string, Buffer | undefined>();
  readonly #hex = new Map<string, string | undefined>();

  bytes(address: string): Buffer | undefined {
    if (this.#bytes.has(address)) return this.#bytes.get(address);
    const b = addressBytes(address);
    this.#bytes.set(address, b);
    return b;
  }

  hex(address: string): string | undefined {
    if (this.#hex.has(address)) return this.#hex.get(address);
    const h = this.bytes(address)?.toString('hex');
    this.#hex.set(address, h);
    return h;
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

/** Instances answering one name form: all served instances, or those with one tag. */
interface Group {
  readonly instances: readonly ServiceInstance[];
  /** A/AAAA/ANY sets: the same for every domain. */
  readonly addressSets: Sets;
}

/** Builds the zone for a snapshot. Names are lower-case; invalid labels are skipped. */
export function buildZone(snapshot: CatalogSnapshot, opts: ZoneOptions): Zone {
  const b = new ZoneBuilder();
  const dc = snapshot.datacenter.toLowerCase();
  const dcs = isLabel(dc) ? ['', `.${dc}`] : [''];
  const dcPart = isLabel(dc) ? `.${dc}` : '';
  const serial = Number(snapshot.index % 4294967296n) || 1;
  const soa = opts.domains.map((d): Extract<ZoneRecord, { type: 'SOA' }> => ({
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

  // Instances by lower-case service name: DNS names are case-insensitive.
  const services = new Map<string, ServiceInstance[]>();
  for (const [name, instances] of snapshot.services) {
    const key = name.toLowerCase();
    if (!isLabel(key)) continue;
    services.set(key, [...(services.get(key) ?? []), ...instances]);
  }
  const nodeLabel = (node: string): string | undefined => {
    const l = node.toLowerCase();
    return isLabel(l) ? l : undefined;
  };

  const ptr = new Map<string, Set<string>>();
  const addPtr = (address: string, target: string): void => {
    const rev = reverseName(address);
    if (!rev) return;
    const s = ptr.get(rev) ?? new Set<string>();
    s.add(target);
    ptr.set(rev, s);
  };
  const addrs = new Addresses();
  const addrNames = new Set<string>();
  const nodeSets = new Map<string, Sets>();
  const addrSets = new Map<string, Sets>();

  // Per service, once for all domains: who is served, and the tag groups.
  const groups = new Map<
    string,
    { ttl: number; base: Group; tags: Map<string, Group | undefined> }
  >();
  for (const [svc, all] of services) {
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
          withTag.length === 0
            ? undefined
            : withTag.length === served.length
              ? base
              : group(withTag),
        );
      }
    }
    groups.set(svc, { ttl, base, tags });
    for (const inst of served) {
      if (inst.address !== inst.nodeAddress)
        addPtr(inst.address, `${svc}.service.${opts.domains[0] ?? ''}`);
    }
  }

  opts.domains.forEach((domain, di) => {
    const targetOf = (inst: ServiceInstance): string => {
      const node = nodeLabel(inst.node);
      if (inst.address === inst.nodeAddress && node) return `${node}.node${dcPart}.${domain}`;
      const hex = addrs.hex(inst.address);
      if (hex) {
        addrNames.add(inst.address);
        return `${hex}.addr${dcPart}.${domain}`;
      }
      return inst.address.toLowerCase();
    };
    const setsCache = new Map<Group, Sets>();
    const setsOf = (g: Group, ttl: number): Sets => {
      let sets = setsCache.get(g);
      if (sets) return sets;
      const srv: ZoneRecord[] = [];
      const targets = new Map<string, ZoneRecord[]>();
      for (const inst of g.instances) {
        const target = targetOf(inst);
        srv.push({ type: 'SRV', ttl, priority: 1, weight: 1, port: inst.port, target });
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

    for (const [svc, { ttl, base, tags }] of groups) {
      const baseSets = setsOf(base, ttl);
      const down = base.instances.length === 0;
      for (const dcp of dcs) {
        const suffix = `service${dcp}.${domain}`;
        for (const [tag, g] of tags) {
          const sets = g ? setsOf(g, ttl) : {};
          b.set(`${tag}.${svc}.${suffix}`, di, sets, !g);
          if (tag !== 'tcp' && tag !== 'udp') {
            b.set(`_${svc}._${tag}.${suffix}`, di, sets, !g);
            b.empty(`_${tag}.${suffix}`, di);
          }
        }
        for (const name of [
          `${svc}.${suffix}`,
          `_${svc}._tcp.${suffix}`,
          `_${svc}._udp.${suffix}`,
        ]) {
          b.set(name, di, baseSets, down);
        }
        b.empty(`_tcp.${suffix}`, di);
        b.empty(`_udp.${suffix}`, di);
      }
    }

    for (const [name, node] of snapshot.nodes) {
      const label = nodeLabel(name);
      if (!label) continue;
      const sets = nodeSets.get(name) ?? addrs.sets([node.address], opts.nodeTtl, 0);
      nodeSets.set(name, sets);
      for (const dcp of dcs) b.set(`${label}.node${dcp}.${domain}`, di, sets);
      if (di === 0) addPtr(node.address, `${label}.node${dcPart}.${domain}`);
    }
    for (const address of addrNames) {
      const hex = addrs.hex(address);
      if (!hex) continue;
      const sets = addrSets.get(address) ?? addrs.sets([address], opts.nodeTtl, 0);
      addrSets.set(address, sets);
      for (const dcp of dcs) b.set(`${hex}.addr${dcp}.${domain}`, di, sets);
    }

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

  for (const [rev, targets] of ptr) {
    const records: ZoneRecord[] = [...targets]
      .sort()
      .map((target) => ({ type: 'PTR', ttl: opts.nodeTtl, target }));
    const set: ZoneSet = { records, limit: 0, rotate: false };
    b.set(rev, -1, { PTR: set, ANY: set });
  }

  const names = new Map<string, ZoneName>();
  for (const [name, e] of b.names) names.set(name, e);
  return { domains: opts.domains, datacenter: dc, soa, names, index: snapshot.index };
}
