/**
 * `berth dns` as a daemon: config loading (flags, env), /health (starting, ok, degraded when
 * the catalog is stale past --max-stale, with how stale) and /metrics over a real admin
 * listener.
 */
import t from 'tap';
import { Writable } from 'node:stream';
import { Health, Shutdown, createLogger, createRegistry, loadConfig } from '@berth/daemon';
import { eventually, stays } from '@berth/daemon/testing';
import {
  DnsOptionError,
  command,
  dnsOptions,
  healthOf,
  parseServiceTtls,
  runDns,
} from '@berth/dns';
import { MemoryCatalogSource } from '@berth/dns/testing';
import { digAt, snapshot } from './fixtures.js';

function context(): { ctx: Parameters<typeof runDns>[1]; lines: string[] } {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, cb) {
      lines.push(chunk.toString());
      cb();
    },
  });
  return {
    lines,
    ctx: {
      log: createLogger({ component: 'dns', level: 'debug', destination }),
      registry: createRegistry('dns', false),
      health: new Health(),
      shutdown: new Shutdown(5000),
    },
  };
}

t.test('config: flags, env and defaults', async (t) => {
  const cfg = loadConfig(
    dnsOptions,
    [
      '--listen',
      '127.0.0.1:0',
      '--listen',
      '127.0.0.2:53',
      '--recursor',
      '127.0.0.1:5353',
      '--service-ttl',
      'web=30',
      '--only-passing',
      '--alt-domain',
      'berth.test',
    ],
    { CONSUL_HTTP_ADDR: '127.0.0.1:8501' },
  );
  t.strictSame(cfg.listen, [
    { host: '127.0.0.1', port: 0 },
    { host: '127.0.0.2', port: 53 },
  ]);
  t.equal(cfg.consul, 'http://127.0.0.1:8501');
  t.strictSame(cfg.recursor, ['127.0.0.1:5353']);
  t.equal(cfg.onlyPassing, true);
  t.equal(cfg.domain, 'consul');
  t.equal(cfg.altDomain, 'berth.test');
  t.strictSame(cfg.admin, { host: '127.0.0.1', port: 8601 });
  t.equal(cfg.maxStale, 30_000);
  t.equal(command.name, 'dns');
});

t.test('--service-ttl parsing', async (t) => {
  const cases = [
    {
      input: ['web=30', 'API*=5', '*=1'],
      want: [
        { pattern: 'web', ttl: 30 },
        { pattern: 'api*', ttl: 5 },
        { pattern: '*', ttl: 1 },
      ],
    },
  ];
  for (const c of cases) t.strictSame(parseServiceTtls(c.input), c.want);
  for (const bad of ['web', 'web=x', '=5', 'web=-1']) {
    t.throws(() => parseServiceTtls([bad]), DnsOptionError, bad);
  }
});

t.test('healthOf: starting, ok, degraded with how stale', async (t) => {
  const cases = [
    {
      name: 'no snapshot yet',
      input: {
        ready: false,
        index: undefined,
        snapshotAgeMs: undefined,
        staleForMs: undefined,
        names: 0,
      },
      want: 'starting',
    },
    {
      name: 'in sync',
      input: { ready: true, index: 5n, snapshotAgeMs: 90_000, staleForMs: undefined, names: 3 },
      want: 'ok',
    },
    {
      name: 'stale within the bound',
      input: { ready: true, index: 5n, snapshotAgeMs: 20_000, staleForMs: 10_000, names: 3 },
      want: 'ok',
    },
    {
      name: 'stale past the bound',
      input: { ready: true, index: 5n, snapshotAgeMs: 50_000, staleForMs: 45_000, names: 3 },
      want: 'degraded',
    },
  ];
  for (const c of cases) t.equal(healthOf(c.input, 30_000).status, c.want, c.name);
  const now = Date.parse('2026-11-22T10:00:00.400Z');
  const stale = (at: number): Parameters<typeof healthOf>[0] => ({
    ready: true,
    index: 5n,
    snapshotAgeMs: at - (now - 50_000),
    staleForMs: at - (now - 45_000),
    staleSince: now - 45_000,
    fetchedAt: now - 50_000,
    names: 3,
  });
  const reason = healthOf(stale(now), 30_000, now).reasons[0];
  t.equal(
    reason,
    'catalog unreachable since 2026-11-22T09:59:15.000Z; answering from the snapshot at index 5, fetched 2026-11-22T09:59:10.000Z',
  );
  t.equal(
    healthOf(stale(now + 7_300), 30_000, now + 7_300).reasons[0],
    reason,
    'the same reason while the outage lasts (so it is logged once)',
  );
});

t.test('the daemon: /health flips with the source, /metrics counts queries', async (t) => {
  const { ctx, lines } = context();
  const source = new MemoryCatalogSource();
  const cfg = loadConfig(
    dnsOptions,
    ['--listen', '127.0.0.1:0', '--admin', '127.0.0.1:0', '--max-stale', '5s'],
    {},
  );
  const { server, admin } = await runDns(cfg, ctx, source);
  t.teardown(() => ctx.shutdown.run());
  const base = `http://127.0.0.1:${admin?.address.port ?? 0}`;
  const health = async (): Promise<{
    status: number;
    body: { status: string; reasons: string[]; details?: Record<string, unknown> };
  }> => {
    const r = await fetch(`${base}/health`);
    return { status: r.status, body: (await r.json()) as { status: string; reasons: string[] } };
  };

  let h = await health();
  t.equal(h.status, 503);
  t.equal(h.body.status, 'starting');
  const port = server.addresses[0]?.port ?? 0;
  t.equal(
    (await digAt(port, ['web.service.consul'])).status,
    'SERVFAIL',
    'SERVFAIL before the first snapshot',
  );

  source.set(snapshot([{ service: 'web', address: '127.0.0.2' }], undefined, { index: 7n }));
  h = await health();
  t.equal(h.status, 200);
  t.equal(h.body.status, 'ok');
  t.equal(h.body.details?.index, '7');

  source.markStale(Date.now() - 60_000);
  await eventually('/health degraded', async () => (await health()).body.status === 'degraded');
  h = await health();
  t.equal(h.status, 503);
  t.equal(h.body.status, 'degraded');
  t.match(
    h.body.reasons[0],
    /^catalog unreachable since .*; answering from the snapshot at index 7/,
  );
  t.ok(Number(h.body.details?.staleSeconds) >= 60);
  t.equal(
    (await digAt(port, ['web.service.consul'])).answer.length,
    1,
    'still answering while stale',
  );

  const said = (text: string): number => lines.filter((l) => l.includes(text)).length;
  t.equal(said('catalog unreachable; answering from the last snapshot'), 1, 'outage logged once');
  // runDaemon logs one 'health changed' line per Health change event.
  let changes = 0;
  ctx.health.on('change', () => changes++);
  await stays('no health change while the outage lasts', () => changes === 0, {
    periodMs: 2200,
  });
  source.markFresh();
  await eventually(
    '/health ok again once fresh',
    async () => (await health()).body.status === 'ok',
  );
  t.equal(said('catalog reachable again after'), 1, 'its end logged once, with its length');
  t.match(
    lines.find((l) => l.includes('catalog reachable again after')),
    /after 1m\d/,
  );

  await digAt(port, ['nope.service.consul']);
  await digAt(port, ['+tcp', 'web.service.consul', 'SRV']);
  const metrics = await (await fetch(`${base}/metrics`)).text();
  t.match(metrics, /berth_dns_queries_total\{proto="udp",type="A",rcode="NOERROR"[^}]*\} [1-9]/);
  t.match(metrics, /berth_dns_queries_total\{proto="udp",type="A",rcode="NXDOMAIN"[^}]*\} 1/);
  t.match(metrics, /berth_dns_queries_total\{proto="udp",type="A",rcode="SERVFAIL"[^}]*\} 1/);
  t.match(metrics, /berth_dns_queries_total\{proto="tcp",type="SRV",rcode="NOERROR"[^}]*\} 1/);
  t.match(metrics, /berth_dns_query_duration_seconds_bucket/);
  t.match(metrics, /berth_dns_snapshot_age_seconds\{[^}]*\} \d/);
  t.match(metrics, /berth_dns_stale_seconds\{[^}]*\} 0/);
  t.match(metrics, /berth_dns_catalog_index\{[^}]*\} 7/);
  t.match(metrics, /berth_dns_table_builds_total\{result="ok"[^}]*\} 1/);
  t.match(metrics, /berth_dns_table_services_rebuilt_total(\{[^}]*\})? 1/);
  t.ok(
    lines.some((l) => l.includes('dns table updated')),
    'table change logged',
  );
  t.ok(
    lines.some((l) => l.includes('dns zone changed')),
    'zone diff logged at debug',
  );
});
