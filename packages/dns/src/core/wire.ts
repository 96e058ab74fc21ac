/**
 * DNS wire-format constants and the cold-path encoders used when a table is compiled.
 * Must never be called per query on the hot path: everything here allocates.
 */
import { isIPv4, isIPv6 } from 'node:net';

/** Resource record types berth dns knows by name. */
export const TYPE = {
  A: 1,
  NS: 2,
  CNAME: 5,
  SOA: 6,
  PTR: 12,
  MX: 15,
  TXT: 16,
  AAAA: 28,
  SRV: 33,
  OPT: 41,
  IXFR: 251,
  AXFR: 252,
  ANY: 255,
} as const;

/** Response codes (BADVERS is extended: its upper bits travel in the OPT record). */
export const RCODE = {
  NOERROR: 0,
  FORMERR: 1,
  SERVFAIL: 2,
  NXDOMAIN: 3,
  NOTIMP: 4,
  REFUSED: 5,
  BADVERS: 16,
} as const;

export const CLASS_IN = 1;
export const CLASS_ANY = 255;

/** Largest UDP payload we ever send, whatever the client advertises (RFC 6891 §6.2.5). */
export const MAX_UDP_PAYLOAD = 4096;
/** Largest DNS message over TCP (two-byte length prefix). */
export const MAX_TCP_MESSAGE = 65535;
/** Compression pointers hold 14 bits of offset. */
export const MAX_POINTER = 0x3fff;

const TYPE_NAMES = new Map<number, string>(Object.entries(TYPE).map(([k, v]) => [v, k]));

/** `A`, `SRV`, ... or `TYPE123` for types without a name. */
export function typeName(type: number): string {
  return TYPE_NAMES.get(type) ?? `TYPE${type}`;
}

const RCODE_NAMES = new Map<number, string>(Object.entries(RCODE).map(([k, v]) => [v, k]));

/** `NOERROR`, `NXDOMAIN`, ... or `RCODE12`. */
export function rcodeName(rcode: number): string {
  return RCODE_NAMES.get(rcode) ?? `RCODE${rcode}`;
}

/** True when `label` can travel as one DNS label (1..63 bytes, no dot). */
export function isLabel(label: string): boolean {
  return (
    label.length > 0 && label.length <= 63 && !label.includes('.') && Buffer.byteLength(label) <= 63
  );
}

/** FNV-1a offset basis: the hash of the empty name before the final fold. */
export const NAME_HASH_SEED = 0x811c9dc5 | 0;
/** FNV-1a prime. */
export const NAME_HASH_PRIME = 16777619;

/**
 * The hash berth dns shards its name table by: FNV-1a over the name's characters (lower-case,
 * dots between labels, no trailing dot), folded. parseQuery computes the same value while it
 * lower-cases the question, so a lookup never hashes the string a second time.
 */
export function nameHash(name: string): number {
  let h = NAME_HASH_SEED;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), NAME_HASH_PRIME);
  return h ^ (h >>> 15);
}

/** True when `name` (dotted, no trailing dot) can travel as a DNS name: labels and 255 bytes. */
export function isName(name: string): boolean {
  return name.length > 0 && name.length <= 253 && name.split('.').every(isLabel);
}

/** Encodes a dotted name (no trailing dot needed) as uncompressed labels ending in the root. */
export function nameToWire(name: string): Buffer {
  const n = name.endsWith('.') ? name.length - 1 : name.length;
  if (n === 0) return Buffer.from([0]);
  // Each dot becomes a length byte, plus the first length byte and the root: n + 2 bytes.
  if (n + 2 > 255) throw new RangeError(`name too long: ${name}`);
  const out = Buffer.allocUnsafe(n + 2);
  let pos = 0;
  let start = 0;
  while (start <= n) {
    let end = name.indexOf('.', start);
    if (end < 0 || end > n) end = n;
    const len = end - start;
    if (len === 0 || len > 63) throw new RangeError(`bad label in ${name}`);
    out[pos++] = len;
    // latin1, as the parser reads names: one byte per character.
    for (let i = start; i < end; i++) out[pos++] = name.charCodeAt(i) & 0xff;
    start = end + 1;
  }
  out[pos] = 0;
  return out;
}

/**
 * The 4 bytes of a dotted-quad IPv4 literal as net.isIPv4 accepts it (decimal octets up to
 * 255, no leading zeros), or undefined; parsed by hand since a table build parses every
 * instance's address.
 */
function ipv4Bytes(address: string): Buffer | undefined {
  const n = address.length;
  if (n < 7 || n > 15) return undefined;
  const out = Buffer.allocUnsafe(4);
  let part = 0;
  let i = 0;
  while (part < 4) {
    const start = i;
    let v = 0;
    while (i < n) {
      const c = address.charCodeAt(i);
      if (c < 48 || c > 57) break;
      v = v * 10 + (c - 48);
      i++;
    }
    const len = i - start;
    if (len === 0 || len > 3 || v > 255 || (len > 1 && address.charCodeAt(start) === 48))
      return undefined;
    out[part++] = v;
    if (part < 4) {
      if (address.charCodeAt(i) !== 46) return undefined;
      i++;
    }
  }
  return i === n ? out : undefined;
}

/** The 4 or 16 address bytes of an IPv4 / IPv6 literal, or undefined. */
export function addressBytes(address: string): Buffer | undefined {
  const v4 = ipv4Bytes(address);
  if (v4) return v4;
  if (isIPv4(address)) return Buffer.from(address.split('.').map(Number));
  if (!isIPv6(address)) return undefined;
  const v4tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(address);
  let text = address;
  const tail: number[] = [];
  if (v4tail?.[1]) {
    const b = v4tail[1].split('.').map(Number);
    tail.push(((b[0] ?? 0) << 8) | (b[1] ?? 0), ((b[2] ?? 0) << 8) | (b[3] ?? 0));
    text = address.slice(0, -v4tail[1].length) + '0:0';
  }
  const [head = '', rest] = text.split('::');
  const h = head === '' ? [] : head.split(':');
  const r = rest === undefined || rest === '' ? [] : rest.split(':');
  const groups =
    rest === undefined ? h : [...h, ...Array<string>(8 - h.length - r.length).fill('0'), ...r];
  const out = Buffer.alloc(16);
  groups.forEach((g, i) => out.writeUInt16BE(parseInt(g, 16), i * 2));
  if (tail.length === 2) {
    out.writeUInt16BE(tail[0] ?? 0, 12);
    out.writeUInt16BE(tail[1] ?? 0, 14);
  }
  return out;
}

/** Lower-case hex of an address's bytes: the `<hex>` of `<hex>.addr.<dc>.<domain>`. */
export function addressHex(address: string): string | undefined {
  return addressBytes(address)?.toString('hex');
}

/** The reverse-lookup name of an address: `4.3.2.1.in-addr.arpa` or nibbles `.ip6.arpa`. */
export function reverseName(address: string): string | undefined {
  const bytes = addressBytes(address);
  if (!bytes) return undefined;
  if (bytes.length === 4) return `${[...bytes].reverse().join('.')}.in-addr.arpa`;
  return `${[...bytes.toString('hex')].reverse().join('.')}.ip6.arpa`;
}

/** The text form of 4 or 16 address bytes (IPv6 in full, uncompressed groups). */
export function formatAddress(bytes: Buffer): string {
  if (bytes.length === 4) return [...bytes].join('.');
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(bytes.readUInt16BE(i).toString(16));
  return groups.join(':');
}
