/**
 * Binds a DnsServer's counters and status to Prometheus metrics on a registry. Counters are
 * read from the server's typed arrays at scrape time, so the hot path never touches
 * prom-client. Must never be called per query.
 */
import { Counter, Gauge, Histogram, type Registry } from '@berth/daemon';
import { DnsStats, LATENCY_RING, SAMPLE_EVERY } from '../core/stats.js';
import type { DnsServer } from '../engine-api.js';
import type { QueryLookupStats } from '../query-lookup.js';

/** Latency buckets in seconds: a DNS answer from memory takes microseconds. */
export const LATENCY_BUCKETS = [
  0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.05,
];

/** Registers berth dns metrics for `server` on `registry`. */
export function bindDnsMetrics(server: DnsServer, registry: Registry): void {
  const stats = server.stats;
  const seen = new Float64Array(stats.answers.length);
  new Counter({
    name: 'berth_dns_queries_total',
    help: 'Queries answered, by transport, query type and response code',
    labelNames: ['proto', 'type', 'rcode'],
    registers: [registry],
    collect() {
      const a = stats.answers;
      for (let i = 0; i < a.length; i++) {
        const delta = (a[i] as number) - (seen[i] as number);
        if (delta > 0) {
          this.inc(DnsStats.labels(i), delta);
          seen[i] = a[i] as number;
        }
      }
    },
  });
  let drained = 0;
  new Histogram({
    name: 'berth_dns_query_duration_seconds',
    help: `Time from packet to reply handed to the socket, sampled (1 query in ${SAMPLE_EVERY})`,
    buckets: LATENCY_BUCKETS,
    registers: [registry],
    collect() {
      const end = stats.latencyWritten;
      const from = Math.max(drained, end - LATENCY_RING);
      for (let i = from; i < end; i++) this.observe(stats.latency[i % LATENCY_RING] as number);
      drained = end;
    },
  });
  const simple = (name: string, help: string, read: () => number): void => {
    let last = 0;
    new Counter({
      name,
      help,
      registers: [registry],
      collect() {
        const v = read();
        if (v > last) this.inc(v - last);
        last = v;
      },
    });
  };
  simple(
    'berth_dns_dropped_total',
    'Packets dropped without an answer (too short, a response, bad TCP framing)',
    () => stats.dropped,
  );
  simple('berth_dns_forwarded_total', 'Queries forwarded to recursors', () => stats.forwarded);
  simple(
    'berth_dns_forward_failures_total',
    'Forwarded queries where every recursor failed (answered SERVFAIL)',
    () => stats.forwardFailures,
  );
  simple(
    'berth_dns_forward_overload_total',
    'Queries answered SERVFAIL because too many forwards were in flight',
    () => stats.forwardOverload,
  );
  // With --workers the primary sums the workers' registries: say how each gauge combines.
  const gauge = (
    name: string,
    help: string,
    read: () => number,
    aggregator: 'sum' | 'max' | 'min' = 'max',
  ): void => {
    new Gauge({
      name,
      help,
      aggregator,
      registers: [registry],
      collect() {
        this.set(read());
      },
    });
  };
  gauge(
    'berth_dns_snapshot_age_seconds',
    'Seconds since the catalog snapshot in use was fetched (-1 before the first)',
    () => {
      const s = server.status();
      return s.snapshotAgeMs === undefined ? -1 : s.snapshotAgeMs / 1000;
    },
  );
  gauge(
    'berth_dns_stale_seconds',
    'Seconds the catalog source has been cut off from Consul (0 when in sync)',
    () => (server.status().staleForMs ?? 0) / 1000,
  );
  gauge(
    'berth_dns_catalog_index',
    'Consul index of the snapshot in use',
    () => Number(server.table?.index ?? 0n),
    'min',
  );
  gauge('berth_dns_table_names', 'Names in the table in use', () => server.table?.names.size ?? 0);
  gauge('berth_dns_tcp_connections', 'Open TCP connections', () => server.tcpConnections, 'sum');
  // Prepared query lookups (NAME.query.<domain>).
  const q = (pick: (s: QueryLookupStats) => number) => (): number =>
    server.queries ? pick(server.queries) : 0;
  simple(
    'berth_dns_query_executes_total',
    'Prepared query execute calls made to Consul',
    q((s) => s.executes),
  );
  simple(
    'berth_dns_query_not_found_total',
    'Execute calls answered 404 (NXDOMAIN)',
    q((s) => s.notFound),
  );
  simple(
    'berth_dns_query_failures_total',
    'Execute calls that failed or passed their deadline (SERVFAIL)',
    q((s) => s.failures),
  );
  simple(
    'berth_dns_query_cache_hits_total',
    'Prepared query lookups answered from the cache',
    q((s) => s.hits),
  );
  simple(
    'berth_dns_query_coalesced_total',
    'Prepared query lookups that joined a call already open for the same name',
    q((s) => s.coalesced),
  );
  simple(
    'berth_dns_query_overload_total',
    'Prepared query lookups answered SERVFAIL because too many calls were open',
    q((s) => s.overload),
  );
  gauge(
    'berth_dns_query_cache_entries',
    'Prepared query names cached',
    q((s) => s.entries),
    'sum',
  );
  gauge(
    'berth_dns_query_in_flight',
    'Execute calls open',
    q((s) => s.inFlight),
    'sum',
  );

  const builds = new Counter({
    name: 'berth_dns_table_builds_total',
    help: 'Tables built from catalog snapshots, by result',
    labelNames: ['result'],
    registers: [registry],
  });
  const buildTime = new Histogram({
    name: 'berth_dns_table_build_seconds',
    help: 'Time to build and compile a table from a snapshot',
    buckets: [0.0005, 0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [registry],
  });
  const rebuilt = new Counter({
    name: 'berth_dns_table_services_rebuilt_total',
    help: 'Services whose answers a table build recompiled (the others were reused)',
    registers: [registry],
  });
  server.on('table', (t) => {
    builds.inc({ result: 'ok' });
    buildTime.observe(t.buildMs / 1000);
    rebuilt.inc(t.servicesRebuilt);
  });
  server.on('table-error', () => builds.inc({ result: 'error' }));
}
