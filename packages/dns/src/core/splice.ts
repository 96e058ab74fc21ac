/**
 * Records added to a reply at query time, as Consul adds them: the addresses of a CNAME
 * target after the CNAME, and of SRV targets that are host names in the additional
 * section. Reads a recursor's reply (following compression pointers only backwards, every
 * length checked) and splices records into one of our own replies, within its size limit
 * (TC set when an answer record is left out). Pure; never throws on any input.
 */
import type { DnsTable } from './compile-table.js';
import { CLASS_IN, TYPE, isName, nameToWire } from './wire.js';

/** A record to splice: owner and data with names expanded (no pointers). */
export interface SpliceRecord {
  readonly name: string;
  readonly type: number;
  readonly ttl: number;
  readonly rdata: Buffer;
}

/** Reads the name at `pos`; pointers may only point backwards. */
export function readName(msg: Buffer, pos: number): { name: string; end: number } | undefined {
  const labels: string[] = [];
  let end = -1;
  let limit = pos;
  let total = 0;
  for (let hops = 0; hops < 128; hops++) {
    if (pos >= msg.length) return undefined;
    const l = msg[pos] as number;
    if ((l & 0xc0) === 0xc0) {
      if (pos + 1 >= msg.length) return undefined;
      const target = ((l & 0x3f) << 8) | (msg[pos + 1] as number);
      if (target >= limit) return undefined;
      if (end < 0) end = pos + 2;
      limit = target;
      pos = target;
      continue;
    }
    if (l > 63) return undefined;
    if (l === 0) return { name: labels.join('.').toLowerCase(), end: end < 0 ? pos + 1 : end };
    total += l + 1;
    if (total > 255 || pos + 1 + l > msg.length) return undefined;
    const label = msg.toString('latin1', pos + 1, pos + 1 + l);
    // A dot inside a label cannot be written back as the same name: unreadable here.
    if (label.includes('.')) return undefined;
    labels.push(label);
    pos += l + 1;
  }
  return undefined;
}

/** Where the sections of a message are. */
interface Layout {
  readonly counts: [number, number, number];
  /** Offsets where the answer, authority and additional sections end. */
  readonly ends: [number, number, number];
  /** Offset of the OPT record (the last record), or -1. */
  readonly optAt: number;
}

function layout(
  msg: Buffer,
  visit?: (section: number, at: number, name: string) => void,
): Layout | undefined {
  if (msg.length < 12 || msg.readUInt16BE(4) !== 1) return undefined;
  const q = readName(msg, 12);
  if (!q || q.end + 4 > msg.length) return undefined;
  let pos = q.end + 4;
  const counts: [number, number, number] = [
    msg.readUInt16BE(6),
    msg.readUInt16BE(8),
    msg.readUInt16BE(10),
  ];
  const ends: [number, number, number] = [pos, pos, pos];
  let optAt = -1;
  for (let s = 0; s < 3; s++) {
    for (let i = 0; i < (counts[s] as number); i++) {
      const at = pos;
      const owner = readName(msg, pos);
      if (!owner || owner.end + 10 > msg.length) return undefined;
      const type = msg.readUInt16BE(owner.end);
      const rdlen = msg.readUInt16BE(owner.end + 8);
      pos = owner.end + 10 + rdlen;
      if (pos > msg.length) return undefined;
      if (type === TYPE.OPT) optAt = at;
      else visit?.(s, at, owner.name);
    }
    ends[s] = pos;
  }
  return { counts, ends, optAt };
}

/**
 * The CNAME, A and AAAA records of a recursor's reply's answer section, names expanded.
 * Malformed replies give none.
 */
export function answerRecords(reply: Buffer): SpliceRecord[] {
  const out: SpliceRecord[] = [];
  const ok = layout(reply, (section, at) => {
    if (section !== 0) return;
    const owner = readName(reply, at);
    if (!owner) return;
    const type = reply.readUInt16BE(owner.end);
    const ttl = reply.readUInt32BE(owner.end + 4);
    const rdlen = reply.readUInt16BE(owner.end + 8);
    const rd = owner.end + 10;
    if ((type === TYPE.A && rdlen === 4) || (type === TYPE.AAAA && rdlen === 16)) {
      out.push({ name: owner.name, type, ttl, rdata: Buffer.from(reply.subarray(rd, rd + rdlen)) });
    } else if (type === TYPE.CNAME) {
      const target = readName(reply, rd);
      if (target && target.end === rd + rdlen && target.name !== '' && isName(target.name))
        out.push({ name: owner.name, type, ttl, rdata: nameToWire(target.name) });
    }
  });
  return ok ? out : [];
}

/**
 * What our own reply asks to chase: the target of its first CNAME answer, or the SRV
 * targets of its answers that have no record in its additional section.
 */
export function chaseTargets(reply: Buffer): string[] {
  const srv = new Set<string>();
  const cname: string[] = [];
  const known = new Set<string>();
  layout(reply, (section, at, name) => {
    if (section === 2) {
      known.add(name);
      return;
    }
    if (section !== 0) return;
    const owner = readName(reply, at);
    if (!owner) return;
    const type = reply.readUInt16BE(owner.end);
    const rd = owner.end + 10;
    if (type === TYPE.CNAME && cname.length === 0) {
      const t = readName(reply, rd);
      if (t) cname.push(t.name);
    } else if (type === TYPE.SRV) {
      const t = readName(reply, rd + 6);
      if (t) srv.add(t.name);
    }
  });
  if (cname.length) return cname;
  return [...srv].filter((t) => !known.has(t));
}

/** The TTL of a reply's first answer record (0 when it has none). */
export function firstAnswerTtl(reply: Buffer): number {
  let ttl = 0;
  let found = false;
  layout(reply, (section, at) => {
    if (section !== 0 || found) return;
    const owner = readName(reply, at);
    if (!owner) return;
    ttl = reply.readUInt32BE(owner.end + 4);
    found = true;
  });
  return ttl;
}

function encode(r: SpliceRecord, ttl: number): Buffer {
  const owner = nameToWire(r.name);
  const out = Buffer.alloc(owner.length + 10 + r.rdata.length);
  owner.copy(out, 0);
  let p = owner.length;
  out.writeUInt16BE(r.type, p);
  out.writeUInt16BE(CLASS_IN, p + 2);
  out.writeUInt32BE(ttl >>> 0, p + 4);
  out.writeUInt16BE(r.rdata.length, p + 8);
  p += 10;
  r.rdata.copy(out, p);
  return out;
}

/**
 * `reply` with `records` (given `ttl`, as Consul does) added at the end of the answer section
 * or of the additional section (before the OPT), as many as fit in `limit`. Leaving out an
 * answer record sets TC; additional records are optional. An unreadable reply is returned
 * as it is.
 */
export function spliceRecords(
  reply: Buffer,
  records: readonly SpliceRecord[],
  section: 'answer' | 'additional',
  limit: number,
  ttl: number,
): Buffer {
  const l = layout(reply);
  if (!l || records.length === 0) return reply;
  const at = section === 'answer' ? l.ends[0] : l.optAt >= 0 ? l.optAt : l.ends[2];
  const parts: Buffer[] = [];
  let size = reply.length;
  let cut = false;
  for (const r of records) {
    if (!isName(r.name)) continue;
    const b = encode(r, ttl);
    if (size + b.length > limit) {
      cut = true;
      break;
    }
    parts.push(b);
    size += b.length;
  }
  if (parts.length === 0 && !cut) return reply;
  const out = Buffer.concat([reply.subarray(0, at), ...parts, reply.subarray(at)]);
  const countAt = section === 'answer' ? 6 : 10;
  out.writeUInt16BE(out.readUInt16BE(countAt) + parts.length, countAt);
  if (cut && section === 'answer') out[2] = (out[2] as number) | 0x02;
  return out;
}

/** The A (or AAAA) records of one of our own names, to follow a CNAME into our domain. */
export function tableAddresses(table: DnsTable, name: string, type: number): SpliceRecord[] {
  const entry = table.names.get(name);
  const set = type === TYPE.AAAA ? entry?.aaaa : entry?.a;
  if (!entry || !set || set.chase !== 0 || entry.nxdomain) return [];
  const out: SpliceRecord[] = [];
  for (let i = 0; i < set.count; i++) {
    const rr = set.rr.subarray(set.offs[i], set.offs[i + 1]);
    out.push({ name, type: rr.readUInt16BE(2), ttl: rr.readUInt32BE(6), rdata: rr.subarray(12) });
  }
  return out;
}
