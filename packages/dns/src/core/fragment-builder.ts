/**
 * What every zone fragment is made with: the fragment shape, the snapshot-wide context, the
 * address sets of a list of addresses (A, AAAA, or a CNAME to a host name, as Consul answers
 * a host name registered as an address), and the builder that collects names and claims.
 * Pure: no sockets, no clock, no Consul; never mutates its inputs.
 */
import type { ZoneExtra, ZoneName, ZoneRecord, ZoneSet, ZoneType } from './zone.js';
import type { ZoneOptions } from './zone-options.js';
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

/** Answers by query type. */
export type Sets = Partial<Record<ZoneType | 'ANY', ZoneSet>>;

/** A node name as DNS labels (lower-case; dots allowed, as Consul allows them), or undefined. */
export function nodeName(node: string): string | undefined {
  const n = node.toLowerCase();
  return isName(n) ? n : undefined;
}

/** A registered address that is a host name (not an IP), as a DNS name, or undefined. */
export function hostName(address: string): string | undefined {
  if (addressBytes(address)) return undefined;
  const h = address.toLowerCase().replace(/\.$/, '');
  return isName(h) ? h : undefined;
}

/** Parses each address once per fragment (the same few addresses recur many times). */
export class Addresses {
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

  /**
   * The A, AAAA, CNAME and ANY sets of `addresses`. Like Consul, a family without any
   * address is answered with a CNAME to one of the host names among them (rotating), whose
   * addresses recursors may add at query time. `glue`: optional additional records.
   */
  sets(
    addresses: readonly string[],
    ttl: number,
    limit: number,
    glue?: readonly ZoneExtra[],
  ): Sets {
    const seen = new Set<string>();
    const seenHosts = new Set<string>();
    const a: ZoneRecord[] = [];
    const aaaa: ZoneRecord[] = [];
    const hosts: ZoneRecord[] = [];
    for (const address of addresses) {
      if (seen.has(address)) continue;
      seen.add(address);
      const r = this.record(address, ttl);
      if (r?.type === 'A') a.push(r);
      else if (r) aaaa.push(r);
      else {
        const target = hostName(address);
        if (target && !seenHosts.has(target)) {
          seenHosts.add(target);
          hosts.push({ type: 'CNAME', ttl, target });
        }
      }
    }
    const extra = glue?.length ? { glue, glueOptional: true } : {};
    const sets: Sets = {};
    if (a.length) sets.A = { records: a, limit, rotate: true, ...extra };
    if (aaaa.length) sets.AAAA = { records: aaaa, limit, rotate: true, ...extra };
    if (hosts.length) {
      const cname: ZoneSet = { records: hosts, limit: 1, rotate: true, chase: 'answer', ...extra };
      sets.CNAME = cname;
      sets.A ??= cname;
      sets.AAAA ??= cname;
    }
    // ANY shares the A (or AAAA) set when there is only one family, so it compiles once.
    if (a.length && aaaa.length)
      sets.ANY = { records: [...a, ...aaaa], limit, rotate: true, ...extra };
    else sets.ANY = a.length ? sets.A : aaaa.length ? sets.AAAA : sets.CNAME;
    return sets;
  }
}

/** Collects one fragment; names that cannot travel as DNS names are skipped. */
export class FragmentBuilder {
  readonly names = new Map<string, ZoneName>();
  readonly empties = new Map<string, number>();
  readonly ptr: PtrClaim[] = [];
  readonly addrs = new Set<string>();
  readonly #ptrSeen = new Set<string>();
  /** The entry made for each Sets object, so names answered alike share one entry. */
  readonly #entries = new Map<Sets, ZoneName>();

  /**
   * `name` answers with `sets`. Names given the same Sets object, domain and nxdomain share
   * one (immutable) entry, which the compiler then compiles once for all of them.
   */
  set(name: string, domain: number, sets: Sets, nxdomain = false): void {
    if (name.length > 253) return;
    let e = this.#entries.get(sets);
    if (e === undefined || e.domain !== domain || e.nxdomain !== nxdomain) {
      e = { domain, nxdomain, sets };
      this.#entries.set(sets, e);
    }
    this.names.set(name, e);
  }

  empty(name: string, domain: number): void {
    if (name.length <= 253) this.empties.set(name, domain);
  }

  /**
   * The empty non-terminals a multi-label `head` creates above `head.tail`: for `a.b.c` and
   * `web.service.consul`, `b.c.web.service.consul` and `c.web.service.consul`.
   */
  emptyParents(head: string, tail: string, domain: number): void {
    let dot = head.indexOf('.');
    while (dot >= 0) {
      this.empty(`${head.slice(dot + 1)}.${tail}`, domain);
      dot = head.indexOf('.', dot + 1);
    }
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
