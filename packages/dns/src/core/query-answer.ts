/**
 * The answers of a prepared query lookup (`NAME.query.<domain>`), built from what executing
 * the query returned with the same code as the service names (`instanceSets`), compiled to
 * the wire form `answerName` writes from. Pure: no sockets, no clock, no Consul; it must
 * never decide which instances are healthy (the catalog's execute did).
 */
import type { ServiceInstance } from '@berth/consul';
import { parseDuration } from '@berth/daemon';
import { WireCompiler, type WireName } from './compile-table.js';
import { Addresses } from './fragment-builder.js';
import { instanceSets } from './service-fragment.js';
import { isServed, serviceTtlFor, type ZoneOptions } from './zone-options.js';

/** What executing a prepared query returned (`GET /v1/query/:id/execute`). */
export interface QueryExecution {
  /** The service the query selected. */
  readonly service: string;
  /** `DNS.TTL` as the query holds it (a Go duration such as `10s`), or ''. */
  readonly ttl: string;
  /** The instances to answer, in the order execute gave them. */
  readonly instances: readonly ServiceInstance[];
  /** Node metadata by node name, for the TXT records of SRV answers. */
  readonly nodeMeta: ReadonlyMap<string, Readonly<Record<string, string>>>;
}

/** Largest TTL a record may carry (RFC 2181 §8). */
const MAX_TTL = 0x7fffffff;

/**
 * The TTL of a query's answers, in seconds: its `DNS.TTL` when set, else the service's TTL
 * (`--service-ttl`), as Consul falls back to `dns_config.service_ttl`. A TTL that does not
 * parse is 0 (Consul logs it and ignores it).
 */
export function queryTtlSeconds(e: QueryExecution, zone: ZoneOptions): number {
  if (e.ttl === '') return serviceTtlFor(zone.serviceTtl, e.service.toLowerCase());
  const ms = parseDuration(e.ttl);
  if (ms === undefined || !Number.isFinite(ms) || ms <= 0) return 0;
  return Math.min(MAX_TTL, Math.floor(ms / 1000));
}

/**
 * The compiled answers of one query lookup in domain `domain` (SRV targets named with
 * `dcPart`, e.g. `.dc1`). No instance: an NXDOMAIN entry, as Consul answers an empty result.
 */
export function compileQueryAnswer(
  e: QueryExecution,
  zone: ZoneOptions,
  domain: number,
  dcPart: string,
  ttl: number,
): WireName {
  const served = e.instances.filter((i) => isServed(i, false));
  const addrs = new Addresses();
  const addressSets = addrs.sets(
    served.map((i) => i.address),
    ttl,
    zone.aRecordLimit,
  );
  const sets = instanceSets(served, addressSets, {
    ttl,
    domain: zone.domains[domain] ?? '',
    dcPart,
    addrs,
    meta: zone.nodeMetaTxt === false ? undefined : (node) => e.nodeMeta.get(node),
    // `<hex>.addr` names are answered at query time for any address.
    claimAddr: () => undefined,
  });
  const entry = { domain, nxdomain: served.length === 0, sets };
  // Not an apex name: owner names compress to the question, whatever it was.
  return new WireCompiler(zone.domains).name(`query.${zone.domains[domain] ?? ''}`, entry);
}
