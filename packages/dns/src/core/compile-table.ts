/**
 * Compiles zone entries into the form the hot path answers from: every answer's records
 * already in wire form, with owner names compressed to a pointer at the question (offset
 * 12), so a query only copies bytes. Runs when a fragment of the catalog changes, never per
 * query. Compiled entries are frozen except for each set's rotation cursor.
 */
import { NameMap } from './name-map.js';
import type { Zone, ZoneName, ZoneRecord, ZoneSet } from './zone.js';
import type { Fragment, ZoneFragment } from './zone-fragments.js';
import { CLASS_IN, TYPE, addressBytes, nameToWire } from './wire.js';

/** The records of one answer, in wire form. */
export interface WireSet {
  /** Number of records. */
  readonly count: number;
  /** Most records sent per answer (the A-record limit), at most `count`. */
  readonly cap: number;
  readonly rotate: boolean;
  /** Records back to back, twice over when rotating, so any rotation is one slice. */
  readonly rr: Buffer;
  /** Start of each record in `rr` (2·count+1 entries when rotating, else count+1). */
  readonly offs: Uint32Array;
  /** [0]: next rotation start; [1]: generation for `seen`. The only mutable state. */
  readonly cursor: Uint32Array;
  /** SRV only: the target id of each record, and where its target name starts inside it. */
  readonly targetOf?: Uint32Array;
  readonly targetAt?: Uint16Array;
  /** SRV only, by target id: the address record without its owner name (TYPE..RDATA). */
  readonly targetRr?: readonly Buffer[];
  /** SRV only, by target id: the target name, for when a pointer cannot reach it. */
  readonly targetName?: readonly Buffer[];
  /** SRV only, by target id: generation stamp of the last answer that included it. */
  readonly seen?: Uint32Array;
  /** Fixed additional records (NS glue) and their count. */
  readonly glue: Buffer;
  readonly glueCount: number;
}

/** The answers of one name. */
export interface WireName {
  /** Index into the table's domains for the SOA of negative answers; -1 for none. */
  readonly domain: number;
  readonly nxdomain: boolean;
  /** The plain entry this was compiled from (for the canonical text form and diffs). */
  readonly zone: ZoneName;
  readonly a?: WireSet;
  readonly aaaa?: WireSet;
  readonly srv?: WireSet;
  readonly ptr?: WireSet;
  readonly soa?: WireSet;
  readonly ns?: WireSet;
  readonly any?: WireSet;
}

/** What a query reads: `const table = current` once, then lookups only. */
export interface DnsTable {
  /** Sharded by nameHash: look up with `names.get(q.name, q.hash)`. */
  readonly names: NameMap<WireName>;
  readonly domains: readonly string[];
  /** `.consul` for each domain, to test suffixes without building strings. */
  readonly suffixes: readonly string[];
  /** Number of labels of each domain. */
  readonly domainLabels: readonly number[];
  /** Negative-answer SOA per domain; its owner and name pointers are patched per query. */
  readonly soa: readonly Buffer[];
  /** Offsets of the three 14-bit pointers to patch in each `soa` buffer. */
  readonly soaPointers: readonly (readonly number[])[];
  readonly datacenter: string;
  readonly index: bigint;
  /** TTL used for `<hex>.addr` answers built at query time. */
  readonly nodeTtl: number;
}

const POINTER_TO_QUESTION = 0xc00c;

function rrHead(type: number, ttl: number, rdlen: number): Buffer {
  const b = Buffer.alloc(12);
  b.writeUInt16BE(POINTER_TO_QUESTION, 0);
  b.writeUInt16BE(type, 2);
  b.writeUInt16BE(CLASS_IN, 4);
  b.writeUInt32BE(Math.min(ttl >>> 0, 0x7fffffff), 6);
  b.writeUInt16BE(rdlen, 10);
  return b;
}

/** A name in rdata: compressed to the question when it ends with `apex` (the question). */
function rdataName(name: string, apex: string | undefined): Buffer {
  if (apex !== undefined && name.endsWith(`.${apex}`)) {
    const head = nameToWire(name.slice(0, -apex.length - 1));
    const out = Buffer.alloc(head.length + 1);
    head.copy(out, 0, 0, head.length - 1);
    out.writeUInt16BE(POINTER_TO_QUESTION, head.length - 1);
    return out;
  }
  if (apex !== undefined && name === apex) return Buffer.from([0xc0, 0x0c]);
  return nameToWire(name);
}

/** The rdata of a record. */
function rdata(r: ZoneRecord, apex: string | undefined): Buffer {
  switch (r.type) {
    case 'A':
    case 'AAAA': {
      const bytes = addressBytes(r.address);
      if (!bytes) throw new RangeError(`not an address: ${r.address}`);
      return bytes;
    }
    case 'SRV': {
      // RFC 2782: the target is never compressed.
      const target = nameToWire(r.target);
      const b = Buffer.alloc(6 + target.length);
      b.writeUInt16BE(r.priority, 0);
      b.writeUInt16BE(r.weight, 2);
      b.writeUInt16BE(r.port, 4);
      target.copy(b, 6);
      return b;
    }
    case 'PTR':
    case 'NS':
      return rdataName(r.target, apex);
    case 'SOA': {
      const tail = Buffer.alloc(20);
      [r.serial, r.refresh, r.retry, r.expire, r.minimum].forEach((v, i) =>
        tail.writeUInt32BE(v >>> 0, i * 4),
      );
      return Buffer.concat([rdataName(r.mname, apex), rdataName(r.rname, apex), tail]);
    }
  }
}

const TYPE_CODE = {
  A: TYPE.A,
  AAAA: TYPE.AAAA,
  SRV: TYPE.SRV,
  PTR: TYPE.PTR,
  NS: TYPE.NS,
  SOA: TYPE.SOA,
};

/** One record with its owner compressed to the question. */
export function encodeRecord(r: ZoneRecord, apex?: string): Buffer {
  const data = rdata(r, apex);
  return Buffer.concat([rrHead(TYPE_CODE[r.type], r.ttl, data.length), data]);
}

function recordKey(r: ZoneRecord): string | undefined {
  switch (r.type) {
    case 'A':
    case 'AAAA':
      return `${r.type} ${r.ttl} ${r.address}`;
    case 'SRV':
      return `SRV ${r.ttl} ${r.priority} ${r.weight} ${r.port} ${r.target}`;
    case 'PTR':
    case 'NS':
      return `${r.type} ${r.ttl} ${r.target}`;
    case 'SOA':
      return undefined;
  }
}

const EMPTY = Buffer.alloc(0);

/** Encoded records by content: thousands of sets repeat the same few records. */
class RecordCache {
  readonly #map = new Map<string, Buffer>();

  get(r: ZoneRecord, apex: string | undefined): Buffer {
    if (apex !== undefined) return encodeRecord(r, apex);
    const key = recordKey(r);
    if (key === undefined) return encodeRecord(r, apex);
    let b = this.#map.get(key);
    if (!b) {
      b = encodeRecord(r, apex);
      this.#map.set(key, b);
    }
    return b;
  }
}

function compileSet(set: ZoneSet, apex: string | undefined, cache: RecordCache): WireSet {
  const records = set.records.map((r) => cache.get(r, apex));
  const count = records.length;
  const rotate = set.rotate && count > 1;
  const copies = rotate ? [...records, ...records] : records;
  const offs = new Uint32Array(copies.length + 1);
  copies.forEach((r, i) => (offs[i + 1] = (offs[i] as number) + r.length));
  const cap = set.limit > 0 && set.limit < count ? set.limit : count;
  const glueParts = (set.glue ?? []).map((g) => {
    const rr = cache.get(g.record, apex);
    const owner = rdataName(g.name, apex);
    return Buffer.concat([owner, rr.subarray(2)]);
  });
  const base = {
    count,
    cap,
    rotate,
    rr: Buffer.concat(copies),
    offs,
    cursor: new Uint32Array(2),
    glue: glueParts.length ? Buffer.concat(glueParts) : EMPTY,
    glueCount: glueParts.length,
  };
  if (!set.targets) return base;
  const ids = new Map<string, number>();
  const targetRr: Buffer[] = [];
  const targetName: Buffer[] = [];
  const targetOf = new Uint32Array(count);
  const targetAt = new Uint16Array(count);
  set.records.forEach((r, i) => {
    if (r.type !== 'SRV') return;
    let id = ids.get(r.target);
    if (id === undefined) {
      id = ids.size;
      ids.set(r.target, id);
      const extra = set.targets?.get(r.target) ?? [];
      targetRr.push(Buffer.concat(extra.map((x) => cache.get(x, undefined).subarray(2))));
      targetName.push(nameToWire(r.target));
    }
    targetOf[i] = id;
    targetAt[i] = 12 + 6;
  });
  return { ...base, targetOf, targetAt, targetRr, targetName, seen: new Uint32Array(ids.size) };
}

function negativeSoa(r: ZoneRecord): { buf: Buffer; pointers: number[] } {
  if (r.type !== 'SOA') throw new TypeError('SOA expected');
  const mname = nameToWire(r.mname.split('.')[0] ?? 'ns');
  const rname = nameToWire(r.rname.split('.')[0] ?? 'hostmaster');
  // Labels of mname / rname below the apex, then a pointer to the apex in the question.
  const mm = Buffer.concat([mname.subarray(0, -1), Buffer.from([0xc0, 0])]);
  const rn = Buffer.concat([rname.subarray(0, -1), Buffer.from([0xc0, 0])]);
  const tail = Buffer.alloc(20);
  [r.serial, r.refresh, r.retry, r.expire, r.minimum].forEach((v, i) =>
    tail.writeUInt32BE(v >>> 0, i * 4),
  );
  const data = Buffer.concat([mm, rn, tail]);
  const buf = Buffer.concat([rrHead(TYPE.SOA, r.ttl, data.length), data]);
  return { buf, pointers: [0, 12 + mm.length - 2, 12 + mm.length + rn.length - 2] };
}

/**
 * Compiles entries; sets shared between entries (a tag carried by every instance, ANY equal
 * to A) are compiled once. One compiler per fragment, so caches die with the fragment.
 */
export class WireCompiler {
  readonly #domains: readonly string[];
  readonly #sets = new Map<ZoneSet, WireSet>();
  readonly #records = new RecordCache();

  constructor(domains: readonly string[]) {
    this.#domains = domains;
  }

  #set(set: ZoneSet | undefined, apex: string | undefined): WireSet | undefined {
    if (!set) return undefined;
    if (apex !== undefined) return compileSet(set, apex, this.#records);
    let w = this.#sets.get(set);
    if (!w) {
      w = compileSet(set, undefined, this.#records);
      this.#sets.set(set, w);
    }
    return w;
  }

  /** The compiled form of `entry`, the entry of `name`. */
  name(name: string, entry: ZoneName): WireName {
    // Records owned by an apex compress their names against the question itself.
    const apex = this.#domains.includes(name) ? name : undefined;
    const s = entry.sets;
    return Object.freeze({
      domain: entry.domain,
      nxdomain: entry.nxdomain,
      zone: entry,
      a: this.#set(s.A, apex),
      aaaa: this.#set(s.AAAA, apex),
      srv: this.#set(s.SRV, apex),
      ptr: this.#set(s.PTR, apex),
      soa: this.#set(s.SOA, apex),
      ns: this.#set(s.NS, apex),
      any: this.#set(s.ANY, apex),
    });
  }
}

/** A fragment with every entry compiled. */
export function compileFragment(f: ZoneFragment, domains: readonly string[]): Fragment<WireName> {
  const c = new WireCompiler(domains);
  const names = new Map<string, WireName>();
  for (const [name, entry] of f.names) names.set(name, c.name(name, entry));
  return { names, empties: f.empties, ptr: f.ptr, addrs: f.addrs };
}

/** Everything of a table besides its names. */
export interface TableFacts {
  readonly domains: readonly string[];
  readonly datacenter: string;
  /** The SOA of each domain, in `domains` order. */
  readonly soa: readonly ZoneRecord[];
  readonly index: bigint;
  readonly nodeTtl: number;
}

/** A frozen table of compiled names. */
export function makeTable(names: NameMap<WireName>, facts: TableFacts): DnsTable {
  const soa = facts.soa.map(negativeSoa);
  return Object.freeze({
    names,
    domains: facts.domains,
    suffixes: facts.domains.map((d) => `.${d}`),
    domainLabels: facts.domains.map((d) => d.split('.').length),
    soa: soa.map((s) => s.buf),
    soaPointers: soa.map((s) => s.pointers),
    datacenter: facts.datacenter,
    index: facts.index,
    nodeTtl: facts.nodeTtl,
  });
}

/** Compiles a whole zone at once (TableBuilder rebuilds only what changed). */
export function compileTable(zone: Zone, nodeTtl: number): DnsTable {
  const c = new WireCompiler(zone.domains);
  const names = NameMap.of([...zone.names].map(([name, e]) => [name, c.name(name, e)] as const));
  return makeTable(names, { ...zone, nodeTtl });
}
