/**
 * Decides the reply to one parsed query from the current table: a positive answer, a
 * negative one with the SOA, REFUSED, or "forward" for names outside our domains when
 * recursors are configured. Reverse names (`in-addr.arpa`, `ip6.arpa`) we do not know go to
 * the recursors too, and without any get SERVFAIL, as Consul answers them. Pure and
 * synchronous; it must never wait on Consul or a socket.
 */
import type { DnsTable, WireName, WireSet } from './compile-table.js';
import type { Query } from './parse-query.js';
import type { ReplyFlags } from './respond.js';
import { writeAnswer, writeEmpty, writeNegative, writeSingle } from './respond.js';
import { CLASS_ANY, CLASS_IN, RCODE, TYPE } from './wire.js';

/** Returned by `resolve` when the query must go to the recursors. */
export const FORWARD = Symbol('forward');

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

/** `<hex>.addr[.<dc>].<domain>` built at query time for addresses not in the table. */
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
  const ok =
    (inner.length === 2 && inner[1] === 'addr') ||
    (inner.length === 3 && inner[1] === 'addr' && inner[2] === table.datacenter);
  const hex = inner[0] ?? '';
  if (!ok || !HEX.test(hex) || (hex.length !== 8 && hex.length !== 32)) return undefined;
  const type = hex.length === 8 ? TYPE.A : TYPE.AAAA;
  if (q.qtype !== type && q.qtype !== TYPE.ANY) {
    return writeNegative(msg, q, table, domain, flags, RCODE.NOERROR);
  }
  return writeSingle(msg, q, flags, type, table.nodeTtl, Buffer.from(hex, 'hex'));
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
): Buffer | typeof FORWARD {
  const auth = forwarding ? AUTH_RA : AUTH;
  const noauth = forwarding ? NOAUTH_RA : NOAUTH;
  if (q.ednsVersion > 0) return writeEmpty(msg, q, noauth, RCODE.BADVERS);
  const qtype = q.qtype;
  if (qtype === TYPE.OPT) return writeEmpty(msg, q, noauth, RCODE.FORMERR);
  if (q.qclass !== CLASS_IN && q.qclass !== CLASS_ANY)
    return writeEmpty(msg, q, noauth, RCODE.REFUSED);

  if (table !== undefined && !q.oddLabel) {
    const entry = table.names.get(q.name, q.hash);
    if (entry !== undefined) {
      const flags = entry.domain >= 0 ? auth : noauth;
      const set = setFor(entry, qtype);
      if (set !== undefined && !entry.nxdomain) return writeAnswer(msg, q, set, flags, limit);
      if (qtype === TYPE.AXFR || qtype === TYPE.IXFR)
        return writeEmpty(msg, q, noauth, RCODE.REFUSED);
      return writeNegative(
        msg,
        q,
        table,
        entry.domain,
        flags,
        entry.nxdomain ? RCODE.NXDOMAIN : RCODE.NOERROR,
      );
    }
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
  if (!q.oddLabel) {
    const addr = addrAnswer(msg, q, table, domain, auth);
    if (addr) return addr;
  }
  return writeNegative(msg, q, table, domain, auth, RCODE.NXDOMAIN);
}
