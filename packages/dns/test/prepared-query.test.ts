/**
 * `NAME.query.consul` (issue 17 point 3): berth dns executes the catalog's prepared queries
 * (a real berth catalog in-process on port 0, real registrations and queries over its HTTP
 * API, dig as the client): OnlyPassing, name_prefix_match templates, DNS.TTL in the answer,
 * the service TTL as fallback, the RFC 2782 and datacenter forms, NXDOMAIN for an unknown
 * query, SERVFAIL when the catalog is down or past the deadline (never an answer older than
 * its TTL), a cache bounded in names, and one execute call for concurrent lookups.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { writeFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { startCatalog, type RunningCatalog } from '@berth/catalog';
import { createRegistry } from '@berth/daemon';
import { eventually } from '@berth/daemon/testing';
import { bindDnsMetrics, consulSource, startDns, type DnsServer } from '@berth/dns';
import { dig, digAt } from './fixtures.js';

type Catalog = RunningCatalog;

async function request(
  catalog: Catalog,
  method: string,
  path: string,
  body?: unknown,
  token?: string,
): Promise<unknown> {
  const r = await fetch(`${catalog.url}${path}`, {
    method,
    body: body === undefined ? undefined : JSON.stringify(body),
    headers: token ? { 'X-Consul-Token': token } : {},
  });
  const text = await r.text();
  if (r.status !== 200) throw new Error(`${method} ${path}: ${r.status} ${text}`);
  return text ? (JSON.parse(text) as unknown) : undefined;
}

/** A catalog with web (passing, warning, critical), db-x, and the queries of the tests. */
async function catalogWithQueries(t: Test): Promise<Catalog> {
  const catalog = await startCatalog({
    listen: '127.0.0.1:0',
    node: 'node1',
    advertise: '127.0.0.1',
  });
  t.teardown(() => catalog.close());
  const web: [string, string][] = [
    ['web-1', 'passing'],
    ['web-2', 'warning'],
    ['web-3', 'critical'],
  ];
  for (const [i, [id, status]] of web.entries()) {
    await request(catalog, 'PUT', '/v1/agent/service/register', {
      ID: id,
      Name: 'web',
      Address: `127.0.0.${11 + i}`,
      Port: 8081 + i,
      Check: { CheckID: `${id}-ttl`, TTL: '10m', Status: status },
    });
  }
  await request(catalog, 'PUT', '/v1/agent/service/register', {
    ID: 'db-x-1',
    Name: 'db-x',
    Address: '127.0.0.21',
    Port: 5432,
  });
  const query = (q: unknown): Promise<unknown> => request(catalog, 'POST', '/v1/query', q);
  await query({
    Name: 'web-passing',
    Service: { Service: 'web', OnlyPassing: true },
    DNS: { TTL: '7s' },
  });
  await query({ Name: 'web-any', Service: { Service: 'web' } });
  await query({
    Name: 'short',
    Service: { Service: 'web', OnlyPassing: true },
    DNS: { TTL: '1s' },
  });
  await query({
    Name: 'geo-db-',
    Template: { Type: 'name_prefix_match' },
    Service: { Service: 'db-${name.suffix}' },
    DNS: { TTL: '30s' },
  });
  return catalog;
}

async function dnsFor(
  t: Test,
  consulUrl: string,
  watchUrl: string,
  more: { queryCacheSize?: number; queryTimeout?: number } = {},
): Promise<{ server: DnsServer; port: number }> {
  const source = consulSource({ url: watchUrl, watch: { waitMs: 5000, settleMs: 5 } });
  t.teardown(() => source.close());
  const server = await startDns(
    { listen: [{ host: '127.0.0.1', port: 0 }], consul: consulUrl, serviceTtl: ['web=3'], ...more },
    source,
  );
  t.teardown(() => server.close());
  await eventually('first table', () => server.table !== undefined);
  return { server, port: server.addresses[0]?.port ?? 0 };
}

const field = (line: string, i: number): string => line.split(' ')[i] ?? '';

t.test('NAME.query.consul answers from the prepared query', async (t) => {
  const catalog = await catalogWithQueries(t);
  const { server, port } = await dnsFor(t, catalog.url, catalog.url);

  const passing = await digAt(port, ['web-passing.query.consul', 'A']);
  t.equal(passing.status, 'NOERROR');
  t.strictSame(
    passing.answer.map((l) => field(l, 4)),
    ['127.0.0.11'],
    'OnlyPassing: warning and critical left out',
  );
  t.strictSame(
    passing.answer.map((l) => field(l, 1)),
    ['7'],
    'DNS.TTL is the TTL of the answer',
  );
  t.ok(passing.flags.includes('aa'));

  const any = await digAt(port, ['web-any.query.consul', 'A']);
  t.strictSame(
    any.answer.map((l) => field(l, 4)).sort(),
    ['127.0.0.11', '127.0.0.12'],
    'without OnlyPassing: critical left out only',
  );
  t.strictSame(
    [...new Set(any.answer.map((l) => field(l, 1)))],
    ['3'],
    'no DNS.TTL: the service TTL (--service-ttl web=3)',
  );

  const tpl = await digAt(port, ['geo-db-x.query.consul', 'A']);
  t.strictSame(
    tpl.answer,
    ['geo-db-x.query.consul. 30 IN A 127.0.0.21'],
    'name_prefix_match template',
  );
  const dc = await digAt(port, ['geo-db-x.query.dc1.consul', 'A']);
  t.strictSame(
    dc.answer.map((l) => field(l, 4)),
    ['127.0.0.21'],
    'datacenter form',
  );

  const srv = await digAt(port, ['_geo-db-x._tcp.query.consul', 'SRV']);
  t.strictSame(
    srv.answer.map((l) => field(l, 4) + ' ' + field(l, 5) + ' ' + field(l, 6)),
    ['1 1 5432'],
    'RFC 2782 form: SRV with the port',
  );
  t.match(
    field(srv.answer[0] ?? '', 7),
    /^7f000015\.addr\.dc1\.consul\.$/,
    'SRV target as the service form names it',
  );
  t.strictSame(
    srv.additional.filter((l) => l.includes(' IN A ')).map((l) => field(l, 4)),
    ['127.0.0.21'],
    'target address in the additional section',
  );
  const srv2 = await digAt(port, ['web-passing.query.consul', 'SRV']);
  t.strictSame(
    srv2.answer.map((l) => field(l, 6) + ' ' + field(l, 7)),
    ['8081 7f00000b.addr.dc1.consul.'],
  );

  const unknown = await digAt(port, ['nope.query.consul', 'A']);
  t.equal(unknown.status, 'NXDOMAIN', 'an unknown query');
  t.match(unknown.authority[0] ?? '', /^consul\. \d+ IN SOA ns\.consul\. /, 'SOA in authority');
  const otherDc = await digAt(port, ['web-passing.query.dc2.consul', 'A']);
  t.equal(otherDc.status, 'NXDOMAIN', 'another datacenter');
  const bare = await digAt(port, ['query.consul', 'A']);
  t.not(bare.status, 'SERVFAIL', 'query.consul names no query');

  // An answer follows health once its TTL is over (short: 1 s), never later.
  await request(catalog, 'PUT', '/v1/agent/check/pass/web-2-ttl');
  await eventually('warning instance back after the TTL', async () => {
    const r = await digAt(port, ['short.query.consul', 'A']);
    return r.answer.length === 2;
  });
  t.ok((server.queries?.executes ?? 0) >= 5, 'executed through the catalog');
  t.ok((server.queries?.hits ?? 0) >= 3, 'the SRV and datacenter forms came from the cache');
});

t.test(
  'catalog down or past the deadline: SERVFAIL, never an answer older than its TTL',
  async (t) => {
    const catalog = await catalogWithQueries(t);
    const hung = createServer(() => undefined); // accepts, never answers
    await new Promise<void>((r) => hung.listen(0, '127.0.0.1', r));
    t.teardown(() => {
      hung.closeAllConnections();
      hung.close();
    });
    const hungUrl = `http://127.0.0.1:${(hung.address() as AddressInfo).port}`;
    const slow = await dnsFor(t, hungUrl, catalog.url, { queryTimeout: 300 });
    const r = await digAt(slow.port, ['web-passing.query.consul', 'A']);
    t.equal(r.status, 'SERVFAIL', 'no answer within queryTimeout');
    t.equal(slow.server.queries?.failures, 1);

    const { server, port } = await dnsFor(t, catalog.url, catalog.url);
    t.strictSame((await digAt(port, ['short.query.consul', 'A'])).answer.length, 1);
    await catalog.close();
    t.equal((await digAt(port, ['web-any.query.consul', 'A'])).status, 'SERVFAIL', 'uncached name');
    // short (TTL 1 s) was cached: it may be answered until its TTL is over, then SERVFAIL.
    await eventually(
      'cached answer expires into SERVFAIL',
      async () => {
        return (await digAt(port, ['short.query.consul', 'A'])).status === 'SERVFAIL';
      },
      { timeoutMs: 5000 },
    );
    t.ok((server.queries?.failures ?? 0) >= 2);
  },
);

t.test('a flood of distinct names does not grow the cache past its cap', async (t) => {
  const catalog = await catalogWithQueries(t);
  const { server, port } = await dnsFor(t, catalog.url, catalog.url, { queryCacheSize: 8 });
  const registry = createRegistry('dns', false);
  bindDnsMetrics(server, registry);
  const dir = await mkdtemp(join(tmpdir(), 'dnsq-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const names = Array.from({ length: 150 }, (_, i) => `flood-${i}.query.consul A`);
  names.push('web-passing.query.consul A', 'geo-db-x.query.consul A');
  await writeFile(join(dir, 'batch'), names.join('\n') + '\n');
  // One dig process, every name in turn.
  const out = await dig([
    '@127.0.0.1',
    '-p',
    String(port),
    '+tries=1',
    '+time=3',
    '-f',
    join(dir, 'batch'),
  ]);
  t.equal(out.match(/status: NXDOMAIN/g)?.length, 150, 'each flood name NXDOMAIN');
  t.equal(out.match(/status: NOERROR/g)?.length, 2);
  const q = server.queries;
  t.equal(q?.executes, 152, 'every distinct name executed once');
  t.ok((q?.entries ?? Infinity) <= 8, `cache entries ${q?.entries} <= 8`);
  const metric = await registry.getSingleMetricAsString('berth_dns_query_cache_entries');
  const value = Number(/^berth_dns_query_cache_entries(?:\{[^}]*\})? (\d+)$/m.exec(metric)?.[1]);
  t.ok(value <= 8 && value > 0, `metric berth_dns_query_cache_entries ${value}`);
  // The most recent names are the ones kept: answered without a new call.
  await digAt(port, ['geo-db-x.query.consul', 'A']);
  t.equal(server.queries?.executes, 152, 'a recent name came from the cache');
  t.equal(server.queries?.hits, 1);
});

t.test('concurrent lookups of one name make one execute call', async (t) => {
  const catalog = await catalogWithQueries(t);
  // A proxy in front of the catalog that counts execute calls and holds them until released.
  let executes = 0;
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const proxy = createServer((req: IncomingMessage, res: ServerResponse) => {
    void (async () => {
      if (req.url?.endsWith('/execute')) {
        executes++;
        await gate;
      }
      const r = await fetch(`${catalog.url}${req.url ?? '/'}`, {
        headers: req.headers['x-consul-token']
          ? { 'X-Consul-Token': String(req.headers['x-consul-token']) }
          : {},
      });
      res.writeHead(r.status, { 'content-type': r.headers.get('content-type') ?? 'text/plain' });
      res.end(Buffer.from(await r.arrayBuffer()));
    })();
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
  t.teardown(() => {
    release();
    proxy.closeAllConnections();
    proxy.close();
  });
  const proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
  const { server, port } = await dnsFor(t, proxyUrl, catalog.url);
  const n = 8;
  const digs = Array.from({ length: n }, () => digAt(port, ['web-passing.query.consul', 'A']));
  await eventually('every lookup waiting on the call', () => server.queries?.waiting === n, {
    timeoutMs: 8000,
  });
  t.equal(executes, 1, 'one execute call for all of them');
  release();
  const replies = await Promise.all(digs);
  t.strictSame(
    replies.map((r) => r.answer.map((l) => field(l, 4)).join()),
    Array.from({ length: n }, () => '127.0.0.11'),
    'every lookup got the answer',
  );
  t.equal(server.queries?.coalesced, n - 1);
  t.equal(executes, 1);
});

t.test('with ACLs on (default deny), the dns token executes the query', async (t) => {
  const root = '9b6a6a3c-1111-4111-8111-000000000001';
  const dnsSecret = '9b6a6a3c-2222-4222-8222-000000000002';
  const catalog = await startCatalog({
    listen: '127.0.0.1:0',
    node: 'node1',
    advertise: '127.0.0.1',
    aclEnabled: true,
    aclDefaultPolicy: 'deny',
    aclInitialManagement: root,
  });
  t.teardown(() => catalog.close());
  const as = (method: string, path: string, body?: unknown): Promise<unknown> =>
    request(catalog, method, path, body, root);
  await as('PUT', '/v1/agent/service/register', {
    ID: 'web-1',
    Name: 'web',
    Address: '127.0.0.11',
    Port: 8081,
  });
  await as('POST', '/v1/query', { Name: 'web', Service: { Service: 'web' } });
  // berth dev's berth-dns policy.
  await as('PUT', '/v1/acl/policy', {
    Name: 'berth-dns',
    Rules:
      'service_prefix "" { policy = "read" } node_prefix "" { policy = "read" } query_prefix "" { policy = "read" }',
  });
  await as('PUT', '/v1/acl/token', {
    SecretID: dnsSecret,
    Description: 'berth dns',
    Policies: [{ Name: 'berth-dns' }],
  });
  const source = consulSource({ url: catalog.url, token: dnsSecret, watch: { waitMs: 5000 } });
  t.teardown(() => source.close());
  const server = await startDns(
    { listen: [{ host: '127.0.0.1', port: 0 }], consul: catalog.url, consulToken: dnsSecret },
    source,
  );
  t.teardown(() => server.close());
  await eventually('first table', () => server.table !== undefined);
  const port = server.addresses[0]?.port ?? 0;
  // The anonymous token reads nothing here: an answer means the dns token was sent.
  const r = await digAt(port, ['web.query.consul', 'A']);
  t.strictSame(
    r.answer.map((l) => field(l, 4)),
    ['127.0.0.11'],
  );
});
