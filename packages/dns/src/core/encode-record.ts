/**
 * Zone records in wire form, with their owner compressed to a pointer at the question
 * (offset 12). Runs when a table is compiled, never per query; everything here allocates.
 */
import type { ZoneRecord } from './zone.js';
import { CLASS_IN, TYPE, addressBytes, nameToWire } from './wire.js';

/** A compression pointer to the question name, where every answer's owner is. */
export const POINTER_TO_QUESTION = 0xc00c;

/** The fixed part of a record whose owner is the question: pointer, type, class, TTL, length. */
export function rrHead(type: number, ttl: number, rdlen: number): Buffer {
  const b = Buffer.alloc(12);
  b.writeUInt16BE(POINTER_TO_QUESTION, 0);
  b.writeUInt16BE(type, 2);
  b.writeUInt16BE(CLASS_IN, 4);
  b.writeUInt32BE(Math.min(ttl >>> 0, 0x7fffffff), 6);
  b.writeUInt16BE(rdlen, 10);
  return b;
}

/** A name in rdata: compressed to the question when it ends with `apex` (the question). */
export function rdataName(name: string, apex: string | undefined): Buffer {
  if (apex !== undefined && name.endsWith(`.${apex}`)) {
    const head = nameToWire(name.slice(0, -apex.length - 1));
    const out = Buffer.alloc(head.length + 1);
    head.copy(out, 0, 0, head.length - 1);
    out.writeUInt16BE(POINTER_TO_QUESTION, head.length - 1);
    return out;
  }
  if (apex !== undefined && name === apex) return Buffer.from([0xc0, 0x0c]);
  return nameToWire(name);
}

/** TXT rdata: the text as UTF-8, in character-strings of at most 255 bytes. */
export function txtData(text: string): Buffer {
  const bytes = Buffer.from(text, 'utf8');
  const parts: Buffer[] = [];
  for (let i = 0; i < bytes.length || i === 0; i += 255) {
    const chunk = bytes.subarray(i, i + 255);
    parts.push(Buffer.from([chunk.length]), chunk);
  }
  return Buffer.concat(parts);
}

/** The rdata of a record. */
function rdata(r: ZoneRecord, apex: string | undefined): Buffer {
  switch (r.type) {
    case 'A':
    case 'AAAA': {
      const bytes = addressBytes(r.address);
      if (!bytes) throw new RangeError(`not an address: ${r.address}`);
      return bytes;
    }
    case 'SRV': {
      // RFC 2782: the target is never compressed.
      const target = nameToWire(r.target);
      const b = Buffer.alloc(6 + target.length);
      b.writeUInt16BE(r.priority, 0);
      b.writeUInt16BE(r.weight, 2);
      b.writeUInt16BE(r.port, 4);
      target.copy(b, 6);
      return b;
    }
    case 'PTR':
    case 'NS':
      return rdataName(r.target, apex);
    case 'CNAME':
      // Never compressed: the query-time chase reads the target straight from the reply.
      return nameToWire(r.target);
    case 'TXT':
      return txtData(r.text);
    case 'SOA': {
      const tail = Buffer.alloc(20);
      [r.serial, r.refresh, r.retry, r.expire, r.minimum].forEach((v, i) =>
        tail.writeUInt32BE(v >>> 0, i * 4),
      );
      return Buffer.concat([rdataName(r.mname, apex), rdataName(r.rname, apex), tail]);
    }
  }
}

const TYPE_CODE = {
  A: TYPE.A,
  AAAA: TYPE.AAAA,
  SRV: TYPE.SRV,
  PTR: TYPE.PTR,
  NS: TYPE.NS,
  SOA: TYPE.SOA,
  CNAME: TYPE.CNAME,
  TXT: TYPE.TXT,
};

/** One record with its owner compressed to the question. */
export function encodeRecord(r: ZoneRecord, apex?: string): Buffer {
  const data = rdata(r, apex);
  return Buffer.concat([rrHead(TYPE_CODE[r.type], r.ttl, data.length), data]);
}

function recordKey(r: ZoneRecord): string | undefined {
  switch (r.type) {
    case 'A':
    case 'AAAA':
      return `${r.type} ${r.ttl} ${r.address}`;
    case 'SRV':
      return `SRV ${r.ttl} ${r.priority} ${r.weight} ${r.port} ${r.target}`;
    case 'PTR':
    case 'NS':
    case 'CNAME':
      return `${r.type} ${r.ttl} ${r.target}`;
    case 'TXT':
      return `TXT ${r.ttl} ${r.text}`;
    case 'SOA':
      return undefined;
  }
}

/** Encoded records by content: thousands of sets repeat the same few records. */
export class RecordCache {
  readonly #map = new Map<string, Buffer>();

  get(r: ZoneRecord, apex: string | undefined): Buffer {
    if (apex !== undefined) return encodeRecord(r, apex);
    const key = recordKey(r);
    if (key === undefined) return encodeRecord(r, apex);
    let b = this.#map.get(key);
    if (!b) {
      b = encodeRecord(r, apex);
      this.#map.set(key, b);
    }
    return b;
  }
}
