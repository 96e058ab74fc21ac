/**
 * The options of the responder (`startDns`), keyed as `berth dns`'s config so the daemon passes
 * its config through unchanged, and their eager validation into the settings the engine and
 * the zone use. Pure: never reads the environment; every error names the option at fault.
 */
import { DnsOptionError } from '../errors.js';
import { isLabel } from './wire.js';
import type { ServiceTtl, ZoneOptions } from './zone-options.js';

/** Where to listen: `host` '' means every interface (IPv4). */
export interface DnsListen {
  readonly host: string;
  readonly port: number;
}

/** Options of startDns; everything but `listen` has a default. Durations are ms. */
export interface DnsOptions {
  /** UDP and TCP on each; port 0 picks a free port (the same for UDP and TCP). */
  readonly listen: readonly DnsListen[];
  /** Default `consul`. */
  readonly domain?: string | undefined;
  readonly altDomain?: string | undefined;
  /** `ip[:port]` of upstream resolvers, tried in order. None: REFUSED outside our domains. */
  readonly recursor?: readonly string[] | undefined;
  /** One attempt (UDP, or TCP after a truncated reply) at one recursor, ms (default 2000). */
  readonly recursorTimeout?: number | undefined;
  readonly onlyPassing?: boolean | undefined;
  /** `web=30`, `web*=10`, `*=5` (or already parsed rules). */
  readonly serviceTtl?: readonly (string | ServiceTtl)[] | undefined;
  /** Seconds (default 0). */
  readonly nodeTtl?: number | undefined;
  /** 0 = no limit (default). */
  readonly aRecordLimit?: number | undefined;
  /** Node metadata as TXT in the additional section of node and SRV answers (default true). */
  readonly nodeMetaTxt?: boolean | undefined;
  /** Consul address for the built-in source (used when startDns gets no source). */
  readonly consul?: string | undefined;
  readonly consulToken?: string | undefined;
  /** Environment for CONSUL_HTTP_ADDR / CONSUL_HTTP_TOKEN of the built-in source. */
  readonly env?: Readonly<Record<string, string | undefined>> | undefined;
  /** A TCP connection with nothing going on is closed after this, ms (default 10000). */
  readonly tcpIdleTimeout?: number | undefined;
  /** A TCP message must arrive whole within this from its first byte, ms (default 5000). */
  readonly tcpReadTimeout?: number | undefined;
  /** Most TCP connections at once (default 1000). */
  readonly maxTcpConnections?: number | undefined;
  /** Share the sockets with other cluster workers instead of binding them alone. */
  readonly shared?: boolean | undefined;
  /** Deadline of one prepared query execute call, ms (default 2000). */
  readonly queryTimeout?: number | undefined;
  /** Most prepared query names whose answers are cached (default 4096). */
  readonly queryCacheSize?: number | undefined;
}

/** How prepared query lookups are bounded (see query-lookup.ts). */
export interface QuerySettings {
  readonly timeoutMs: number;
  readonly maxEntries: number;
  readonly maxInFlight: number;
  readonly zeroTtlMs: number;
  readonly negativeMs: number;
}

/** Most execute calls open at once (like the forwarder's 1,024 forwards). */
export const QUERY_MAX_IN_FLIGHT = 256;
/** How long an answer with TTL 0, or "no such query", is reused, ms. */
export const QUERY_SHORT_CACHE_MS = 1000;

/** DnsOptions validated and filled with defaults. */
export interface ServerSettings {
  readonly listen: readonly DnsListen[];
  /** Main domain first, then the alternative one. */
  readonly domains: readonly string[];
  readonly recursors: readonly string[];
  readonly recursorTimeoutMs: number;
  readonly zone: ZoneOptions;
  readonly tcpIdleTimeoutMs: number;
  readonly tcpReadTimeoutMs: number;
  readonly maxTcpConnections: number;
  readonly shared: boolean;
  readonly query: QuerySettings;
}

function normDomain(option: string, d: string): string {
  const v = d.trim().toLowerCase().replace(/\.+$/, '');
  if (v === '' || !v.split('.').every(isLabel))
    throw new DnsOptionError(option, `${JSON.stringify(d)} is not a domain`);
  return v;
}

function nonNegativeInt(option: string, v: number): number {
  if (!Number.isSafeInteger(v) || v < 0)
    throw new DnsOptionError(option, `must be a non-negative integer, got ${v}`);
  return v;
}

function positive(option: string, v: number): number {
  if (!Number.isFinite(v) || v <= 0)
    throw new DnsOptionError(option, `must be a positive number, got ${v}`);
  return v;
}

/** Parses `--service-ttl` values: `web=30`, `web*=10`, `*=5`. */
export function parseServiceTtls(values: readonly (string | ServiceTtl)[]): ServiceTtl[] {
  return values.map((v) => {
    if (typeof v !== 'string') return { pattern: v.pattern.toLowerCase(), ttl: v.ttl };
    const m = /^([^=\s]+)=(\d+)$/.exec(v.trim());
    if (!m) throw new DnsOptionError('serviceTtl', `${JSON.stringify(v)} is not NAME=SECONDS`);
    return { pattern: (m[1] ?? '').toLowerCase(), ttl: Number(m[2]) };
  });
}

/** Validates `options`; throws DnsOptionError naming the first bad option. */
export function serverSettings(options: DnsOptions): ServerSettings {
  if (options.listen.length === 0)
    throw new DnsOptionError('listen', 'at least one address is needed');
  const domain = normDomain('domain', options.domain ?? 'consul');
  const alt = options.altDomain ? normDomain('altDomain', options.altDomain) : undefined;
  const domains = alt && alt !== domain ? [domain, alt] : [domain];
  const serviceTtl = parseServiceTtls(options.serviceTtl ?? []);
  for (const r of serviceTtl) nonNegativeInt('serviceTtl', r.ttl);
  const nsAddresses = options.listen
    .map((l) => l.host)
    .filter((h) => h !== '' && h !== '0.0.0.0' && h !== '::');
  return {
    listen: options.listen,
    domains,
    recursors: options.recursor ?? [],
    recursorTimeoutMs: positive('recursorTimeout', options.recursorTimeout ?? 2000),
    zone: {
      domains,
      onlyPassing: options.onlyPassing ?? false,
      serviceTtl,
      nodeTtl: nonNegativeInt('nodeTtl', options.nodeTtl ?? 0),
      aRecordLimit: nonNegativeInt('aRecordLimit', options.aRecordLimit ?? 0),
      nsAddresses: [...new Set(nsAddresses)],
      nodeMetaTxt: options.nodeMetaTxt ?? true,
    },
    tcpIdleTimeoutMs: positive('tcpIdleTimeout', options.tcpIdleTimeout ?? 10_000),
    tcpReadTimeoutMs: positive('tcpReadTimeout', options.tcpReadTimeout ?? 5000),
    maxTcpConnections: nonNegativeInt('maxTcpConnections', options.maxTcpConnections ?? 1000),
    shared: options.shared ?? false,
    query: {
      timeoutMs: positive('queryTimeout', options.queryTimeout ?? 2000),
      maxEntries: nonNegativeInt('queryCacheSize', options.queryCacheSize ?? 4096),
      maxInFlight: QUERY_MAX_IN_FLIGHT,
      zeroTtlMs: QUERY_SHORT_CACHE_MS,
      negativeMs: QUERY_SHORT_CACHE_MS,
    },
  };
}
