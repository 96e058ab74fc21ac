/**
 * X-Forwarded-* / Forwarded / X-Request-Id rules. Inbound forwarding headers are kept only
 * when the TCP peer is inside a `--trusted-proxy` range (the ELB); otherwise they are replaced,
 * so a client can never spoof its address to upstreams. Pure apart from id generation.
 */
import { BlockList, isIP } from 'node:net';
import { randomUUID } from 'node:crypto';
import type { RequestHead } from './request-head.js';
import { RouterConfigError } from './errors.js';

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

/** What the proxy knows about the connection a request came in on. */
export interface ConnectionInfo {
  /** The client address (from the PROXY header when there is one, else the TCP peer). */
  readonly client: string;
  /** Whether the TCP peer is a trusted proxy. */
  readonly trusted: boolean;
  /** The port the client connected to. */
  readonly localPort: number;
}

/** The X-Forwarded-*, Forwarded, X-Real-Ip and X-Request-Id lines for one request. */
export function forwardingHeaders(head: RequestHead, conn: ConnectionInfo): string {
  const ip = conn.client;
  const t = conn.trusted;
  const xff = t && head.xForwardedFor !== undefined ? `${head.xForwardedFor}, ${ip}` : ip;
  const proto = (t && head.xForwardedProto) || 'http';
  const host = (t && head.xForwardedHost) || head.host;
  const port = (t && head.xForwardedPort) || String(conn.localPort);
  const realIp = t && head.xForwardedFor !== undefined ? (xff.split(',')[0] as string).trim() : ip;
  let fwd = `for=${forNode(ip)};proto=${proto}`;
  if (host !== '') fwd += `;host=${quoted(host)}`;
  if (t && head.forwarded !== undefined) fwd = `${head.forwarded}, ${fwd}`;
  let out =
    `X-Forwarded-For: ${xff}\r\nX-Forwarded-Proto: ${proto}\r\nX-Forwarded-Port: ${port}\r\n` +
    `X-Real-Ip: ${realIp}\r\nForwarded: ${fwd}\r\n`;
  if (host !== '') out += `X-Forwarded-Host: ${host}\r\n`;
  if (head.requestId === undefined) out += `X-Request-Id: ${nextRequestId()}\r\n`;
  return out;
}
