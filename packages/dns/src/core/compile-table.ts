/**
 * Compiles zone entries into the form the hot path answers from: every answer's records
 * already in wire form, with owner names compressed to a pointer at the question (offset
 * 12), so a query only copies bytes. Runs when a fragment of the catalog changes, never per
 * query. Compiled entries are frozen except for each set's rotation cursor.
 */
import { NameMap } from './name-map.js';
import type { Zone, ZoneExtra, ZoneName, ZoneRecord, ZoneSet } from './zone.js';
import { RecordCache, rdataName, rrHead } from './encode-record.js';
import { TYPE, nameToWire } from './wire.js';

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
  /**
   * SRV only, by target id: its additional records (address, metadata TXT) back to back;
   * an owner that is the target itself is a 2-byte hole at each `targetHoles` offset, filled
   * with a pointer to the target name in the answer.
   */
  readonly targetRecs?: readonly Buffer[];
  readonly targetHoles?: readonly (readonly number[])[];
  /** SRV only, by target id: the same records with the full name in each hole. */
  readonly targetFull?: readonly Buffer[];
  /** SRV only, by target id: how many records. */
  readonly targetCount?: Uint16Array;
  /** SRV only, by target id: generation stamp of the last answer that included it. */
  readonly seen?: Uint32Array;
  /** Fixed additional records (NS glue, node metadata TXT) and their count. */
  readonly glue: Buffer;
  readonly glueCount: number;
  /** Glue that may be left out when it does not fit (no TC then). */
  readonly glueOptional: boolean;
  /** Host names to turn into addresses at query time: 0 none, CHASE_ANSWER, CHASE_ADDITIONAL. */
  readonly chase: number;
}

/** WireSet.chase: the answer is a CNAME whose target's addresses may follow it. */
export const CHASE_ANSWER = 1;
/** WireSet.chase: SRV targets that are host names may get addresses in the additional section. */
export const CHASE_ADDITIONAL = 2;

/** The answers of one name. */
export interface WireName {
  /** Index into the table's domains for the SOA of negative answers; -1 for none. */
  readonly domain: number;
  readonly nxdomain: boolean;
  /** Answers carry AA. */
  readonly aa: boolean;
  /** The plain entry this was compiled from (for the canonical text form and diffs). */
  readonly zone: ZoneName;
  readonly a?: WireSet;
  readonly aaaa?: WireSet;
  readonly cname?: WireSet;
  readonly srv?: WireSet;
  readonly ptr?: WireSet;
  readonly txt?: WireSet;
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

const EMPTY = Buffer.alloc(0);
/** Where a target's own name goes: a pointer, filled in per answer (only ever copied). */
const HOLE = Buffer.from([0xc0, 0x0c]);

/** An additional record with its owner: a pointer to the question for '' (the name asked). */
function extraRecord(g: ZoneExtra, apex: string | undefined, cache: RecordCache): Buffer {
  const rr = cache.get(g.record, apex);
  if (g.name === '') return rr;
  return Buffer.concat([rdataName(g.name, apex), rr.subarray(2)]);
}

/** The additional records of one SRV target, with holes where the target owns them. */
function targetRecords(
  target: string,
  extras: readonly ZoneExtra[],
  cache: RecordCache,
): { recs: Buffer; holes: number[]; full: Buffer } {
  const parts: Buffer[] = [];
  const fullParts: Buffer[] = [];
  const holes: number[] = [];
  const targetName = nameToWire(target);
  let pos = 0;
  for (const g of extras) {
    const rr = cache.get(g.record, undefined).subarray(2);
    const owner = g.name === target ? undefined : nameToWire(g.name);
    if (owner) parts.push(owner);
    else {
      holes.push(pos);
      parts.push(HOLE);
    }
    parts.push(rr);
    fullParts.push(owner ?? targetName, rr);
    pos += (owner ? owner.length : 2) + rr.length;
  }
  return { recs: Buffer.concat(parts), holes, full: Buffer.concat(fullParts) };
}

function compileSet(set: ZoneSet, apex: string | undefined, cache: RecordCache): WireSet {
  const records = set.records.map((r) => cache.get(r, apex));
  const count = records.length;
  const rotate = set.rotate && count > 1;
  const copies = rotate ? [...records, ...records] : records;
  const offs = new Uint32Array(copies.length + 1);
  copies.forEach((r, i) => (offs[i + 1] = (offs[i] as number) + r.length));
  const cap = set.limit > 0 && set.limit < count ? set.limit : count;
  const glueParts = (set.glue ?? []).map((g) => extraRecord(g, apex, cache));
  const base = {
    count,
    cap,
    rotate,
    rr: Buffer.concat(copies),
    offs,
    cursor: new Uint32Array(2),
    glue: glueParts.length ? Buffer.concat(glueParts) : EMPTY,
    glueCount: glueParts.length,
    glueOptional: set.glueOptional ?? false,
    chase:
      set.chase === 'answer' ? CHASE_ANSWER : set.chase === 'additional' ? CHASE_ADDITIONAL : 0,
  };
  if (!set.targets) return base;
  const ids = new Map<string, number>();
  const targetRecs: Buffer[] = [];
  const targetHoles: number[][] = [];
  const targetFull: Buffer[] = [];
  const counts: number[] = [];
  const targetOf = new Uint32Array(count);
  const targetAt = new Uint16Array(count);
  set.records.forEach((r, i) => {
    if (r.type !== 'SRV') return;
    let id = ids.get(r.target);
    if (id === undefined) {
      id = ids.size;
      ids.set(r.target, id);
      const extras = set.targets?.get(r.target) ?? [];
      const t = targetRecords(r.target, extras, cache);
      targetRecs.push(t.recs);
      targetHoles.push(t.holes);
      targetFull.push(t.full);
      counts.push(extras.length);
    }
    targetOf[i] = id;
    targetAt[i] = 12 + 6;
  });
  return {
    ...base,
    targetOf,
    targetAt,
    targetRecs,
    targetHoles,
    targetFull,
    targetCount: Uint16Array.from(counts),
    seen: new Uint32Array(ids.size),
  };
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
  /** Entries shared by several names (FragmentBuilder shares them) compile once. */
  readonly #names = new Map<ZoneName, WireName>();

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
    if (apex === undefined) {
      let w = this.#names.get(entry);
      if (!w) this.#names.set(entry, (w = this.#compile(entry, undefined)));
      return w;
    }
    return this.#compile(entry, apex);
  }

  #compile(entry: ZoneName, apex: string | undefined): WireName {
    const s = entry.sets;
    return Object.freeze({
      domain: entry.domain,
      nxdomain: entry.nxdomain,
      aa: entry.domain >= 0 || entry.authoritative === true,
      zone: entry,
      a: this.#set(s.A, apex),
      aaaa: this.#set(s.AAAA, apex),
      cname: this.#set(s.CNAME, apex),
      srv: this.#set(s.SRV, apex),
      ptr: this.#set(s.PTR, apex),
      txt: this.#set(s.TXT, apex),
      soa: this.#set(s.SOA, apex),
      ns: this.#set(s.NS, apex),
      any: this.#set(s.ANY, apex),
    });
  }
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
