/**
 * The hot path's writers: they turn a parsed query plus precompiled wire records into a reply
 * by copying bytes, patching the ID and flags, rotating, and cutting to the size limit with
 * the TC bit. They must never encode a name or record per query (except the small fixed
 * shapes below), never throw on any query the parser accepted, and never exceed `limit`.
 */
import type { Query } from './parse-query.js';
import type { DnsTable, WireSet } from './compile-table.js';
import { CLASS_IN, MAX_POINTER, MAX_UDP_PAYLOAD, RCODE, TYPE } from './wire.js';
import { suffixOffset } from './parse-query.js';

const OPT_LEN = 11;

/** Flags of a reply beyond the rcode. */
export interface ReplyFlags {
  /** Authoritative answer (names in our domains). */
  readonly aa: boolean;
  /** Recursion available (recursors configured). */
  readonly ra: boolean;
}

function header(
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

function opt(out: Buffer, pos: number, q: Query, rcode: number): void {
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
 * A bare header echoing the ID, opcode and RD of a packet that could not be parsed
 * (FORMERR, NOTIMP). The caller checked `msg.length >= 12`.
 */
export function writeHeaderOnly(msg: Buffer, rcode: number): Buffer {
  const out = Buffer.alloc(12);
  out[0] = msg[0] as number;
  out[1] = msg[1] as number;
  out[2] = 0x80 | ((msg[2] as number) & 0x79);
  out[3] = rcode & 0x0f;
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

// Scratch for SRV answers: targets in order of first appearance and where their names sit.
let extraIds = new Uint32Array(256);
let extraPos = new Uint32Array(256);

let planExtras = 0;
let planExtraBytes = 0;

/**
 * Chooses the SRV answers and target addresses to send; returns the answer count and leaves
 * the addresses in extraIds / extraPos / planExtras / planExtraBytes. `fill`: every answer is
 * sent and addresses are added while they fit; otherwise each answer comes with its address.
 */
function planSrv(
  set: WireSet,
  start: number,
  want: number,
  base: number,
  qend: number,
  limit: number,
  gen: number,
  fill: boolean,
): number {
  const n = set.count;
  const offs = set.offs;
  const o0 = offs[start] as number;
  const targetOf = set.targetOf as Uint32Array;
  const targetAt = set.targetAt as Uint16Array;
  const targetRr = set.targetRr as readonly Buffer[];
  const targetName = set.targetName as readonly Buffer[];
  const seen = set.seen as Uint32Array;
  const answers = fill ? (offs[start + want] as number) - o0 : 0;
  let extras = 0;
  let extraBytes = 0;
  let i = 0;
  for (; i < want; i++) {
    const at = start + i;
    const idx = at >= n ? at - n : at;
    const end = base + (fill ? answers : (offs[at + 1] as number) - o0) + extraBytes;
    if (end > limit) break;
    const t = targetOf[idx] as number;
    if (seen[t] === gen) continue;
    const rr = (targetRr[t] as Buffer).length;
    if (rr === 0) {
      seen[t] = gen;
      continue;
    }
    const namePos = qend + (offs[at] as number) - o0 + (targetAt[idx] as number);
    const owner = namePos <= MAX_POINTER ? 2 : (targetName[t] as Buffer).length;
    if (end + owner + rr > limit) break;
    seen[t] = gen;
    extraBytes += owner + rr;
    extraIds[extras] = t;
    extraPos[extras] = namePos;
    extras++;
  }
  planExtras = extras;
  planExtraBytes = extraBytes;
  return fill ? want : i;
}

/**
 * A positive answer from a precompiled set: rotated, capped, cut to `limit` bytes (TC set
 * whenever a record is left out), SRV targets' addresses in the additional section.
 */
export function writeAnswer(
  msg: Buffer,
  q: Query,
  set: WireSet,
  flags: ReplyFlags,
  limit: number,
): Buffer {
  const qend = q.questionEnd;
  const optLen = q.edns ? OPT_LEN : 0;
  const base = qend + optLen;
  const n = set.count;
  const want = set.cap;
  const cursor = set.cursor;
  let start = 0;
  if (set.rotate) {
    start = (cursor[0] as number) % n;
    cursor[0] = start + 1;
  }
  const offs = set.offs;
  const o0 = offs[start] as number;
  let k = want;
  let extraBytes = 0;
  let extras = 0;
  const targetOf = set.targetOf;
  if (targetOf === undefined) {
    if (base + (offs[start + k] as number) - o0 > limit) {
      // Binary search for the most records that fit.
      let lo = 0;
      let hi = k;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (base + (offs[start + mid] as number) - o0 <= limit) lo = mid;
        else hi = mid - 1;
      }
      k = lo;
    }
  } else {
    const gen = ((cursor[1] as number) + 1) >>> 0 || 1;
    cursor[1] = gen;
    if (extraIds.length < n) {
      extraIds = new Uint32Array(n);
      extraPos = new Uint32Array(n);
    }
    // First try answer + target address pairs. If that leaves answers out although the
    // answers alone fit, send every answer and as many addresses as fit: the addresses are
    // optional (RFC 2181 §9), the answers are not, and TC then stays clear.
    k = planSrv(set, start, want, base, qend, limit, gen, false);
    if (k < want && base + (offs[start + want] as number) - o0 <= limit) {
      cursor[1] = gen + 1 || 1;
      k = planSrv(set, start, want, base, qend, limit, cursor[1] as number, true);
    }
    extras = planExtras;
    extraBytes = planExtraBytes;
  }
  const tc = k < want;
  const answerBytes = (offs[start + k] as number) - o0;
  const withGlue = !tc && set.glueCount > 0 && base + answerBytes + set.glue.length <= limit;
  const glueBytes = withGlue ? set.glue.length : 0;
  const size = base + answerBytes + extraBytes + glueBytes;
  const out = Buffer.allocUnsafe(size);
  const ar = extras + (withGlue ? set.glueCount : 0) + (q.edns ? 1 : 0);
  header(out, msg, q, flags, tc || (set.glueCount > 0 && !withGlue), RCODE.NOERROR, k, 0, ar);
  msg.copy(out, 12, 12, qend);
  set.rr.copy(out, qend, o0, o0 + answerBytes);
  let pos = qend + answerBytes;
  if (targetOf !== undefined) {
    const targetRr = set.targetRr as readonly Buffer[];
    const targetName = set.targetName as readonly Buffer[];
    for (let e = 0; e < extras; e++) {
      const t = extraIds[e] as number;
      const namePos = extraPos[e] as number;
      if (namePos <= MAX_POINTER) {
        out[pos] = 0xc0 | (namePos >> 8);
        out[pos + 1] = namePos & 0xff;
        pos += 2;
      } else {
        pos += (targetName[t] as Buffer).copy(out, pos);
      }
      pos += (targetRr[t] as Buffer).copy(out, pos);
    }
  }
  if (withGlue) pos += set.glue.copy(out, pos);
  if (q.edns) opt(out, pos, q, RCODE.NOERROR);
  return out;
}
