/**
 * Splicing records into replies (pure): a recursor's compressed CNAME chain is read back with
 * names expanded, records added within the size limit (TC when an answer is left out), and
 * no input makes any of it throw.
 */
import t from 'tap';
import { TYPE, answerRecords, chaseTargets, nameToWire, readName, spliceRecords } from '@berth/dns';
import { decode, query } from './decode.js';

/** A reply: the question, then CNAME www.example.com -> cdn.example.net, and its A, compressed. */
function upstreamReply(): Buffer {
  const q = query('www.example.com', TYPE.A, { id: 5 });
  const head = Buffer.from(q);
  head[2] = 0x81;
  head[3] = 0x80;
  head.writeUInt16BE(2, 6);
  const cnameTarget = Buffer.concat([
    Buffer.from([3]),
    Buffer.from('cdn'),
    Buffer.from([7]),
    Buffer.from('example'),
    Buffer.from([3]),
    Buffer.from('net'),
    Buffer.from([0]),
  ]);
  const rr1 = Buffer.alloc(12);
  rr1.writeUInt16BE(0xc00c, 0);
  rr1.writeUInt16BE(TYPE.CNAME, 2);
  rr1.writeUInt16BE(1, 4);
  rr1.writeUInt32BE(300, 6);
  rr1.writeUInt16BE(cnameTarget.length, 10);
  const targetAt = head.length + 12;
  const rr2 = Buffer.alloc(16);
  rr2.writeUInt16BE(0xc000 | targetAt, 0);
  rr2.writeUInt16BE(TYPE.A, 2);
  rr2.writeUInt16BE(1, 4);
  rr2.writeUInt32BE(60, 6);
  rr2.writeUInt16BE(4, 10);
  Buffer.from([127, 0, 0, 42]).copy(rr2, 12);
  return Buffer.concat([head, rr1, cnameTarget, rr2]);
}

t.test('answerRecords expands compressed names', async (t) => {
  const recs = answerRecords(upstreamReply());
  t.strictSame(
    recs.map((r) => [r.name, r.type, r.ttl]),
    [
      ['www.example.com', TYPE.CNAME, 300],
      ['cdn.example.net', TYPE.A, 60],
    ],
  );
  t.strictSame(recs[0]?.rdata, nameToWire('cdn.example.net'), 'CNAME target without pointers');
});

t.test('spliceRecords: answer records within the limit, TC when cut', async (t) => {
  const ours = Buffer.from(query('ext.service.consul', TYPE.A, { id: 9 }));
  ours[2] = 0x85;
  const recs = answerRecords(upstreamReply());
  const all = decode(spliceRecords(ours, recs, 'answer', 512, 7));
  t.strictSame(
    all.answers.map((a) => `${a.name} ${a.ttl} ${a.data}`),
    ['www.example.com 7 cdn.example.net', 'cdn.example.net 7 127.0.0.42'],
    'added with the given TTL',
  );
  t.equal(all.tc, false);
  const cut = decode(spliceRecords(ours, recs, 'answer', ours.length + 50, 7));
  t.equal(cut.answers.length, 1);
  t.equal(cut.tc, true, 'TC when an answer record is left out');
  const extra = decode(spliceRecords(ours, recs, 'additional', ours.length + 50, 7));
  t.equal(extra.additional.length, 1);
  t.equal(extra.tc, false, 'additional records are optional');
});

t.test('chaseTargets reads CNAME and SRV targets', async (t) => {
  const reply = Buffer.from(query('ext.service.consul', TYPE.A, { id: 9 }));
  reply[2] = 0x85;
  const cname = spliceRecords(
    reply,
    [{ name: 'ext.service.consul', type: TYPE.CNAME, ttl: 0, rdata: nameToWire('a.example.com') }],
    'answer',
    512,
    0,
  );
  t.strictSame(chaseTargets(cname), ['a.example.com']);
});

t.test('no input makes the readers throw', async (t) => {
  let a = 12345;
  const rnd = (): number => {
    a = (Math.imul(a, 1103515245) + 12345) >>> 0;
    return a / 4294967296;
  };
  const base = upstreamReply();
  let thrown = 0;
  for (let i = 0; i < 20_000; i++) {
    const b = i % 2 ? Buffer.from(base) : Buffer.alloc(Math.floor(rnd() * 80));
    for (let k = 0; k < 1 + Math.floor(rnd() * 4); k++)
      b[Math.floor(rnd() * b.length)] = Math.floor(rnd() * 256);
    try {
      answerRecords(b);
      chaseTargets(b);
      readName(b, 12);
      spliceRecords(b, answerRecords(base), 'additional', 512, 0);
    } catch {
      thrown++;
    }
  }
  t.equal(thrown, 0);
});
