/**
 * The options that shape a zone beyond the snapshot, and the per-instance rules they imply:
 * service TTLs, which instances are served, SRV weights. Pure; never reads the environment.
 */
import type { ServiceInstance } from '@berth/consul';

/** A `--service-ttl` rule: `web=30` (exact) or `web*=30` (prefix) or `*=5` (default). */
export interface ServiceTtl {
  readonly pattern: string;
  readonly ttl: number;
}

/** What shapes the zone beyond the snapshot. */
export interface ZoneOptions {
  /** Served domains, main first (`consul`), then `--alt-domain`. */
  readonly domains: readonly string[];
  /** Serve only instances whose checks all pass (warning excludes too). */
  readonly onlyPassing: boolean;
  readonly serviceTtl: readonly ServiceTtl[];
  /** TTL of node, addr and PTR answers, seconds. */
  readonly nodeTtl: number;
  /** Most A/AAAA records per answer after rotation; 0 = no limit. */
  readonly aRecordLimit: number;
  /** Addresses answered for `ns.<domain>` and given as NS glue (may be empty). */
  readonly nsAddresses: readonly string[];
  /**
   * Node metadata as TXT in the additional section of node and SRV answers, as Consul does
   * by default (default true). TXT queries for a node are answered either way.
   */
  readonly nodeMetaTxt?: boolean;
}

/** The TTL for a service: the exact rule, else the longest matching prefix rule, else `*`. */
export function serviceTtlFor(rules: readonly ServiceTtl[], service: string): number {
  let best: ServiceTtl | undefined;
  for (const r of rules) {
    if (r.pattern === service) return r.ttl;
    if (!r.pattern.endsWith('*')) continue;
    const prefix = r.pattern.slice(0, -1);
    if (service.startsWith(prefix) && (!best || prefix.length > best.pattern.length - 1)) best = r;
  }
  return best?.ttl ?? 0;
}

/** Whether an instance is served: no critical check (nor warning with onlyPassing), no maintenance. */
export function isServed(inst: ServiceInstance, onlyPassing: boolean): boolean {
  if (inst.maintenance) return false;
  return onlyPassing ? inst.status === 'passing' : inst.status !== 'critical';
}

/**
 * The SRV weight of a served instance, as Consul gives it: `Weights.Warning` while a check
 * warns, else `Weights.Passing`; 1 when the snapshot carries no weights.
 */
export function srvWeight(inst: ServiceInstance): number {
  const w = inst.weights;
  if (!w) return 1;
  const v = inst.status === 'warning' ? w.warning : w.passing;
  return Number.isInteger(v) && v >= 0 && v <= 0xffff ? v : 1;
}
