import t from 'tap';
import {
  Chase,
  FORWARD,
  RCODE,
  TYPE,
  buildZone,
  compileTable,
  parseQuery,
  resolve,
  type DnsTable,
  type ZoneOptions,
} from '@berth/dns';
import { decode, query, type Decoded } from './decode.js';
import { snapshot, type Inst } from './fixtures.js';

const opts: ZoneOptions = {
  domains: ['consul', 'berth.test'],
  onlyPassing: false,
  serviceTtl: [],
  nodeTtl: 0,
  aRecordLimit: 0,
  nsAddresses: ['127.0.0.53'],
};

const many = (service: string, n: number, distinct = true): Inst[] =>
  Array.from({ length: n }, (_, i) => ({
    service,
    address: distinct ? `127.1.${i >> 8}.${i & 0xff}` : undefined,
    port: 10000 + i,
  }));

function tableOf(instances: Inst[], o: Partial<ZoneOptions> = {}): DnsTable {
  return compileTable(buildZone(snapshot(instances, { node1: '127.0.0.1' }), { ...opts, ...o }), 0);
}

interface Ask {
  udpSize?: number;
  tcp?: boolean;
  forwarding?: boolean;
  version?: number;
  qclass?: number;
  id?: number;
}

function ask(
  table: DnsTable | undefined,
  name: string,
  type: number,
  a: Ask = {},
): Decoded | typeof FORWARD {
  const msg = query(name, type, {
    udpSize: a.udpSize,
    version: a.version,
    qclass: a.qclass,
    id: a.id,
  });
  const q = parseQuery(msg);
  if (typeof q === 'number') throw new Error(`parse failed ${q}`);
  const limit = a.tcp ? 65535 : q.edns ? Math.min(q.udpSize, 4096) : 512;
  const res = resolve(table, opts.domains, q, msg, limit, a.forwarding ?? false);
  if (res === FORWARD) return res;
  const out = res instanceof Chase ? res.reply : res;
  t.ok(out.length <= limit, `reply ${out.length} within ${limit}`);
  return decode(out);
}

function answer(table: DnsTable | undefined, name: string, type: number, a: Ask = {}): Decoded {
  const d = ask(table, name, type, a);
  if (d === FORWARD) throw new Error('unexpected FORWARD');
  return d;
}

const web = tableOf([
  { service: 'web', address: '127.0.0.2', tags: ['v1'] },
  { service: 'web', address: '127.0.0.3' },
  { service: 'web', address: '127.0.0.4' },
  { service: 'db', status: 'critical' },
  { service: 'v6', address: '::1' },
]);

const cases: {
  name: string;
  input: { table?: DnsTable | undefined; q: string; type: number; ask?: Ask };
  want: {
    rcode: number;
    aa?: boolean;
    tc?: boolean;
    answers?: number;
    authority?: string[];
    data?: string[];
    additional?: number;
  };
}[] = [
  {
    name: 'A of a service',
    input: { q: 'web.service.consul', type: TYPE.A },
    want: { rcode: 0, aa: true, tc: false, answers: 3 },
  },
  {
    name: 'with datacenter',
    input: { q: 'web.service.dc1.consul', type: TYPE.A },
    want: { rcode: 0, answers: 3 },
  },
  {
    name: 'unknown datacenter: NXDOMAIN',
    input: { q: 'web.service.dc9.consul', type: TYPE.A },
    want: { rcode: RCODE.NXDOMAIN, authority: ['consul'] },
  },
  {
    name: 'tag form',
    input: { q: 'v1.web.service.consul', type: TYPE.A },
    want: { rcode: 0, data: ['127.0.0.2'] },
  },
  {
    name: 'RFC 2782 SRV',
    input: { q: '_web._tcp.service.consul', type: TYPE.SRV },
    want: { rcode: 0, answers: 3, additional: 3 },
  },
  {
    name: 'SRV with tag, alt domain',
    input: { q: '_web._v1.service.berth.test', type: TYPE.SRV },
    want: { rcode: 0, data: ['1 1 8000 7f000002.addr.dc1.berth.test'], additional: 1 },
  },
  {
    name: 'AAAA of a v4 service: NODATA with SOA',
    input: { q: 'web.service.consul', type: TYPE.AAAA },
    want: { rcode: 0, answers: 0, authority: ['consul'] },
  },
  {
    name: 'TXT of a service: NODATA',
    input: { q: 'web.service.consul', type: TYPE.TXT },
    want: { rcode: 0, answers: 0, authority: ['consul'] },
  },
  {
    name: 'AAAA of a v6 service',
    input: { q: 'v6.service.consul', type: TYPE.AAAA },
    want: { rcode: 0, data: ['0:0:0:0:0:0:0:1'] },
  },
  {
    name: 'ANY of a service',
    input: { q: 'web.service.consul', type: TYPE.ANY },
    want: { rcode: 0, answers: 3 },
  },
  {
    name: 'unhealthy service: NXDOMAIN',
    input: { q: 'db.service.consul', type: TYPE.A },
    want: { rcode: RCODE.NXDOMAIN, authority: ['consul'] },
  },
  {
    name: 'unknown service: NXDOMAIN, alt-domain SOA',
    input: { q: 'nope.service.berth.test', type: TYPE.A },
    want: { rcode: RCODE.NXDOMAIN, authority: ['berth.test'] },
  },
  {
    name: 'node',
    input: { q: 'node1.node.consul', type: TYPE.A },
    want: { rcode: 0, data: ['127.0.0.1'] },
  },
  {
    name: 'unknown node: NXDOMAIN',
    input: { q: 'nope.node.consul', type: TYPE.A },
    want: { rcode: RCODE.NXDOMAIN },
  },
  {
    name: 'addr form from the table',
    input: { q: '7f000002.addr.dc1.consul', type: TYPE.A },
    want: { rcode: 0, data: ['127.0.0.2'] },
  },
  {
    name: 'addr form built at query time',
    input: { q: '7f0000d5.addr.consul', type: TYPE.A },
    want: { rcode: 0, data: ['127.0.0.213'] },
  },
  {
    name: 'addr v6 form',
    input: { q: '20010db8000000000000000000000001.addr.dc1.consul', type: TYPE.AAAA },
    want: { rcode: 0, data: ['2001:db8:0:0:0:0:0:1'] },
  },
  {
    name: 'addr with bad hex: NXDOMAIN',
    input: { q: 'zz.addr.dc1.consul', type: TYPE.A },
    want: { rcode: RCODE.NXDOMAIN },
  },
  {
    name: 'PTR of a known address: authoritative, the target names the dc (issue 14)',
    input: { q: '2.0.0.127.in-addr.arpa', type: TYPE.PTR },
    want: { rcode: 0, aa: true, data: ['web.service.dc1.consul'] },
  },
  // Consul answers every reverse name itself: unknown ones go to the recursors, and with
  // none configured the (empty) list of recursors fails: SERVFAIL, not REFUSED.
  {
    name: 'PTR of an unknown IPv4 address without recursors: SERVFAIL like Consul',
    input: { q: '9.9.0.127.in-addr.arpa', type: TYPE.PTR },
    want: { rcode: RCODE.SERVFAIL, aa: false, answers: 0 },
  },
  {
    name: 'PTR of an unknown IPv6 address without recursors: SERVFAIL like Consul',
    input: { q: `${'0.'.repeat(31)}2.ip6.arpa`, type: TYPE.PTR },
    want: { rcode: RCODE.SERVFAIL, aa: false, answers: 0 },
  },
  {
    name: 'a partial reverse name without recursors: SERVFAIL like Consul',
    input: { q: '127.in-addr.arpa', type: TYPE.PTR },
    want: { rcode: RCODE.SERVFAIL },
  },
  {
    name: 'PTR of the IPv6 loopback a service uses',
    input: { q: `1.${'0.'.repeat(31)}ip6.arpa`, type: TYPE.PTR },
    want: { rcode: 0, data: ['v6.service.dc1.consul'] },
  },
  {
    name: 'other names under arpa without recursors: REFUSED',
    input: { q: 'example.arpa', type: TYPE.PTR },
    want: { rcode: RCODE.REFUSED },
  },
  {
    name: 'SOA of the apex',
    input: { q: 'consul', type: TYPE.SOA },
    want: { rcode: 0, data: ['ns.consul hostmaster.consul 10 3600 600 86400 0'] },
  },
  {
    name: 'NS of the apex with glue',
    input: { q: 'consul', type: TYPE.NS },
    want: { rcode: 0, data: ['ns.consul'], additional: 1 },
  },
  {
    name: 'ANY of the apex',
    input: { q: 'consul', type: TYPE.ANY },
    want: { rcode: 0, answers: 2 },
  },
  {
    name: 'empty non-terminal: NODATA',
    input: { q: 'service.consul', type: TYPE.A },
    want: { rcode: 0, answers: 0, authority: ['consul'] },
  },
  {
    name: 'outside the domain without recursors: REFUSED',
    input: { q: 'example.com', type: TYPE.A },
    want: { rcode: RCODE.REFUSED, aa: false },
  },
  {
    name: 'EDNS version 1: BADVERS',
    input: { q: 'web.service.consul', type: TYPE.A, ask: { udpSize: 1232, version: 1 } },
    want: { rcode: RCODE.BADVERS },
  },
  {
    name: 'class CHAOS: REFUSED',
    input: { q: 'version.bind', type: TYPE.TXT, ask: { qclass: 3 } },
    want: { rcode: RCODE.REFUSED },
  },
  {
    name: 'AXFR: REFUSED',
    input: { q: 'consul', type: TYPE.AXFR },
    want: { rcode: RCODE.REFUSED },
  },
  {
    name: 'before the first snapshot: SERVFAIL',
    input: { table: undefined, q: 'web.service.consul', type: TYPE.A },
    want: { rcode: RCODE.SERVFAIL },
  },
];

for (const c of cases) {
  t.test(c.name, async (t) => {
    const table = 'table' in c.input ? c.input.table : web;
    const d = answer(table, c.input.q, c.input.type, c.input.ask);
    t.equal(d.rcode, c.want.rcode, 'rcode');
    t.equal(d.qr, true);
    if (c.want.aa !== undefined) t.equal(d.aa, c.want.aa, 'aa');
    if (c.want.tc !== undefined) t.equal(d.tc, c.want.tc, 'tc');
    if (c.want.answers !== undefined) t.equal(d.answers.length, c.want.answers, 'answers');
    if (c.want.additional !== undefined)
      t.equal(d.additional.length, c.want.additional, 'additional');
    if (c.want.data) t.strictSame(d.answers.map((a) => a.data).sort(), c.want.data);
    if (c.want.authority)
      t.strictSame(
        d.authority.map((a) => a.name.toLowerCase()),
        c.want.authority,
      );
    t.equal(d.question?.name.toLowerCase(), c.input.q);
  });
}

t.test('outside the domain with recursors: FORWARD', async (t) => {
  t.equal(ask(web, 'example.com', TYPE.A, { forwarding: true }), FORWARD);
  t.equal(ask(web, '9.9.0.127.in-addr.arpa', TYPE.PTR, { forwarding: true }), FORWARD);
  t.equal(ask(web, `${'0.'.repeat(31)}2.ip6.arpa`, TYPE.PTR, { forwarding: true }), FORWARD);
  const known = answer(web, '2.0.0.127.in-addr.arpa', TYPE.PTR, { forwarding: true });
  t.strictSame(
    known.answers.map((a) => a.data),
    ['web.service.dc1.consul'],
    'known: never forwarded',
  );
  const servfail = answer(undefined, '9.9.0.127.in-addr.arpa', TYPE.PTR);
  t.equal(servfail.rcode, RCODE.SERVFAIL, 'before the first snapshot too');
  t.equal(servfail.ra, false, 'no RA without recursors');
  const d = answer(web, 'web.service.consul', TYPE.A, { forwarding: true });
  t.equal(d.ra, true, 'RA set when recursors exist');
});

t.test('the ID and the question case are echoed (DNS 0x20)', async (t) => {
  const d = answer(web, 'WeB.SeRvIcE.cOnSuL', TYPE.A, { id: 0xbeef });
  t.equal(d.id, 0xbeef);
  t.equal(d.question?.name, 'WeB.SeRvIcE.cOnSuL');
  t.ok(
    d.answers.every((a) => a.name === 'WeB.SeRvIcE.cOnSuL'),
    'owners point at the question',
  );
});

t.test('round-robin: the first record changes per query and the set stays whole', async (t) => {
  const firsts: string[] = [];
  for (let i = 0; i < 6; i++) {
    const d = answer(web, 'web.service.consul', TYPE.A);
    t.strictSame(d.answers.map((a) => a.data).sort(), ['127.0.0.2', '127.0.0.3', '127.0.0.4']);
    firsts.push(d.answers[0]?.data ?? '');
  }
  t.equal(new Set(firsts).size, 3, 'every record leads in turn');
  t.not(firsts[0], firsts[1]);
});

t.test('a-record-limit caps A after rotation, without TC', async (t) => {
  const table = tableOf(many('api', 5), { aRecordLimit: 2 });
  const seen = new Set<string>();
  for (let i = 0; i < 5; i++) {
    const d = answer(table, 'api.service.consul', TYPE.A);
    t.equal(d.answers.length, 2);
    t.equal(d.tc, false);
    d.answers.forEach((a) => seen.add(a.data));
  }
  t.equal(seen.size, 5, 'rotation reaches every instance');
  t.equal(answer(table, 'api.service.consul', TYPE.SRV).answers.length, 5, 'SRV not capped');
});

const big = tableOf([...many('big', 1000), ...many('same', 1000, false)]);

t.test('UDP without EDNS: 512 bytes at most, TC set when records are left out', async (t) => {
  for (const type of [TYPE.A, TYPE.SRV]) {
    const d = answer(big, 'big.service.consul', type);
    t.ok(d.size <= 512);
    t.equal(d.tc, true);
    t.ok(d.answers.length > 5 && d.answers.length < 1000, `${d.answers.length} answers`);
    if (type === TYPE.SRV) {
      const targets = new Set(d.answers.map((a) => a.data.split(' ')[3]));
      t.strictSame(
        new Set(d.additional.map((a) => a.name)),
        targets,
        'each SRV target has its address',
      );
    }
  }
});

t.test('EDNS0 size is honoured up to 4096', async (t) => {
  const sizes = [
    { input: 1232, want: 1232 },
    { input: 4096, want: 4096 },
    { input: 65000, want: 4096 },
  ];
  let prev = 0;
  for (const s of sizes) {
    const d = answer(big, 'big.service.consul', TYPE.A, { udpSize: s.input });
    t.ok(d.size <= s.want && d.size > s.want - 16, `size ${d.size} near ${s.want}`);
    t.equal(d.tc, true);
    t.equal(d.opt?.udpSize, 4096, 'OPT in the reply');
    t.ok(d.answers.length >= prev);
    prev = d.answers.length;
  }
});

t.test('TCP returns the full set of 1,000 instances (A and SRV)', async (t) => {
  const a = answer(big, 'big.service.consul', TYPE.A, { tcp: true });
  t.equal(a.answers.length, 1000);
  t.equal(a.tc, false);
  const srv = answer(big, 'big.service.consul', TYPE.SRV, { tcp: true });
  t.equal(srv.answers.length, 1000);
  t.equal(srv.tc, false, 'every answer is there, so no TC');
  // 1,000 distinct uncompressible targets (RFC 2782) and their addresses exceed 64 KiB: the
  // addresses are optional and fill what is left.
  t.ok(
    srv.additional.length > 300 && srv.additional.length < 1000,
    `${srv.additional.length} addresses`,
  );
  t.ok(srv.size > 0x3fff, 'targets past the pointer range are written in full');
  const answered = new Set(srv.answers.map((a) => a.data.split(' ')[3]));
  t.ok(
    srv.additional.every((a) => answered.has(a.name)),
    'addresses only for answered targets',
  );
  const same = answer(big, 'same.service.consul', TYPE.SRV, { tcp: true });
  t.equal(same.answers.length, 1000);
  t.equal(same.additional.length, 1, 'one address record per distinct target');
});

t.test('a name nobody could encode as one label matches nothing', async (t) => {
  // "web.service" as one label + "consul": must not read as web.service.consul.
  const msg = Buffer.concat([
    query('', TYPE.A).subarray(0, 12),
    Buffer.from([11]),
    Buffer.from('web.service'),
    Buffer.from([6]),
    Buffer.from('consul'),
    Buffer.from([0, 0, 1, 0, 1]),
  ]);
  const q = parseQuery(msg);
  if (typeof q === 'number') throw new Error('parse');
  const out = resolve(web, opts.domains, q, msg, 512, false);
  if (out === FORWARD || out instanceof Chase) throw new Error('not a plain reply');
  t.equal(decode(out).rcode, RCODE.NXDOMAIN);
});
