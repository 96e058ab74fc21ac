/**
 * The zone: what berth dns serves, as plain data built from a catalog snapshot, before it is
 * compiled to wire form. It also has a canonical text form (sorted zone-file lines) used by
 * golden tests, `/api/zone`-style dumps and the logged diff on every change.
 * Must never hold wire buffers or mutable state.
 */

/** One resource record in a readable, structured form. */
export type ZoneRecord =
  | { readonly type: 'A' | 'AAAA'; readonly ttl: number; readonly address: string }
  | {
      readonly type: 'SRV';
      readonly ttl: number;
      readonly priority: number;
      readonly weight: number;
      readonly port: number;
      readonly target: string;
    }
  | { readonly type: 'PTR' | 'NS' | 'CNAME'; readonly ttl: number; readonly target: string }
  /** One TXT record holding one text (split into 255-byte character-strings on the wire). */
  | { readonly type: 'TXT'; readonly ttl: number; readonly text: string }
  | {
      readonly type: 'SOA';
      readonly ttl: number;
      readonly mname: string;
      readonly rname: string;
      readonly serial: number;
      readonly refresh: number;
      readonly retry: number;
      readonly expire: number;
      readonly minimum: number;
    };

/** Record types a zone holds. */
export type ZoneType = ZoneRecord['type'];

/** A record for the additional section, with its owner name. */
export interface ZoneExtra {
  readonly name: string;
  readonly record: ZoneRecord;
}

/** The records answering one (name, type); shared by every name variant that answers alike. */
export interface ZoneSet {
  readonly records: readonly ZoneRecord[];
  /**
   * Additional records of each SRV target, by target name: its address, and the TXT of its
   * node's metadata (owned by the target, or by the node's name when the target is an addr).
   */
  readonly targets?: ReadonlyMap<string, readonly ZoneExtra[]>;
  /**
   * Fixed additional records: the NS glue (a reply that cannot carry it is truncated), or a
   * node's metadata TXT (`optional`: left out when it does not fit).
   */
  readonly glue?: readonly ZoneExtra[];
  readonly glueOptional?: boolean;
  /**
   * Host names that recursors may turn into addresses at query time, as Consul does: the
   * CNAME targets of this set (`answer`) or its SRV targets (`additional`).
   */
  readonly chase?: 'answer' | 'additional';
  /** Most answers to send after rotation (`--a-record-limit`); 0 means all. */
  readonly limit: number;
  /** Whether the order changes per query. */
  readonly rotate: boolean;
}

/** Everything known about one name. */
export interface ZoneName {
  /** Index of the domain this name lives in (for the SOA of negative answers); -1 if none. */
  readonly domain: number;
  /** A known service whose instances are all unhealthy: answered NXDOMAIN, like Consul. */
  readonly nxdomain: boolean;
  /** Answered with AA although in no domain (PTR names: Consul is their authority). */
  readonly authoritative?: boolean;
  /** Answers by query type; `ANY` is the union served to ANY queries. */
  readonly sets: Readonly<Partial<Record<ZoneType | 'ANY', ZoneSet>>>;
}

/** A whole zone, ready to compile. */
export interface Zone {
  /** Served domains, lower-case, no trailing dot: the main one first, then the alternative. */
  readonly domains: readonly string[];
  readonly datacenter: string;
  /** The SOA of each domain, in `domains` order (also used for negative answers). */
  readonly soa: readonly Extract<ZoneRecord, { type: 'SOA' }>[];
  readonly names: ReadonlyMap<string, ZoneName>;
  /** The catalog index the zone reflects. */
  readonly index: bigint;
}

/** The text of a record's data, as in a zone file. */
export function recordData(r: ZoneRecord): string {
  switch (r.type) {
    case 'A':
    case 'AAAA':
      return r.address;
    case 'SRV':
      return `${r.priority} ${r.weight} ${r.port} ${r.target}.`;
    case 'PTR':
    case 'NS':
    case 'CNAME':
      return `${r.target}.`;
    case 'TXT':
      return JSON.stringify(r.text);
    case 'SOA':
      return `${r.mname}. ${r.rname}. ${r.serial} ${r.refresh} ${r.retry} ${r.expire} ${r.minimum}`;
  }
}

const ORDER: readonly ZoneType[] = ['SOA', 'NS', 'CNAME', 'A', 'AAAA', 'SRV', 'PTR', 'TXT'];

/**
 * The canonical text form of one name: one line per record, by type, in the order the
 * records are first served. A negative name reads `name. NXDOMAIN` / `name. NODATA`;
 * additional records read `name. +extra owner. ttl IN A address`.
 */
export function nameLines(name: string, entry: ZoneName): string[] {
  const fqdn = name === '' ? '.' : `${name}.`;
  if (entry.nxdomain) return [`${fqdn} NXDOMAIN`];
  const out: string[] = [];
  for (const type of ORDER) {
    const set = entry.sets[type];
    if (!set) continue;
    for (const r of set.records) out.push(`${fqdn} ${r.ttl} IN ${r.type} ${recordData(r)}`);
    for (const extras of set.targets?.values() ?? []) {
      for (const g of extras) {
        out.push(
          `${fqdn} +extra ${g.name}. ${g.record.ttl} IN ${g.record.type} ${recordData(g.record)}`,
        );
      }
    }
    for (const g of set.glue ?? []) {
      out.push(
        `${fqdn} +extra ${g.name}. ${g.record.ttl} IN ${g.record.type} ${recordData(g.record)}`,
      );
    }
  }
  if (out.length === 0) out.push(`${fqdn} NODATA`);
  return out;
}

/** The canonical text form of a zone: nameLines of every name, sorted by name. */
export function zoneLines(zone: Pick<Zone, 'names'>): string[] {
  const out: string[] = [];
  for (const name of [...zone.names.keys()].sort()) {
    const entry = zone.names.get(name);
    if (entry) out.push(...nameLines(name, entry));
  }
  return out;
}

/** Lines added and removed between two zones' text forms (for the change log). */
export function zoneDiff(
  before: readonly string[],
  after: readonly string[],
): {
  added: string[];
  removed: string[];
} {
  const a = new Set(before);
  const b = new Set(after);
  return {
    added: after.filter((l) => !a.has(l)),
    removed: before.filter((l) => !b.has(l)),
  };
}
