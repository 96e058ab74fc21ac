/**
 * The Consul answers issue 14 found missing, each checked with `dig` and parsed: a CNAME for
 * a host name registered as an address (and the target's A through the recursors, or from
 * the table when the target is ours), node metadata as TXT (node TXT queries, the additional
 * section of node and SRV answers, `--no-node-meta-txt`), `_svc._udp` filtering on the `udp`
 * tag, `_svc._tcp.consul` without the `service` label, dotted tags and node names,
 * `<hex>.addr.<other dc>`, OPT in NOTIMP and FORMERR replies, PTR with AA and the dc.
 */
import t from 'tap';
import { createSocket } from 'node:dgram';
import { TYPE, startDns, type DnsServer } from '@berth/dns';
import { MemoryCatalogSource } from '@berth/dns/testing';
import { decode, query } from './decode.js';
import { digAt, snapshot, type Inst } from './fixtures.js';
import { startTestResolver, type TestResolver } from './test-resolver.js';

const instances: Inst[] = [
  { service: 'web', id: 'w1', port: 80, tags: ['v1.2', 'primary'] },
  { service: 'web', id: 'w2', address: '127.0.0.5', port: 81, tags: ['udp'] },
  { service: 'ext', id: 'e1', address: 'ext.example.com', port: 443 },
  { service: 'intdb', id: 'i1', address: 'web.service.consul', port: 5432 },
  { service: 'dotted', id: 'd1', node: 'my.node', port: 90 },
];
const nodes = {
  node1: { address: '127.0.0.1', meta: { rack: 'r1', 'rfc1035-spf': 'v=spf1 -all' } },
  'my.node': '127.0.0.7',
};
const source = new MemoryCatalogSource(snapshot(instances, nodes, { index: 9n }));

let upstream: TestResolver;
let withRecursor: DnsServer;
let plain: DnsServer;
let noMeta: DnsServer;
const port = (s: DnsServer): number => s.addresses[0]?.port ?? 0;

t.before(async () => {
  upstream = await startTestResolver({ 'ext.example.com': ['127.0.0.99'] });
  const listen = [{ host: '127.0.0.1', port: 0 }];
  withRecursor = await startDns({ listen, recursor: [upstream.address] }, source);
  plain = await startDns({ listen }, source);
  noMeta = await startDns({ listen, nodeMetaTxt: false }, source);
});
t.teardown(async () => {
  await Promise.all([withRecursor.close(), plain.close(), noMeta.close()]);
  await upstream.close();
});

t.test('a host name address: CNAME, and its A through the recursors', async (t) => {
  const r = await digAt(port(withRecursor), ['ext.service.consul', 'A']);
  t.equal(r.status, 'NOERROR');
  t.strictSame(r.answer, [
    'ext.service.consul. 0 IN CNAME ext.example.com.',
    'ext.example.com. 0 IN A 127.0.0.99',
  ]);
  t.ok(upstream.udpQueries.includes('ext.example.com'), 'the recursor was asked');
  const alone = await digAt(port(plain), ['ext.service.consul', 'A']);
  t.strictSame(
    alone.answer,
    ['ext.service.consul. 0 IN CNAME ext.example.com.'],
    'without recursors: the CNAME alone, as Consul',
  );
  const cname = await digAt(port(plain), ['ext.service.consul', 'CNAME']);
  t.strictSame(cname.answer, ['ext.service.consul. 0 IN CNAME ext.example.com.']);
  const srv = await digAt(port(withRecursor), ['_ext._tcp.service.consul', 'SRV']);
  t.strictSame(srv.answer, ['_ext._tcp.service.consul. 0 IN SRV 1 1 443 ext.example.com.']);
  t.ok(srv.additional.includes('ext.example.com. 0 IN A 127.0.0.99'), 'SRV target resolved');
});

t.test('a host name in our own domain: CNAME and the addresses from the table', async (t) => {
  const r = await digAt(port(plain), ['intdb.service.consul', 'A']);
  t.equal(r.answer[0], 'intdb.service.consul. 0 IN CNAME web.service.consul.');
  t.strictSame(r.answer.slice(1).sort(), [
    'web.service.consul. 0 IN A 127.0.0.1',
    'web.service.consul. 0 IN A 127.0.0.5',
  ]);
});

t.test('node metadata as TXT', async (t) => {
  const txt = await digAt(port(plain), ['node1.node.consul', 'TXT']);
  t.strictSame(txt.answer, [
    'node1.node.consul. 0 IN TXT "rack=r1"',
    'node1.node.consul. 0 IN TXT "v=spf1 -all"',
  ]);
  const a = await digAt(port(plain), ['node1.node.consul', 'A']);
  t.strictSame(a.answer, ['node1.node.consul. 0 IN A 127.0.0.1']);
  t.strictSame(a.additional, [
    'node1.node.consul. 0 IN TXT "rack=r1"',
    'node1.node.consul. 0 IN TXT "v=spf1 -all"',
  ]);
  const srv = await digAt(port(plain), ['web.service.consul', 'SRV']);
  t.ok(srv.additional.includes('node1.node.dc1.consul. 0 IN TXT "rack=r1"'), 'SRV additional');
  t.ok(srv.additional.includes('node1.node.dc1.consul. 0 IN A 127.0.0.1'));

  const off = await digAt(port(noMeta), ['node1.node.consul', 'A']);
  t.strictSame(off.additional, [], '--no-node-meta-txt: no TXT in the additional section');
  const offSrv = await digAt(port(noMeta), ['web.service.consul', 'SRV']);
  t.notOk(offSrv.additional.some((l) => l.includes(' TXT ')));
  const offTxt = await digAt(port(noMeta), ['node1.node.consul', 'TXT']);
  t.equal(offTxt.answer.length, 2, 'TXT queries are still answered');
});

t.test('_svc._udp filters on the udp tag', async (t) => {
  const r = await digAt(port(plain), ['_web._udp.service.consul', 'SRV']);
  t.strictSame(r.answer, ['_web._udp.service.consul. 0 IN SRV 1 1 81 7f000005.addr.dc1.consul.']);
  const all = await digAt(port(plain), ['_web._tcp.service.consul', 'SRV']);
  t.equal(all.answer.length, 2, '_tcp: every instance');
  const none = await digAt(port(plain), ['_ext._udp.service.consul', 'SRV']);
  t.equal(none.status, 'NXDOMAIN', 'no instance with the udp tag');
});

t.test('_svc._tcp.consul without the service label (SRV)', async (t) => {
  for (const name of ['_web._tcp.consul', '_web._tcp.dc1.consul', '_web._primary.consul']) {
    const r = await digAt(port(plain), [name, 'SRV']);
    t.equal(r.status, 'NOERROR', name);
    t.equal(r.answer.length, name.includes('primary') ? 1 : 2, name);
    t.ok(r.flags.includes('aa'));
  }
});

t.test('dotted tags and dotted node names', async (t) => {
  const tag = await digAt(port(plain), ['v1.2.web.service.consul']);
  t.strictSame(tag.answer, ['v1.2.web.service.consul. 0 IN A 127.0.0.1']);
  const node = await digAt(port(plain), ['my.node.node.consul']);
  t.strictSame(node.answer, ['my.node.node.consul. 0 IN A 127.0.0.7']);
  const srv = await digAt(port(plain), ['dotted.service.consul', 'SRV']);
  t.strictSame(srv.answer, ['dotted.service.consul. 0 IN SRV 1 1 90 my.node.node.dc1.consul.']);
  const between = await digAt(port(plain), ['node.node.consul']);
  t.equal(between.status, 'NOERROR', 'the name between is an empty non-terminal, not NXDOMAIN');
});

t.test('<hex>.addr.<other dc> answers, as Consul ignores the dc', async (t) => {
  const r = await digAt(port(plain), ['7f000001.addr.dc2.consul']);
  t.strictSame(r.answer, ['7f000001.addr.dc2.consul. 0 IN A 127.0.0.1']);
  t.ok(r.flags.includes('aa'));
});

t.test('PTR: authoritative, the target names the datacenter', async (t) => {
  const r = await digAt(port(plain), ['-x', '127.0.0.5']);
  t.strictSame(r.answer, ['5.0.0.127.in-addr.arpa. 0 IN PTR web.service.dc1.consul.']);
  t.ok(r.flags.includes('aa'), 'AA');
});

t.test('OPT in NOTIMP and FORMERR replies to a query that had one', async (t) => {
  const notify = await digAt(port(plain), ['+opcode=notify', 'web.service.consul']);
  t.equal(notify.status, 'NOTIMP');
  t.ok(notify.opt, 'NOTIMP reply carries OPT');
  const sock = createSocket('udp4');
  t.teardown(() => sock.close());
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
  const ask = (msg: Buffer): Promise<Buffer> =>
    new Promise((resolve) => {
      sock.once('message', resolve);
      sock.send(msg, port(plain), '127.0.0.1');
    });
  // No question (FORMERR), only an OPT: header with QDCOUNT 0, ARCOUNT 1, then the OPT.
  const q = query('web.service.consul', TYPE.A, { udpSize: 1232, id: 77 });
  const noQuestion = Buffer.concat([q.subarray(0, 12), q.subarray(q.length - 11)]);
  noQuestion.writeUInt16BE(0, 4);
  const reply = decode(await ask(noQuestion));
  t.equal(reply.rcode, 1, 'FORMERR');
  t.equal(reply.id, 77);
  t.ok(reply.opt, 'FORMERR reply carries OPT');
  const bare = Buffer.from(q.subarray(0, 12));
  bare.writeUInt16BE(0, 4);
  bare.writeUInt16BE(0, 10);
  t.notOk(decode(await ask(bare)).opt, 'no OPT when the query had none');
});

t.test('foo.consul: outside every name form, NXDOMAIN with the SOA, as Consul', async (t) => {
  const r = await digAt(port(plain), ['foo.consul']);
  t.equal(r.status, 'NXDOMAIN');
  t.ok(r.flags.includes('aa'));
  t.match(r.authority[0] ?? '', /^consul\. 0 IN SOA ns\.consul\./);
});
