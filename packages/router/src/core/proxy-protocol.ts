/**
 * PROXY protocol v1 (text) and v2 (binary) header parsing for connections from a load
 * balancer (AWS NLB/ELB). Pure: it reads bytes and returns the client address; it must never
 * accept a header longer than the spec allows or an address that is not one. Whether the
 * peer may send a PROXY header at all (only trusted proxies) is the caller's decision.
 */
import { isIP } from 'node:net';
import { ProxyProtocolError } from '../errors.js';

/** The outcome of a complete PROXY header. */
export interface ProxyHeader {
  /** Bytes the header used. */
  readonly length: number;
  /** The original client address, or undefined for LOCAL / UNKNOWN. */
  readonly source: string | undefined;
  readonly sourcePort: number | undefined;
}

const V2_SIG = Buffer.from([
  0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a,
]);
const V1_PREFIX = Buffer.from('PROXY ');
const V1_MAX = 107;
const V2_MAX = 16 + 2048;

function ipv6(b: Buffer, off: number): string {
  const parts: string[] = [];
  for (let i = 0; i < 16; i += 2) parts.push(b.readUInt16BE(off + i).toString(16));
  // the URL parser prints IPv6 in canonical (RFC 5952) form
  return new URL(`http://[${parts.join(':')}]/`).hostname.slice(1, -1);
}

function parseV1(buf: Buffer): ProxyHeader | undefined {
  const end = buf.indexOf('\r\n');
  if (end < 0) {
    if (buf.length >= V1_MAX) throw new ProxyProtocolError('PROXY v1 line too long');
    return undefined;
  }
  if (end + 2 > V1_MAX) throw new ProxyProtocolError('PROXY v1 line too long');
  const parts = buf.toString('latin1', 0, end).split(' ');
  if (parts[1] === 'UNKNOWN') return { length: end + 2, source: undefined, sourcePort: undefined };
  const [, fam, src, , sport, dport] = parts;
  if (parts.length !== 6 || (fam !== 'TCP4' && fam !== 'TCP6')) {
    throw new ProxyProtocolError('malformed PROXY v1 line');
  }
  const family = fam === 'TCP4' ? 4 : 6;
  const port = (p: string | undefined) => /^\d{1,5}$/.test(p ?? '') && Number(p) <= 65535;
  if (
    isIP(src ?? '') !== family ||
    isIP(parts[3] ?? '') !== family ||
    !port(sport) ||
    !port(dport)
  ) {
    throw new ProxyProtocolError('malformed PROXY v1 addresses');
  }
  return { length: end + 2, source: src, sourcePort: Number(sport) };
}

function parseV2(buf: Buffer): ProxyHeader | undefined {
  if (buf.length < 16) return undefined;
  const verCmd = buf[12] as number;
  if (verCmd >> 4 !== 2) throw new ProxyProtocolError('PROXY v2 bad version');
  const fam = buf[13] as number;
  const len = buf.readUInt16BE(14);
  if (16 + len > V2_MAX) throw new ProxyProtocolError('PROXY v2 header too long');
  if (buf.length < 16 + len) return undefined;
  const total = 16 + len;
  const cmd = verCmd & 0x0f;
  if (cmd === 0) return { length: total, source: undefined, sourcePort: undefined };
  if (cmd !== 1) throw new ProxyProtocolError('PROXY v2 bad command');
  const transport = fam & 0x0f;
  if (transport !== 1 && fam >> 4 !== 0) throw new ProxyProtocolError('PROXY v2 is not TCP');
  if (fam >> 4 === 1) {
    if (len < 12) throw new ProxyProtocolError('PROXY v2 address block too short');
    const src = `${buf[16]}.${buf[17]}.${buf[18]}.${buf[19]}`;
    return { length: total, source: src, sourcePort: buf.readUInt16BE(24) };
  }
  if (fam >> 4 === 2) {
    if (len < 36) throw new ProxyProtocolError('PROXY v2 address block too short');
    return { length: total, source: ipv6(buf, 16), sourcePort: buf.readUInt16BE(48) };
  }
  if (fam >> 4 !== 0) throw new ProxyProtocolError('PROXY v2 unsupported address family');
  return { length: total, source: undefined, sourcePort: undefined };
}

/**
 * Parses a PROXY header at the start of `buf`. Returns undefined when more bytes are needed;
 * throws {@link ProxyProtocolError} when the bytes are not a PROXY header.
 */
export function parseProxyHeader(buf: Buffer): ProxyHeader | undefined {
  const n = Math.min(buf.length, 12);
  if (buf.compare(V2_SIG, 0, n, 0, n) === 0) return n < 12 ? undefined : parseV2(buf);
  const m = Math.min(buf.length, 6);
  if (buf.compare(V1_PREFIX, 0, m, 0, m) === 0) return m < 6 ? undefined : parseV1(buf);
  throw new ProxyProtocolError('connection does not start with a PROXY header');
}
