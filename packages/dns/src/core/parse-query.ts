/**
 * The hot-path query parser: header, the one question (lower-cased), and the OPT record.
 * It validates every length it reads against the packet and never follows a compression
 * pointer, so no input can make it loop, throw or read out of bounds. It must never allocate
 * more than the name string and the returned object.
 */
import { NAME_HASH_PRIME, NAME_HASH_SEED, RCODE, TYPE } from './wire.js';

/** Returned instead of a query when the packet must be dropped without an answer. */
export const DROP = -1;

/** What a query asks, as parsed from the wire. */
export interface Query {
  /** Message ID (bytes 0-1 are copied from the packet into the answer). */
  readonly id: number;
  /** Recursion desired. */
  readonly rd: boolean;
  /** Checking disabled (copied to the answer, RFC 6840 §5.9). */
  readonly cd: boolean;
  /** The question name, lower-case ASCII, without the trailing dot ('' for the root). */
  readonly name: string;
  /** nameHash(name), computed while the name was read. */
  readonly hash: number;
  /** True when a label holds a literal dot: such a name can match nothing we serve. */
  readonly oddLabel: boolean;
  /** Number of labels in the name. */
  readonly labels: number;
  readonly qtype: number;
  readonly qclass: number;
  /** Offset just past the question (the question is bytes 12..questionEnd). */
  readonly questionEnd: number;
  /** True when an OPT record was present (EDNS0). */
  readonly edns: boolean;
  /** The client's UDP payload size (512 without EDNS). */
  readonly udpSize: number;
  /** The EDNS version asked (0 without EDNS). */
  readonly ednsVersion: number;
  /** The DNSSEC OK bit from OPT. */
  readonly dnssecOk: boolean;
}

const scratch = Buffer.alloc(512);

/**
 * Parses a query. Returns the query, or an rcode (FORMERR, NOTIMP) to answer with a bare
 * header, or DROP when no answer must be sent (too short to carry an ID, or not a query).
 */
export function parseQuery(msg: Buffer): Query | number {
  const len = msg.length;
  if (len < 12) return DROP;
  const b2 = msg[2] as number;
  // A response (QR=1) is never answered: answering would let two servers ping-pong forever.
  if (b2 & 0x80) return DROP;
  if (((b2 >> 3) & 0x0f) !== 0) return RCODE.NOTIMP;
  if (msg.readUInt16BE(4) !== 1) return RCODE.FORMERR;

  let pos = 12;
  let out = 0;
  let total = 1;
  let labels = 0;
  let oddLabel = false;
  let h = NAME_HASH_SEED;
  for (;;) {
    if (pos >= len) return RCODE.FORMERR;
    const l = msg[pos] as number;
    if (l === 0) {
      pos++;
      break;
    }
    // 0xc0 pointers and the 0x40/0x80 extended label types have no place in a question.
    if (l > 63) return RCODE.FORMERR;
    const end = pos + 1 + l;
    if (end > len) return RCODE.FORMERR;
    total += l + 1;
    if (total > 255) return RCODE.FORMERR;
    if (out > 0) {
      scratch[out++] = 0x2e;
      h = Math.imul(h ^ 0x2e, NAME_HASH_PRIME);
    }
    for (let i = pos + 1; i < end; i++) {
      let c = msg[i] as number;
      if (c >= 0x41 && c <= 0x5a) c |= 0x20;
      else if (c === 0x2e) oddLabel = true;
      scratch[out++] = c;
      h = Math.imul(h ^ c, NAME_HASH_PRIME);
    }
    labels++;
    pos = end;
  }
  if (pos + 4 > len) return RCODE.FORMERR;
  const qtype = msg.readUInt16BE(pos);
  const qclass = msg.readUInt16BE(pos + 2);
  pos += 4;
  const questionEnd = pos;

  const an = msg.readUInt16BE(6);
  const ns = msg.readUInt16BE(8);
  const ar = msg.readUInt16BE(10);
  const records = an + ns + ar;
  let edns = false;
  let udpSize = 512;
  let ednsVersion = 0;
  let dnssecOk = false;
  // Each record takes at least 11 bytes, so a huge count runs out of packet quickly.
  for (let i = 0; i < records; i++) {
    const owner = pos;
    for (;;) {
      if (pos >= len) return RCODE.FORMERR;
      const l = msg[pos] as number;
      if (l === 0) {
        pos++;
        break;
      }
      if ((l & 0xc0) === 0xc0) {
        pos += 2;
        break;
      }
      if (l > 63) return RCODE.FORMERR;
      pos += l + 1;
    }
    if (pos + 10 > len) return RCODE.FORMERR;
    const type = msg.readUInt16BE(pos);
    const rdlen = msg.readUInt16BE(pos + 8);
    if (pos + 10 + rdlen > len) return RCODE.FORMERR;
    if (type === TYPE.OPT) {
      // RFC 6891 §6.1.1: one OPT, owned by the root, in the additional section only.
      if (edns || i < an + ns || pos !== owner + 1) return RCODE.FORMERR;
      edns = true;
      const size = msg.readUInt16BE(pos + 2);
      udpSize = size < 512 ? 512 : size;
      ednsVersion = msg[pos + 5] as number;
      dnssecOk = ((msg[pos + 6] as number) & 0x80) !== 0;
    }
    pos += 10 + rdlen;
  }
  return {
    id: msg.readUInt16BE(0),
    rd: (b2 & 0x01) !== 0,
    cd: ((msg[3] as number) & 0x10) !== 0,
    name: out === 0 ? '' : scratch.toString('latin1', 0, out),
    hash: h ^ (h >>> 15),
    oddLabel,
    labels,
    qtype,
    qclass,
    questionEnd,
    edns,
    udpSize,
    ednsVersion,
    dnssecOk,
  };
}

/**
 * Offset in `msg` of the question-name suffix made of its last `count` labels (the zone apex
 * a negative answer's SOA points to). Only called on the already-validated question.
 */
export function suffixOffset(msg: Buffer, labels: number, count: number): number {
  let pos = 12;
  for (let skip = labels - count; skip > 0; skip--) pos += (msg[pos] as number) + 1;
  return pos;
}

/** What scanRefused found. */
export interface RefusedScan {
  /** End of the question when the packet has exactly one readable question, else 0. */
  readonly questionEnd: number;
  /** The DO flag byte of the first OPT record (0x80 or 0), or -1 when there is none. */
  readonly opt: number;
}

/**
 * Skips a name at `pos`; returns the offset after it, or -1. A pointer ends the name, or
 * fails it when `plain` (a question to echo must not point into the rest of the packet).
 */
function skipName(msg: Buffer, pos: number, plain = false): number {
  for (let labels = 0; labels < 128; labels++) {
    if (pos >= msg.length) return -1;
    const l = msg[pos] as number;
    if (l === 0) return pos + 1;
    if ((l & 0xc0) === 0xc0) return !plain && pos + 2 <= msg.length ? pos + 2 : -1;
    if (l > 63) return -1;
    pos += l + 1;
  }
  return -1;
}

/**
 * A lenient look at a packet parseQuery refused: where its one question ends and whether it
 * carries an OPT, so the error reply can echo both. Never throws; gives up at the first
 * unreadable byte.
 */
export function scanRefused(msg: Buffer): RefusedScan {
  const len = msg.length;
  if (len < 12) return { questionEnd: 0, opt: -1 };
  const qd = msg.readUInt16BE(4);
  let pos = 12;
  let questionEnd = 0;
  if (qd === 1) {
    const end = skipName(msg, 12, true);
    if (end > 0 && end + 4 <= len && end - 12 <= 255) questionEnd = end + 4;
  }
  for (let i = 0; i < qd; i++) {
    pos = skipName(msg, pos);
    if (pos < 0 || pos + 4 > len) return { questionEnd: 0, opt: -1 };
    pos += 4;
  }
  const an = msg.readUInt16BE(6);
  const records = an + msg.readUInt16BE(8) + msg.readUInt16BE(10);
  for (let i = 0; i < records; i++) {
    const owner = pos;
    pos = skipName(msg, pos);
    if (pos < 0 || pos + 10 > len) break;
    const type = msg.readUInt16BE(pos);
    const rdlen = msg.readUInt16BE(pos + 8);
    if (pos + 10 + rdlen > len) break;
    if (type === TYPE.OPT && pos === owner + 1)
      return { questionEnd, opt: (msg[pos + 6] as number) & 0x80 };
    pos += 10 + rdlen;
  }
  return { questionEnd, opt: -1 };
}
