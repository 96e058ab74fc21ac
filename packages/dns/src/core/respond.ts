/**
 * The hot path's small writers: empty and negative replies, the one record built at query
 * time (`<hex>.addr`), and the replies to packets the parser refused (FORMERR, NOTIMP), which
 * carry the question and an OPT when the packet had them. They must never throw on any input
 * and never encode a name per query. Positive answers are written by write-answer.ts.
 */
import type { Query } from './parse-query.js';
import type { DnsTable } from './compile-table.js';
import { CLASS_IN, MAX_UDP_PAYLOAD, RCODE, TYPE } from './wire.js';
import { scanRefused, suffixOffset } from './parse-query.js';

/** Bytes of the OPT record berth dns writes. */
export const OPT_LEN = 11;

/** Flags of a reply beyond the rcode. */
export interface ReplyFlags {
  /** Authoritative answer (names in our domains). */
  readonly aa: boolean;
  /** Recursion available (recursors configured). */
  readonly ra: boolean;
}

export function header(
  out: Buffer,
  msg: Buffer,
  q: Query,
  flags: ReplyFlags,
  tc: boolean,
  rcode: number,
  an: number,
  ns: number,
  ar: number,
): void {
  out[0] = msg[0] as number;
  out[1] = msg[1] as number;
  out[2] = 0x80 | (flags.aa ? 0x04 : 0) | (tc ? 0x02 : 0) | (q.rd ? 0x01 : 0);
  out[3] = (flags.ra ? 0x80 : 0) | (q.cd ? 0x10 : 0) | (rcode & 0x0f);
  out[4] = 0;
  out[5] = 1;
  out[6] = an >> 8;
  out[7] = an & 0xff;
  out[8] = ns >> 8;
  out[9] = ns & 0xff;
  out[10] = ar >> 8;
  out[11] = ar & 0xff;
}

export function opt(out: Buffer, pos: number, q: Query, rcode: number): void {
  out[pos] = 0;
  out[pos + 1] = 0;
  out[pos + 2] = TYPE.OPT;
  out[pos + 3] = MAX_UDP_PAYLOAD >> 8;
  out[pos + 4] = MAX_UDP_PAYLOAD & 0xff;
  out[pos + 5] = rcode >> 4;
  out[pos + 6] = 0;
  out[pos + 7] = q.dnssecOk ? 0x80 : 0;
  out[pos + 8] = 0;
  out[pos + 9] = 0;
  out[pos + 10] = 0;
}

/** A reply with the question and no records: REFUSED, SERVFAIL, BADVERS, empty NOERROR. */
export function writeEmpty(msg: Buffer, q: Query, flags: ReplyFlags, rcode: number): Buffer {
  const qend = q.questionEnd;
  const out = Buffer.allocUnsafe(qend + (q.edns ? OPT_LEN : 0));
  header(out, msg, q, flags, false, rcode, 0, 0, q.edns ? 1 : 0);
  msg.copy(out, 12, 12, qend);
  if (q.edns) opt(out, qend, q, rcode);
  return out;
}

/**
 * The reply to a packet the parser refused with `rcode` (FORMERR, NOTIMP): its ID, opcode
 * and RD; its question when it had exactly one readable; and an OPT when it carried one
 * (RFC 6891: a reply to a query with OPT has one). The caller checked `msg.length >= 12`.
 */
export function writeError(msg: Buffer, rcode: number): Buffer {
  const scan = scanRefused(msg);
  const qlen = scan.questionEnd > 0 ? scan.questionEnd - 12 : 0;
  const withOpt = scan.opt >= 0;
  const out = Buffer.alloc(12 + qlen + (withOpt ? OPT_LEN : 0));
  out[0] = msg[0] as number;
  out[1] = msg[1] as number;
  out[2] = 0x80 | ((msg[2] as number) & 0x79);
  out[3] = rcode & 0x0f;
  out[5] = qlen > 0 ? 1 : 0;
  out[11] = withOpt ? 1 : 0;
  msg.copy(out, 12, 12, 12 + qlen);
  if (withOpt) {
    const pos = 12 + qlen;
    out[pos + 2] = TYPE.OPT;
    out[pos + 3] = MAX_UDP_PAYLOAD >> 8;
    out[pos + 4] = MAX_UDP_PAYLOAD & 0xff;
    out[pos + 7] = scan.opt & 0x80;
  }
  return out;
}

/**
 * NXDOMAIN or NODATA: the question, and the domain's SOA in authority with its pointers
 * aimed at the apex inside the question. `domain` -1 gives no SOA.
 */
export function writeNegative(
  msg: Buffer,
  q: Query,
  table: DnsTable,
  domain: number,
  flags: ReplyFlags,
  rcode: number,
): Buffer {
  const soa = domain >= 0 ? table.soa[domain] : undefined;
  if (!soa) return writeEmpty(msg, q, flags, rcode);
  const qend = q.questionEnd;
  const out = Buffer.allocUnsafe(qend + soa.length + (q.edns ? OPT_LEN : 0));
  header(out, msg, q, flags, false, rcode, 0, 1, q.edns ? 1 : 0);
  msg.copy(out, 12, 12, qend);
  soa.copy(out, qend);
  const apex = suffixOffset(msg, q.labels, table.domainLabels[domain] ?? 1);
  for (const p of table.soaPointers[domain] ?? []) out.writeUInt16BE(0xc000 | apex, qend + p);
  if (q.edns) opt(out, qend + soa.length, q, rcode);
  return out;
}

/** One record built at query time (the `<hex>.addr` form): owner is the question. */
export function writeSingle(
  msg: Buffer,
  q: Query,
  flags: ReplyFlags,
  type: number,
  ttl: number,
  data: Buffer,
): Buffer {
  const qend = q.questionEnd;
  const rr = 12 + data.length;
  const out = Buffer.allocUnsafe(qend + rr + (q.edns ? OPT_LEN : 0));
  header(out, msg, q, flags, false, RCODE.NOERROR, 1, 0, q.edns ? 1 : 0);
  msg.copy(out, 12, 12, qend);
  out.writeUInt16BE(0xc00c, qend);
  out.writeUInt16BE(type, qend + 2);
  out.writeUInt16BE(CLASS_IN, qend + 4);
  out.writeUInt32BE(ttl, qend + 6);
  out.writeUInt16BE(data.length, qend + 10);
  data.copy(out, qend + 12);
  if (q.edns) opt(out, qend + rr, q, RCODE.NOERROR);
  return out;
}
