/**
 * X-Forwarded-* / X-Real-Ip / Forwarded / X-Request-Id rules. From a peer outside the
 * `--trusted-proxy` ranges every inbound forwarding header is dropped and written fresh;
 * from a trusted proxy only the headers it is known to write (`--trusted-headers`) are
 * adopted, X-Forwarded-For is appended to, and the client address is the rightmost hop that
 * is not a trusted proxy (nginx's `real_ip_recursive`). A client can never choose the address
 * an application sees. Pure apart from request-id generation.
 */
import { BlockList, isIP } from 'node:net';
import { randomUUID } from 'node:crypto';
import type { RequestHead } from './request-head.js';
import { RouterConfigError } from '../errors.js';

/** What an AWS load balancer (ALB, classic ELB) writes: the default `--trusted-headers`. */
export const ELB_HEADERS: readonly string[] = [
  'x-forwarded-for',
  'x-forwarded-proto',
  'x-forwarded-port',
];

/** A set of CIDR ranges. */
export class TrustedProxies {
  readonly #list = new BlockList();
  readonly empty: boolean;
  readonly ranges: readonly string[];

  /** Parses `a.b.c.d/n` or `x::/n` ranges (a bare address means a single host). */
  constructor(cidrs: readonly string[]) {
    for (const c of cidrs) {
      const [addr = '', bits] = c.split('/');
      const family = isIP(addr);
      if (family === 0) throw new RouterConfigError('trustedProxy', `${c} is not a CIDR range`);
      const max = family === 4 ? 32 : 128;
      const prefix = bits === undefined ? max : Number(bits);
      if (!/^\d+$/.test(bits ?? String(max)) || prefix > max) {
        throw new RouterConfigError('trustedProxy', `${c} has a bad prefix length`);
      }
      this.#list.addSubnet(addr, prefix, family === 4 ? 'ipv4' : 'ipv6');
    }
    this.empty = cidrs.length === 0;
    this.ranges = [...cidrs];
  }

  /** True when `address` (normalised) is inside a range. */
  has(address: string): boolean {
    if (this.empty) return false;
    const family = isIP(address);
    return family !== 0 && this.#list.check(address, family === 4 ? 'ipv4' : 'ipv6');
  }
}

/** `::ffff:1.2.3.4` -> `1.2.3.4`; undefined -> ''. */
export function normalizeAddress(a: string | undefined): string {
  if (a === undefined) return '';
  return a.startsWith('::ffff:') && a.includes('.') ? a.slice(7) : a;
}

/** One X-Forwarded-For entry (`1.2.3.4`, `1.2.3.4:80`, `[::1]:80`, `::1`) as an address. */
export function hopAddress(entry: string): string | undefined {
  let s = entry.trim();
  if (s.charCodeAt(0) === 91 /* [ */) {
    const end = s.indexOf(']');
    if (end < 0 || !/^(:\d{1,5})?$/.test(s.slice(end + 1))) return undefined;
    s = s.slice(1, end);
    if (isIP(s) !== 6) return undefined;
  } else if (s.indexOf(':') === s.lastIndexOf(':') && s.includes('.')) {
    s = s.replace(/:\d{1,5}$/, '');
  }
  return isIP(s) === 0 ? undefined : normalizeAddress(s);
}

/** The headers a trusted proxy may set, and who is trusted. */
export interface ForwardingPolicy {
  readonly trusted: TrustedProxies;
  /** Lower-case names adopted from trusted peers (`--trusted-headers`). */
  readonly adopt: ReadonlySet<string>;
}

/** What the proxy knows about the connection a request came in on. */
export interface ConnectionInfo {
  /** The hop that sent us the request: the PROXY header's source, else the TCP peer. */
  readonly client: string;
  /** Whether `client` is a trusted proxy. */
  readonly trusted: boolean;
  /** The port the client connected to. */
  readonly localPort: number;
}

/**
 * The client address from a trusted proxy's X-Forwarded-For: walking from the right, the
 * first entry outside the trusted ranges; when every entry is trusted, the leftmost; an
 * unparsable entry stops the walk at the last hop vouched for.
 */
export function clientFromChain(xff: string, hop: string, trusted: TrustedProxies): string {
  const entries = xff.split(',');
  let client = hop;
  for (let i = entries.length - 1; i >= 0; i--) {
    const a = hopAddress(entries[i] as string);
    if (a === undefined) break;
    client = a;
    if (!trusted.has(a)) break;
  }
  return client;
}

function forNode(ip: string): string {
  return ip.includes(':') ? `"[${ip}]"` : ip;
}

let lastHost = '';
let lastQuoted = '';

function quoted(v: string): string {
  // hot path: most requests on a router carry one of a few Host values
  if (v === lastHost) return lastQuoted;
  const q = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(v) ? v : `"${v.replace(/["\\]/g, '\\$&')}"`;
  lastHost = v;
  lastQuoted = q;
  return q;
}

// X-Request-Id: a random per-process prefix plus a counter, shaped like a UUID. Unique per
// process and far cheaper than a random UUID per request.
const idPrefix = randomUUID().slice(0, 24);
let idCounter = 0;

/** A new request id (`xxxxxxxx-xxxx-4xxx-yxxx-` + 12 hex digits of a counter). */
export function nextRequestId(): string {
  idCounter++;
  return idPrefix + idCounter.toString(16).padStart(12, '0');
}

const HOST_RE = /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9\-._~!$&'()*+,;=%]+)(?::[0-9]{1,5})?$/;

/** The inbound forwarding headers a trusted peer may set, joined per name. */
function adopted(head: RequestHead, policy: ForwardingPolicy): Map<string, string> | undefined {
  const f = head.forwarding;
  if (f === undefined) return undefined;
  let out: Map<string, string> | undefined;
  for (let i = 0; i < f.length; i += 2) {
    const name = f[i] as string;
    if (!policy.adopt.has(name)) continue;
    out ??= new Map();
    const prev = out.get(name);
    out.set(name, prev === undefined ? (f[i + 1] as string) : `${prev}, ${f[i + 1] as string}`);
  }
  return out;
}

/** The X-Forwarded-*, Forwarded, X-Real-Ip and X-Request-Id lines for one request. */
export function forwardingHeaders(
  head: RequestHead,
  conn: ConnectionInfo,
  policy: ForwardingPolicy,
): string {
  const ip = conn.client;
  const host = head.host;
  const inbound = conn.trusted ? adopted(head, policy) : undefined;
  let xff = ip;
  let realIp = ip;
  let proto = 'http';
  let port = String(conn.localPort);
  let fwdHost = host;
  let extra = '';
  let fwd = `for=${forNode(ip)};proto=`;
  if (inbound !== undefined) {
    for (const [name, v] of inbound) {
      if (name === 'x-forwarded-for') {
        xff = `${v}, ${ip}`;
        realIp = clientFromChain(v, ip, policy.trusted);
      } else if (name === 'x-forwarded-proto') {
        if (/^https?$/i.test(v)) proto = v.toLowerCase();
      } else if (name === 'x-forwarded-port') {
        if (/^\d{1,5}$/.test(v)) port = v;
      } else if (name === 'x-forwarded-host') {
        if (HOST_RE.test(v)) fwdHost = v;
      } else if (name !== 'x-real-ip' && name !== 'forwarded') {
        extra += `${name}: ${v}\r\n`;
      }
    }
    const real = inbound.get('x-real-ip');
    if (real !== undefined && hopAddress(real) !== undefined) realIp = hopAddress(real) as string;
    const f = inbound.get('forwarded');
    if (f !== undefined) fwd = `${f}, ${fwd}`;
  }
  fwd += proto;
  if (fwdHost !== '') fwd += `;host=${quoted(fwdHost)}`;
  let out =
    `X-Forwarded-For: ${xff}\r\nX-Forwarded-Proto: ${proto}\r\nX-Forwarded-Port: ${port}\r\n` +
    `X-Real-Ip: ${realIp}\r\nForwarded: ${fwd}\r\n${extra}`;
  if (fwdHost !== '') out += `X-Forwarded-Host: ${fwdHost}\r\n`;
  if (head.requestId === undefined) out += `X-Request-Id: ${nextRequestId()}\r\n`;
  return out;
}
