/**
 * A strict DNS message decoder for tests: it follows compression pointers only backwards and
 * only to earlier offsets, checks every length, and fails on trailing bytes, so a reply that
 * decodes here is well formed. Test-only.
 */

export interface DecodedRecord {
  name: string;
  type: number;
  class: number;
  ttl: number;
  /** A/AAAA address; name for NS, CNAME, PTR; quoted strings for TXT; SRV and SOA fields. */
  data: string;
}

export interface Decoded {
  id: number;
  qr: boolean;
  aa: boolean;
  tc: boolean;
  rd: boolean;
  ra: boolean;
  rcode: number;
  opcode: number;
  question: { name: string; type: number; class: number } | undefined;
  answers: DecodedRecord[];
  authority: DecodedRecord[];
  additional: DecodedRecord[];
  /** OPT's UDP size and extended rcode bits, when present. */
  opt: { udpSize: number; extRcode: number; version: number; do: boolean } | undefined;
  size: number;
}

function readName(buf: Buffer, start: number): { name: string; end: number } {
  const labels: string[] = [];
  let pos = start;
  let end = -1;
  let hops = 0;
  let limit = start;
  for (;;) {
    if (pos >= buf.length) throw new Error(`name runs past the end at ${pos}`);
    const l = buf[pos] as number;
    if ((l & 0xc0) === 0xc0) {
      if (pos + 1 >= buf.length) throw new Error('truncated pointer');
      const target = ((l & 0x3f) << 8) | (buf[pos + 1] as number);
      if (target >= limit) throw new Error(`pointer at ${pos} to ${target} is not backwards`);
      if (end < 0) end = pos + 2;
      if (++hops > 64) throw new Error('pointer loop');
      limit = target;
      pos = target;
      continue;
    }
    if (l > 63) throw new Error(`bad label type ${l}`);
    if (l === 0) {
      if (end < 0) end = pos + 1;
      break;
    }
    labels.push(buf.toString('latin1', pos + 1, pos + 1 + l));
    pos += l + 1;
  }
  const name = labels.join('.');
  if (name.length > 253) throw new Error('name too long');
  return { name, end };
}

function ip(bytes: Buffer): string {
  if (bytes.length === 4) return [...bytes].join('.');
  const g: string[] = [];
  for (let i = 0; i < 16; i += 2) g.push(bytes.readUInt16BE(i).toString(16));
  return g.join(':');
}

function readRecord(buf: Buffer, pos: number): { rr: DecodedRecord; end: number } {
  const { name, end: nend } = readName(buf, pos);
  if (nend + 10 > buf.length) throw new Error('record header truncated');
  const type = buf.readUInt16BE(nend);
  const cls = buf.readUInt16BE(nend + 2);
  const ttl = buf.readUInt32BE(nend + 4);
  const rdlen = buf.readUInt16BE(nend + 8);
  const rd = nend + 10;
  const end = rd + rdlen;
  if (end > buf.length) throw new Error('rdata truncated');
  let data: string;
  switch (type) {
    case 1:
    case 28:
      if (rdlen !== (type === 1 ? 4 : 16)) throw new Error('bad address length');
      data = ip(buf.subarray(rd, end));
      break;
    case 2:
    case 5:
    case 12: {
      const n = readName(buf, rd);
      if (n.end !== end) throw new Error('name rdata length mismatch');
      data = n.name;
      break;
    }
    case 33: {
      const t = readName(buf, rd + 6);
      if (t.end !== end) throw new Error('SRV rdata length mismatch');
      if (buf[rd + 6] !== undefined && ((buf[rd + 6] as number) & 0xc0) === 0xc0)
        throw new Error('compressed SRV target');
      data = `${buf.readUInt16BE(rd)} ${buf.readUInt16BE(rd + 2)} ${buf.readUInt16BE(rd + 4)} ${t.name}`;
      break;
    }
    case 6: {
      const m = readName(buf, rd);
      const r = readName(buf, m.end);
      if (r.end + 20 !== end) throw new Error('SOA rdata length mismatch');
      const nums = [0, 4, 8, 12, 16].map((o) => buf.readUInt32BE(r.end + o));
      data = `${m.name} ${r.name} ${nums.join(' ')}`;
      break;
    }
    case 16: {
      const parts: string[] = [];
      for (let p = rd; p < end;) {
        const l = buf[p] as number;
        if (p + 1 + l > end) throw new Error('TXT string past its record');
        parts.push(buf.toString('utf8', p + 1, p + 1 + l));
        p += 1 + l;
      }
      data = parts.map((x) => JSON.stringify(x)).join(' ');
      break;
    }
    default:
      data = buf.subarray(rd, end).toString('hex');
  }
  return { rr: { name, type, class: cls, ttl, data }, end };
}

/** Decodes a whole message; throws on anything malformed. */
export function decode(buf: Buffer): Decoded {
  if (buf.length < 12) throw new Error('short message');
  const qd = buf.readUInt16BE(4);
  const counts = [buf.readUInt16BE(6), buf.readUInt16BE(8), buf.readUInt16BE(10)];
  let pos = 12;
  let question: Decoded['question'];
  if (qd > 1) throw new Error('more than one question');
  if (qd === 1) {
    const n = readName(buf, pos);
    question = { name: n.name, type: buf.readUInt16BE(n.end), class: buf.readUInt16BE(n.end + 2) };
    pos = n.end + 4;
  }
  const sections: DecodedRecord[][] = [[], [], []];
  let opt: Decoded['opt'];
  counts.forEach((count, s) => {
    for (let i = 0; i < count; i++) {
      const { rr, end } = readRecord(buf, pos);
      pos = end;
      if (rr.type === 41) {
        if (s !== 2 || opt) throw new Error('misplaced or duplicate OPT');
        opt = {
          udpSize: rr.class,
          extRcode: rr.ttl >>> 24,
          version: (rr.ttl >>> 16) & 0xff,
          do: (rr.ttl & 0x8000) !== 0,
        };
      } else (sections[s] as DecodedRecord[]).push(rr);
    }
  });
  if (pos !== buf.length) throw new Error(`${buf.length - pos} trailing bytes`);
  const b2 = buf[2] as number;
  const b3 = buf[3] as number;
  return {
    id: buf.readUInt16BE(0),
    qr: (b2 & 0x80) !== 0,
    opcode: (b2 >> 3) & 0x0f,
    aa: (b2 & 0x04) !== 0,
    tc: (b2 & 0x02) !== 0,
    rd: (b2 & 0x01) !== 0,
    ra: (b3 & 0x80) !== 0,
    rcode: (b3 & 0x0f) | ((opt?.extRcode ?? 0) << 4),
    question,
    answers: sections[0] as DecodedRecord[],
    authority: sections[1] as DecodedRecord[],
    additional: sections[2] as DecodedRecord[],
    opt,
    size: buf.length,
  };
}

/** Encodes a query: name, type, optional EDNS UDP size, id. */
export function query(
  name: string,
  type: number,
  opts: { id?: number; udpSize?: number; rd?: boolean; version?: number; qclass?: number } = {},
): Buffer {
  const labels = name === '' ? [] : name.replace(/\.$/, '').split('.');
  const parts: Buffer[] = [];
  const head = Buffer.alloc(12);
  head.writeUInt16BE(opts.id ?? 0x1234, 0);
  head[2] = opts.rd === false ? 0 : 1;
  head.writeUInt16BE(1, 4);
  head.writeUInt16BE(opts.udpSize !== undefined ? 1 : 0, 10);
  parts.push(head);
  for (const l of labels) parts.push(Buffer.from([l.length]), Buffer.from(l, 'latin1'));
  const tail = Buffer.alloc(5);
  tail.writeUInt16BE(type, 1);
  tail.writeUInt16BE(opts.qclass ?? 1, 3);
  parts.push(tail);
  if (opts.udpSize !== undefined) {
    const o = Buffer.alloc(11);
    o.writeUInt16BE(41, 1);
    o.writeUInt16BE(opts.udpSize, 3);
    o[6] = opts.version ?? 0;
    parts.push(o);
  }
  return Buffer.concat(parts);
}
