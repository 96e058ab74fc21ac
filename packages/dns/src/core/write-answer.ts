/**
 * Positive answers from a precompiled set: rotated, capped, cut to `limit` bytes (TC set
 * whenever an answer record is left out), SRV targets' records (address, node metadata TXT)
 * in the additional section, glue after them. Bytes are copied and pointers patched; no
 * name or record is encoded per query. Must never throw on a query the parser accepted,
 * and never exceed `limit`.
 */
import type { Query } from './parse-query.js';
import type { WireSet } from './compile-table.js';
import { MAX_POINTER, RCODE } from './wire.js';
import { header, opt, OPT_LEN, type ReplyFlags } from './respond.js';

// Scratch for SRV answers: targets in order of first appearance and where their names sit.
let extraIds = new Uint32Array(256);
let extraPos = new Uint32Array(256);

let planExtras = 0;
let planExtraBytes = 0;
let planExtraRecords = 0;

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
  const targetRecs = set.targetRecs as readonly Buffer[];
  const targetFull = set.targetFull as readonly Buffer[];
  const targetCount = set.targetCount as Uint16Array;
  const seen = set.seen as Uint32Array;
  const answers = fill ? (offs[start + want] as number) - o0 : 0;
  let extras = 0;
  let extraBytes = 0;
  let extraRecords = 0;
  let i = 0;
  for (; i < want; i++) {
    const at = start + i;
    const idx = at >= n ? at - n : at;
    const end = base + (fill ? answers : (offs[at + 1] as number) - o0) + extraBytes;
    if (end > limit) break;
    const t = targetOf[idx] as number;
    if (seen[t] === gen) continue;
    const count = targetCount[t] as number;
    if (count === 0) {
      seen[t] = gen;
      continue;
    }
    const namePos = qend + (offs[at] as number) - o0 + (targetAt[idx] as number);
    const bytes = (namePos <= MAX_POINTER ? (targetRecs[t] as Buffer) : (targetFull[t] as Buffer))
      .length;
    if (end + bytes > limit) break;
    seen[t] = gen;
    extraBytes += bytes;
    extraRecords += count;
    extraIds[extras] = t;
    extraPos[extras] = namePos;
    extras++;
  }
  planExtras = extras;
  planExtraBytes = extraBytes;
  planExtraRecords = extraRecords;
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
  let extraRecords = 0;
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
    extraRecords = planExtraRecords;
  }
  const tc = k < want;
  const answerBytes = (offs[start + k] as number) - o0;
  const withGlue = !tc && set.glueCount > 0 && base + answerBytes + set.glue.length <= limit;
  const glueBytes = withGlue ? set.glue.length : 0;
  const size = base + answerBytes + extraBytes + glueBytes;
  const out = Buffer.allocUnsafe(size);
  const ar = extraRecords + (withGlue ? set.glueCount : 0) + (q.edns ? 1 : 0);
  const glueCut = set.glueCount > 0 && !withGlue && !set.glueOptional;
  header(out, msg, q, flags, tc || glueCut, RCODE.NOERROR, k, 0, ar);
  msg.copy(out, 12, 12, qend);
  set.rr.copy(out, qend, o0, o0 + answerBytes);
  let pos = qend + answerBytes;
  if (targetOf !== undefined) {
    const targetRecs = set.targetRecs as readonly Buffer[];
    const targetHoles = set.targetHoles as readonly (readonly number[])[];
    const targetFull = set.targetFull as readonly Buffer[];
    for (let e = 0; e < extras; e++) {
      const t = extraIds[e] as number;
      const namePos = extraPos[e] as number;
      if (namePos <= MAX_POINTER) {
        const hi = 0xc0 | (namePos >> 8);
        const lo = namePos & 0xff;
        const holes = targetHoles[t] as readonly number[];
        (targetRecs[t] as Buffer).copy(out, pos);
        for (let h = 0; h < holes.length; h++) {
          out[pos + (holes[h] as number)] = hi;
          out[pos + (holes[h] as number) + 1] = lo;
        }
        pos += (targetRecs[t] as Buffer).length;
      } else {
        pos += (targetFull[t] as Buffer).copy(out, pos);
      }
    }
  }
  if (withGlue) pos += set.glue.copy(out, pos);
  if (q.edns) opt(out, pos, q, RCODE.NOERROR);
  return out;
}
