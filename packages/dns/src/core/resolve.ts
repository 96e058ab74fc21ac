/**
 * Decides the reply to one parsed query from the current table: a positive answer, a
 * negative one with the SOA, REFUSED, "forward" for names outside our domains when
 * recursors are configured, or a reply whose host names the caller may chase (a CNAME to a
 * host name, SRV targets that are host names). Reverse names (`in-addr.arpa`, `ip6.arpa`)
 * we do not know go to the recursors too, and without any get SERVFAIL, as Consul answers
 * them. Pure and synchronous; it must never wait on Consul or a socket.
 */
import type { DnsTable, WireName, WireSet } from './compile-table.js';
import type { Query } from './parse-query.js';
import type { ReplyFlags } from './respond.js';
import { writeEmpty, writeNegative, writeSingle } from './respond.js';
import { writeAnswer } from './write-answer.js';
import { CLASS_ANY, CLASS_IN, RCODE, TYPE } from './wire.js';

/** Returned by `resolve` when the query must go to the recursors. */
export const FORWARD = Symbol('forward');

/** A complete reply whose host names the caller may turn into addresses (WireSet.chase). */
export class Chase {
  constructor(
    readonly reply: Buffer,
    /** CHASE_ANSWER or CHASE_ADDITIONAL. */
    readonly kind: number,
  ) {}
}

const AUTH: ReplyFlags = { aa: true, ra: false };
const AUTH_RA: ReplyFlags = { aa: true, ra: true };
const NOAUTH: ReplyFlags = { aa: false, ra: false };
const NOAUTH_RA: ReplyFlags = { aa: false, ra: true };

function setFor(entry: WireName, qtype: number): WireSet | undefined {
  switch (qtype) {
    case TYPE.A:
      return entry.a;
    case TYPE.AAAA:
      return entry.aaaa;
    case TYPE.CNAME:
      return entry.cname;
    case TYPE.TXT:
      return entry.txt;
    case TYPE.SRV:
      return entry.srv;
    case TYPE.ANY:
      return entry.any;
    case TYPE.PTR:
      return entry.ptr;
    case TYPE.SOA:
      return entry.soa;
    case TYPE.NS:
      return entry.ns;
    default:
      return undefined;
  }
}

/** Index of the domain `name` lies in (or equals), or -1. */
export function domainOf(table: DnsTable, name: string): number {
  const d = table.domains;
  for (let i = 0; i < d.length; i++) {
    if (name === d[i] || name.endsWith(table.suffixes[i] as string)) return i;
  }
  return -1;
}

const HEX = /^[0-9a-f]+$/;

/** True for `in-addr.arpa`, `ip6.arpa` and names under them. */
export function isReverseName(name: string): boolean {
  return (
    name.endsWith('.in-addr.arpa') ||
    name.endsWith('.ip6.arpa') ||
    name === 'in-addr.arpa' ||
    name === 'ip6.arpa'
  );
}

/**
 * `<hex>.addr[.<anything>].<domain>` built at query time for addresses not in the table:
 * like Consul, whatever follows `addr` (a datacenter, ours or not) is ignored.
 */
function addrAnswer(
  msg: Buffer,
  q: Query,
  table: DnsTable,
  domain: number,
  flags: ReplyFlags,
): Buffer | undefined {
  const apexLabels = table.domainLabels[domain] ?? 1;
  const labels = q.name.split('.');
  const inner = labels.slice(0, labels.length - apexLabels);
  const hex = inner[0] ?? '';
  if (
    inner.length < 2 ||
    inner[1] !== 'addr' ||
    !HEX.test(hex) ||
    (hex.length !== 8 && hex.length !== 32)
  )
    return undefined;
  const type = hex.length === 8 ? TYPE.A : TYPE.AAAA;
  if (q.qtype !== type && q.qtype !== TYPE.ANY) {
    return writeNegative(msg, q, table, domain, flags, RCODE.NOERROR);
  }
  return writeSingle(msg, q, flags, type, table.nodeTtl, Buffer.from(hex, 'hex'));
}

/**
 * The reply to `q` from the compiled answers of its name (`entry`): the records of the type
 * asked, else NODATA (or NXDOMAIN for an `nxdomain` entry) with the SOA of `entry.domain`.
 * Used for the table's names and for prepared query answers alike.
 */
export function answerName(
  table: DnsTable,
  entry: WireName,
  q: Query,
  msg: Buffer,
  limit: number,
  forwarding: boolean,
): Buffer | Chase {
  const noauth = forwarding ? NOAUTH_RA : NOAUTH;
  const flags = entry.aa ? (forwarding ? AUTH_RA : AUTH) : noauth;
  const set = setFor(entry, q.qtype);
  if (set !== undefined && !entry.nxdomain) {
    const out = writeAnswer(msg, q, set, flags, limit);
    return set.chase === 0 ? out : new Chase(out, set.chase);
  }
  if (q.qtype === TYPE.AXFR || q.qtype === TYPE.IXFR)
    return writeEmpty(msg, q, noauth, RCODE.REFUSED);
  const rcode = entry.nxdomain ? RCODE.NXDOMAIN : RCODE.NOERROR;
  return writeNegative(msg, q, table, entry.domain, flags, rcode);
}

/**
 * The reply to `q` (bytes of `msg`), at most `limit` bytes, or FORWARD. `table` is
 * undefined until the first snapshot arrives: names in our domains then get SERVFAIL.
 */
export function resolve(
  table: DnsTable | undefined,
  domains: readonly string[],
  q: Query,
  msg: Buffer,
  limit: number,
  forwarding: boolean,
): Buffer | typeof FORWARD | Chase {
  const auth = forwarding ? AUTH_RA : AUTH;
  const noauth = forwarding ? NOAUTH_RA : NOAUTH;
  if (q.ednsVersion > 0) return writeEmpty(msg, q, noauth, RCODE.BADVERS);
  const qtype = q.qtype;
  if (qtype === TYPE.OPT) return writeEmpty(msg, q, noauth, RCODE.FORMERR);
  if (q.qclass !== CLASS_IN && q.qclass !== CLASS_ANY)
    return writeEmpty(msg, q, noauth, RCODE.REFUSED);

  if (table !== undefined && !q.oddLabel) {
    const entry = table.names.get(q.name, q.hash);
    if (entry !== undefined) return answerName(table, entry, q, msg, limit, forwarding);
  }

  let domain = -1;
  if (table !== undefined) domain = domainOf(table, q.name);
  else {
    for (let i = 0; i < domains.length && domain < 0; i++) {
      const d = domains[i] as string;
      if (q.name === d || q.name.endsWith(`.${d}`)) domain = i;
    }
  }
  if (domain < 0) {
    if (forwarding) return FORWARD;
    // Consul handles every reverse name itself: a known address gets its PTR, an unknown
    // one goes to the recursors, and with none the (empty) list of recursors has failed.
    if (isReverseName(q.name)) return writeEmpty(msg, q, noauth, RCODE.SERVFAIL);
    return writeEmpty(msg, q, noauth, RCODE.REFUSED);
  }
  if (table === undefined) return writeEmpty(msg, q, noauth, RCODE.SERVFAIL);
  if (qtype === TYPE.AXFR || qtype === TYPE.IXFR) return writeEmpty(msg, q, noauth, RCODE.REFUSED);
  if (!q.oddLabel && q.name.includes('.addr.')) {
    const addr = addrAnswer(msg, q, table, domain, auth);
    if (addr) return addr;
  }
  return writeNegative(msg, q, table, domain, auth, RCODE.NXDOMAIN);
}
