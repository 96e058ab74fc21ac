import t from 'tap';
import { DROP, parseQuery, RCODE, TYPE, type Query } from '@berth/dns';
import { query } from './decode.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const withHeader = (b2: number, counts: number[], body: Buffer): Buffer => {
  const h = Buffer.alloc(12);
  h.writeUInt16BE(0xabcd, 0);
  h[2] = b2;
  counts.forEach((c, i) => h.writeUInt16BE(c, 4 + 2 * i));
  return Buffer.concat([h, body]);
};

type Want = Partial<Query> | number;

const cases: { name: string; input: Buffer; want: Want }[] = [
  {
    name: 'plain A query, lower-cased name',
    input: query('Web.Service.CONSUL', TYPE.A),
    want: {
      name: 'web.service.consul',
      labels: 3,
      qtype: TYPE.A,
      qclass: 1,
      edns: false,
      udpSize: 512,
      rd: true,
      id: 0x1234,
    },
  },
  { name: 'root name', input: query('', TYPE.NS), want: { name: '', labels: 0, qtype: TYPE.NS } },
  {
    name: 'EDNS0 with a 1232 payload',
    input: query('a.consul', TYPE.SRV, { udpSize: 1232 }),
    want: { edns: true, udpSize: 1232, ednsVersion: 0 },
  },
  {
    name: 'EDNS0 below 512 reads as 512',
    input: query('a.consul', TYPE.A, { udpSize: 100 }),
    want: { udpSize: 512 },
  },
  {
    name: 'EDNS version 1 is parsed (answered BADVERS later)',
    input: query('a.consul', TYPE.A, { udpSize: 4096, version: 1 }),
    want: { ednsVersion: 1 },
  },
  {
    name: 'a label with a literal dot is flagged',
    input: withHeader(0, [1, 0, 0, 0], hex('03 612e62 06 636f6e73756c 00 0001 0001')),
    want: { name: 'a.b.consul', oddLabel: true, labels: 2 },
  },
  { name: 'RD clear', input: query('x.consul', TYPE.A, { rd: false }), want: { rd: false } },
  { name: 'too short for an ID', input: hex('1234 0100 0001'), want: DROP },
  {
    name: 'a response (QR set) is dropped',
    input: withHeader(0x80, [1, 0, 0, 0], hex('00 0001 0001')),
    want: DROP,
  },
  {
    name: 'opcode NOTIFY',
    input: withHeader(4 << 3, [1, 0, 0, 0], hex('00 0001 0001')),
    want: RCODE.NOTIMP,
  },
  { name: 'no question', input: withHeader(0, [0, 0, 0, 0], Buffer.alloc(0)), want: RCODE.FORMERR },
  {
    name: 'two questions',
    input: withHeader(0, [2, 0, 0, 0], hex('00 0001 0001 00 0001 0001')),
    want: RCODE.FORMERR,
  },
  {
    name: 'question truncated in the name',
    input: withHeader(0, [1, 0, 0, 0], hex('05 6162')),
    want: RCODE.FORMERR,
  },
  {
    name: 'question without type/class',
    input: withHeader(0, [1, 0, 0, 0], hex('01 61 00 00')),
    want: RCODE.FORMERR,
  },
  {
    name: 'compression pointer in the question',
    input: withHeader(0, [1, 0, 0, 0], hex('c00c 0001 0001')),
    want: RCODE.FORMERR,
  },
  {
    name: 'label length 64 (extended label type)',
    input: withHeader(
      0,
      [1, 0, 0, 0],
      Buffer.concat([hex('40'), Buffer.alloc(64, 0x61), hex('00 0001 0001')]),
    ),
    want: RCODE.FORMERR,
  },
  {
    name: 'name over 255 bytes',
    input: withHeader(
      0,
      [1, 0, 0, 0],
      Buffer.concat([
        ...Array.from({ length: 5 }, () => Buffer.concat([hex('3f'), Buffer.alloc(63, 0x61)])),
        hex('00 0001 0001'),
      ]),
    ),
    want: RCODE.FORMERR,
  },
  {
    name: 'huge additional count with no records',
    input: withHeader(0, [1, 0, 0, 0xffff], hex('00 0001 0001')),
    want: RCODE.FORMERR,
  },
  {
    name: 'additional record with rdlen past the end',
    input: withHeader(0, [1, 0, 0, 1], hex('00 0001 0001 00 0029 1000 00000000 0010 00')),
    want: RCODE.FORMERR,
  },
  {
    name: 'two OPT records',
    input: withHeader(
      0,
      [1, 0, 0, 2],
      hex('00 0001 0001 00 0029 1000 00000000 0000 00 0029 1000 00000000 0000'),
    ),
    want: RCODE.FORMERR,
  },
  {
    name: 'OPT with a non-root owner',
    input: withHeader(0, [1, 0, 0, 1], hex('00 0001 0001 01 61 00 0029 1000 00000000 0000')),
    want: RCODE.FORMERR,
  },
  {
    name: 'OPT in the answer section',
    input: withHeader(0, [1, 1, 0, 0], hex('00 0001 0001 00 0029 1000 00000000 0000')),
    want: RCODE.FORMERR,
  },
  {
    name: 'a compressed owner in additional is skipped, not followed',
    input: withHeader(0, [1, 0, 0, 1], hex('00 0001 0001 c0ff 0001 0001 00000000 0004 7f000001')),
    want: { edns: false, qtype: 1 },
  },
  {
    name: 'trailing bytes after the records are ignored',
    input: Buffer.concat([query('a.consul', TYPE.A), hex('deadbeef')]),
    want: { name: 'a.consul' },
  },
];

for (const c of cases) {
  t.test(c.name, async (t) => {
    const got = parseQuery(c.input);
    if (typeof c.want === 'number') {
      t.equal(got, c.want);
      return;
    }
    if (typeof got === 'number') {
      t.fail(`parse failed with ${got}`);
      return;
    }
    t.match(got, c.want);
  });
}

t.test('questionEnd points just past type and class', async (t) => {
  const q = query('web.service.consul', TYPE.A, { udpSize: 4096 });
  const got = parseQuery(q);
  t.not(typeof got, 'number');
  if (typeof got !== 'number') t.equal(got.questionEnd, 12 + 20 + 4);
});
