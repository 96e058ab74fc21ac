/**
 * berth dns over real sockets: `dig` (dnsutils) and Node's dns.Resolver (c-ares) against a
 * server fed by an in-memory catalog source. Every query form, TC, EDNS0, a 1,000-instance
 * TCP answer, health flips, maintenance, a stale source, forwarding and REFUSED.
 */
import t from 'tap';
import { Resolver } from 'node:dns/promises';
import { startDns, type DnsServer } from '@berth/dns';
import { MemoryCatalogSource } from '@berth/dns/testing';
import { digAt, snapshot, type Inst } from './fixtures.js';
import { startTestResolver } from './test-resolver.js';

const instances: Inst[] = [
  { service: 'web', address: '127.0.0.2', port: 8080, tags: ['v1'] },
  { service: 'web', address: '127.0.0.3', port: 8081 },
  { service: 'web', address: '127.0.0.4', port: 8082, status: 'warning' },
  { service: 'db', node: 'node2', port: 5432 },
  { service: 'down', status: 'critical' },
  ...Array.from({ length: 1000 }, (_, i): Inst => ({
    service: 'big',
    address: `127.2.${i >> 8}.${i & 0xff}`,
    port: 20000 + i,
    node: `n${i % 10}`,
  })),
  ...Array.from({ length: 1000 }, (_, i): Inst => ({
    service: 'many',
    port: 30000 + i,
    node: `n${i % 10}`,
  })),
];
const nodes: Record<string, string> = { node1: '127.0.0.1', node2: '127.0.0.9' };
for (let i = 0; i < 10; i++) nodes[`n${i}`] = `127.3.0.${i + 1}`;

const source = new MemoryCatalogSource(snapshot(instances, nodes, { index: 100n }));
let server: DnsServer;
let port = 0;

t.before(async () => {
  server = await startDns(
    { listen: [{ host: '127.0.0.1', port: 0 }], altDomain: 'berth.test' },
    source,
  );
  port = server.addresses[0]?.port ?? 0;
});
t.teardown(() => server.close());

const forms: {
  name: string;
  input: string[];
  want: {
    status: string;
    answer?: string[];
    answers?: number;
    additional?: number;
    authority?: RegExp;
    flags?: string[];
  };
}[] = [
  {
    name: 'service A',
    input: ['web.service.consul', 'A'],
    want: { status: 'NOERROR', answers: 3, flags: ['aa'] },
  },
  {
    name: 'service with datacenter',
    input: ['web.service.dc1.consul'],
    want: { status: 'NOERROR', answers: 3 },
  },
  {
    name: 'case-insensitive',
    input: ['WEB.Service.Consul'],
    want: { status: 'NOERROR', answers: 3 },
  },
  {
    name: 'tag form',
    input: ['v1.web.service.consul'],
    want: { status: 'NOERROR', answer: ['v1.web.service.consul. 0 IN A 127.0.0.2'] },
  },
  {
    name: 'SRV with addresses in additional',
    input: ['web.service.consul', 'SRV'],
    want: { status: 'NOERROR', answers: 3, additional: 3 },
  },
  {
    name: 'RFC 2782 SRV',
    input: ['_web._tcp.service.consul', 'SRV'],
    want: { status: 'NOERROR', answers: 3, additional: 3 },
  },
  {
    name: 'RFC 2782 SRV with tag',
    input: ['_web._v1.service.dc1.consul', 'SRV'],
    want: {
      status: 'NOERROR',
      answer: ['_web._v1.service.dc1.consul. 0 IN SRV 1 1 8080 7f000002.addr.dc1.consul.'],
      additional: 1,
    },
  },
  {
    name: 'node',
    input: ['node2.node.consul'],
    want: { status: 'NOERROR', answer: ['node2.node.consul. 0 IN A 127.0.0.9'] },
  },
  {
    name: 'node with datacenter',
    input: ['node2.node.dc1.consul'],
    want: { status: 'NOERROR', answers: 1 },
  },
  {
    name: 'addr',
    input: ['7f000003.addr.dc1.consul'],
    want: { status: 'NOERROR', answer: ['7f000003.addr.dc1.consul. 0 IN A 127.0.0.3'] },
  },
  {
    name: 'PTR of a node',
    input: ['-x', '127.0.0.9'],
    want: {
      status: 'NOERROR',
      answer: ['9.0.0.127.in-addr.arpa. 0 IN PTR node2.node.dc1.consul.'],
    },
  },
  {
    name: 'PTR of an unknown address without recursors: SERVFAIL, as Consul answers',
    input: ['-x', '127.9.9.9'],
    want: { status: 'SERVFAIL', answers: 0 },
  },
  {
    name: 'PTR of an unknown IPv6 address without recursors: SERVFAIL, as Consul answers',
    input: ['-x', '2001:db8::1'],
    want: { status: 'SERVFAIL', answers: 0 },
  },
  { name: 'ANY', input: ['web.service.consul', 'ANY'], want: { status: 'NOERROR', answers: 3 } },
  {
    name: 'SOA of the domain',
    input: ['consul', 'SOA'],
    want: {
      status: 'NOERROR',
      answer: ['consul. 0 IN SOA ns.consul. hostmaster.consul. 100 3600 600 86400 0'],
    },
  },
  {
    name: 'NS of the domain',
    input: ['consul', 'NS'],
    want: { status: 'NOERROR', answer: ['consul. 0 IN NS ns.consul.'], additional: 1 },
  },
  {
    name: 'alt domain',
    input: ['web.service.berth.test'],
    want: { status: 'NOERROR', answers: 3 },
  },
  {
    name: 'unknown service: NXDOMAIN with SOA',
    input: ['nope.service.consul'],
    want: { status: 'NXDOMAIN', answers: 0, authority: /^consul\. 0 IN SOA ns\.consul\./ },
  },
  {
    name: 'all instances critical: NXDOMAIN',
    input: ['down.service.consul'],
    want: { status: 'NXDOMAIN', authority: /SOA/ },
  },
  {
    name: 'unknown node: NXDOMAIN',
    input: ['nope.node.consul'],
    want: { status: 'NXDOMAIN', authority: /SOA/ },
  },
  {
    name: 'unknown datacenter: NXDOMAIN',
    input: ['web.service.dc2.consul'],
    want: { status: 'NXDOMAIN' },
  },
  {
    name: 'known name, no AAAA: NODATA with SOA',
    input: ['web.service.consul', 'AAAA'],
    want: { status: 'NOERROR', answers: 0, authority: /SOA/ },
  },
  {
    name: 'outside the domain, no recursors: REFUSED',
    input: ['example.com'],
    want: { status: 'REFUSED', answers: 0 },
  },
];

for (const f of forms) {
  for (const proto of ['+notcp', '+tcp']) {
    t.test(`${f.name} (${proto.slice(1)})`, async (t) => {
      const r = await digAt(port, [proto, ...f.input]);
      t.equal(r.status, f.want.status);
      if (f.want.answers !== undefined) t.equal(r.answer.length, f.want.answers, 'answers');
      if (f.want.answer) t.strictSame(r.answer, f.want.answer);
      if (f.want.additional !== undefined)
        t.equal(r.additional.length, f.want.additional, 'additional');
      if (f.want.authority) t.match(r.authority[0] ?? '', f.want.authority);
      for (const flag of f.want.flags ?? []) t.ok(r.flags.includes(flag), flag);
      t.notOk(r.flags.includes('tc'), 'no TC');
    });
  }
}

t.test('UDP: TC set when records are left out; dig then retries over TCP', async (t) => {
  const cut = await digAt(port, ['+notcp', '+ignore', '+noedns', 'big.service.consul', 'SRV']);
  t.ok(cut.flags.includes('tc'), 'TC set');
  t.ok(cut.size <= 512, `size ${cut.size} <= 512`);
  t.ok(cut.answer.length > 0 && cut.answer.length < 1000);
  const full = await digAt(port, ['+noedns', 'big.service.consul', 'SRV']);
  t.equal(full.answer.length, 1000, 'full set after the TCP retry');
});

t.test('EDNS0: the client size is honoured', async (t) => {
  for (const c of [
    { input: 1232, want: 1232 },
    { input: 4096, want: 4096 },
  ]) {
    const r = await digAt(port, [
      '+notcp',
      '+ignore',
      `+bufsize=${c.input}`,
      'big.service.consul',
      'A',
    ]);
    t.ok(r.flags.includes('tc'));
    t.ok(r.size <= c.want && r.size > c.want - 40, `size ${r.size} near ${c.want}`);
  }
});

t.test('TCP: the full 1,000-instance answer, A and SRV', async (t) => {
  const a = await digAt(port, ['+tcp', 'big.service.consul', 'A']);
  t.equal(a.answer.length, 1000);
  const srv = await digAt(port, ['+tcp', 'big.service.consul', 'SRV']);
  t.equal(srv.answer.length, 1000);
  t.notOk(srv.flags.includes('tc'));
  t.ok(
    srv.additional.length > 300,
    `${srv.additional.length} of 1,000 distinct target addresses fit in 64 KiB`,
  );
  const many = await digAt(port, ['+tcp', 'many.service.consul', 'SRV']);
  t.equal(many.answer.length, 1000, '1,000 instances on 10 nodes');
  t.equal(many.additional.length, 10, 'one address per node target');
});

t.test("Node's dns.Resolver (c-ares)", async (t) => {
  const r = new Resolver({ timeout: 3000, tries: 1 });
  r.setServers([`127.0.0.1:${port}`]);
  t.strictSame((await r.resolve4('web.service.consul')).sort(), [
    '127.0.0.2',
    '127.0.0.3',
    '127.0.0.4',
  ]);
  const srv = await r.resolveSrv('_web._tcp.service.consul');
  t.strictSame(srv.map((s) => s.port).sort(), [8080, 8081, 8082]);
  t.equal((await r.resolveSoa('consul')).hostmaster, 'hostmaster.consul');
  t.strictSame(await r.resolveNs('consul'), ['ns.consul']);
  t.strictSame(await r.reverse('127.0.0.9'), ['node2.node.dc1.consul']);
  t.equal(
    (await r.resolve4('big.service.consul')).length,
    1000,
    'c-ares retries the TC answer over TCP',
  );
  await t.rejects(r.resolve4('nope.service.consul'), { code: 'ENOTFOUND' });
  await t.rejects(r.resolve6('web.service.consul'), { code: 'ENODATA' });
  await t.rejects(r.resolve4('example.com'), { code: 'EREFUSED' });
});

t.test('round-robin over the wire', async (t) => {
  const firsts = new Set<string>();
  for (let i = 0; i < 6; i++)
    firsts.add((await digAt(port, ['web.service.consul'])).answer[0] ?? '');
  t.equal(firsts.size, 3);
});

t.test('health flips and maintenance follow the source at once', async (t) => {
  const flip = (changes: Partial<Record<string, Partial<Inst>>>, index: bigint): void => {
    const next = instances.map((i) => ({ ...i, ...(changes[i.address ?? ''] ?? {}) }));
    source.set(snapshot(next, nodes, { index }));
  };
  const short = async (): Promise<string[]> => {
    const r = await digAt(port, ['web.service.consul']);
    return r.answer.map((l) => l.split(' ')[4] ?? '').sort();
  };
  t.strictSame(await short(), ['127.0.0.2', '127.0.0.3', '127.0.0.4']);
  let buildMs = -1;
  server.once('table', (info) => (buildMs = info.buildMs));
  flip({ '127.0.0.2': { status: 'critical' } }, 101n);
  // The rebuild is synchronous inside the snapshot callback: the next query sees it.
  t.equal(server.table?.index, 101n, 'table swapped before set() returned');
  t.ok(buildMs >= 0, 'a table event reported the rebuild');
  // Speed is measured by bench/dns/rebuild.mjs, never asserted here.
  t.comment(`table for 2,005 instances rebuilt in ${buildMs.toFixed(1)} ms`);
  t.strictSame(await short(), ['127.0.0.3', '127.0.0.4'], 'critical instance gone');
  flip({ '127.0.0.3': { maintenance: true } }, 102n);
  t.strictSame(await short(), ['127.0.0.2', '127.0.0.4'], 'maintenance instance gone');
  flip({}, 103n);
  t.strictSame(await short(), ['127.0.0.2', '127.0.0.3', '127.0.0.4'], 'back');
});

t.test('source down: answers continue from the last snapshot, status says how stale', async (t) => {
  source.markStale(Date.now() - 45_000);
  const r = await digAt(port, ['web.service.consul']);
  t.equal(r.answer.length, 3, 'still answering');
  const s = server.status();
  t.ok((s.staleForMs ?? 0) >= 45_000, `stale for ${s.staleForMs} ms`);
  t.equal(s.index, 103n);
  source.markFresh();
  t.equal(server.status().staleForMs, undefined);
});

t.test('forwarding to recursors in order, TCP retry on TC, SERVFAIL when all fail', async (t) => {
  const big = Array.from({ length: 300 }, (_, i) => `127.5.${i >> 8}.${i & 0xff}`);
  const dead = await startTestResolver({}, { servfail: true });
  const good = await startTestResolver({ 'example.com': ['127.0.0.99'], 'big.example.com': big });
  t.teardown(async () => {
    await dead.close();
    await good.close();
  });
  const fwd = await startDns(
    {
      listen: [{ host: '127.0.0.1', port: 0 }],
      recursor: [dead.address, good.address],
      recursorTimeout: 2000,
    },
    source,
  );
  t.teardown(() => fwd.close());
  const p = fwd.addresses[0]?.port ?? 0;

  const r = await digAt(p, ['example.com']);
  t.equal(r.status, 'NOERROR');
  t.strictSame(r.answer, ['example.com. 60 IN A 127.0.0.99']);
  t.ok(r.flags.includes('ra'), 'RA set');
  t.notOk(r.flags.includes('aa'), 'not authoritative');
  t.strictSame(dead.udpQueries, ['example.com'], 'first recursor tried first');
  t.strictSame(good.udpQueries, ['example.com'], 'then the second');

  const ptr = await digAt(p, ['-x', '127.9.9.9']);
  t.equal(ptr.status, 'NXDOMAIN', 'an unknown reverse name goes to the recursors');
  t.ok(good.udpQueries.includes('9.9.9.127.in-addr.arpa'), 'the recursor was asked');
  const known = await digAt(p, ['-x', '127.0.0.9']);
  t.strictSame(
    known.answer,
    ['9.0.0.127.in-addr.arpa. 0 IN PTR node2.node.dc1.consul.'],
    'a known one is answered from the table',
  );
  t.notOk(good.udpQueries.includes('9.0.0.127.in-addr.arpa'), 'without asking the recursors');

  const nx = await digAt(p, ['nothing.example.com']);
  t.equal(nx.status, 'NXDOMAIN', "the recursor's NXDOMAIN is passed through");

  const viaTcp = await digAt(p, ['+tcp', 'big.example.com']);
  t.equal(viaTcp.answer.length, 300, 'full answer: the UDP reply was truncated, retried over TCP');
  t.strictSame(good.udpQueries.slice(-1), ['big.example.com'], 'UDP first');
  t.ok(good.tcpQueries.includes('big.example.com'), 'TCP used after TC');
  t.notOk(viaTcp.flags.includes('tc'));

  const small = await digAt(p, ['+notcp', '+ignore', '+noedns', 'big.example.com']);
  t.ok(small.flags.includes('tc'), 'a 512-byte client gets the truncated reply with TC');

  t.equal(
    (await digAt(p, ['web.service.consul'])).answer.length,
    3,
    'own names are still answered',
  );

  const none = await startDns(
    {
      listen: [{ host: '127.0.0.1', port: 0 }],
      recursor: [dead.address, '127.0.0.1:9'],
      recursorTimeout: 200,
    },
    source,
  );
  t.teardown(() => none.close());
  const failed = await digAt(none.addresses[0]?.port ?? 0, ['example.com']);
  t.equal(failed.status, 'SERVFAIL', 'SERVFAIL only when every recursor failed');
  t.equal(none.stats.forwardFailures, 1);
});

t.test('TCP: pipelined queries on one connection', async (t) => {
  const r = await digAt(port, [
    '+tcp',
    '+keepopen',
    'web.service.consul',
    'node2.node.consul',
    'consul',
    'SOA',
  ]);
  t.equal(r.status, 'NOERROR');
  t.ok(r.answer.length >= 1);
});
