/**
 * Requests per upstream instance (issue 21): which catalog instance (Consul service name,
 * instance ID and Meta `berth-container`) each proxied request went to, for /metrics and the
 * scheduler's ALBRequestCountPerTarget. The catalog snapshot names the instances; a target is
 * matched to one by service and address:port. Bounded by the catalog: an instance that left it
 * is dropped once its last counts were taken. Pure bookkeeping: no I/O, no clock; the hot path
 * is one map lookup and an increment.
 */
import type { InstanceRequestCount } from '@berth/protocol';
import { META_CONTAINER } from '@berth/protocol';

/** The part of a catalog instance this module reads (structural, as RouteSnapshot). */
export interface CountedInstance {
  readonly id?: string;
  readonly address: string;
  readonly nodeAddress: string;
  readonly port: number;
  readonly meta?: Readonly<Record<string, string>>;
}

interface Counter {
  readonly service: string;
  readonly instanceId: string;
  containerId: string;
  /** Since the router started (for /metrics). */
  total: number;
  /** Since the last take(). */
  pending: number;
  /** In the current catalog. */
  live: boolean;
}

const addr = (host: string, port: number): string =>
  `${host.startsWith('[') ? host.slice(1, -1) : host}:${port}`;

/** The request counters of one router process. */
export class RequestCounts {
  /** `service\naddress:port` → counter of the instance there. */
  #byTarget = new Map<string, Counter>();
  /** `service\ninstanceId` → counter (the live ones and gone ones with pending counts). */
  readonly #byInstance = new Map<string, Counter>();

  /** A new catalog view: instances that joined get counters, those that left are marked. */
  setInstances(services: ReadonlyMap<string, readonly CountedInstance[]>): void {
    const byTarget = new Map<string, Counter>();
    for (const c of this.#byInstance.values()) c.live = false;
    for (const [service, list] of services) {
      for (const i of list) {
        if (!i.id) continue;
        const k = `${service}\n${i.id}`;
        const containerId = i.meta?.[META_CONTAINER] ?? '';
        let c = this.#byInstance.get(k);
        if (!c) {
          c = { service, instanceId: i.id, containerId, total: 0, pending: 0, live: true };
          this.#byInstance.set(k, c);
        }
        c.containerId = containerId;
        c.live = true;
        byTarget.set(`${service}\n${addr(i.address || i.nodeAddress, i.port)}`, c);
      }
    }
    for (const [k, c] of this.#byInstance)
      if (!c.live && c.pending === 0) this.#byInstance.delete(k);
    this.#byTarget = byTarget;
  }

  /** Counts one request answered by the upstream of `service` at `hostname:port`. */
  count(service: string, hostname: string, port: number): void {
    const c = this.#byTarget.get(`${service}\n${addr(hostname, port)}`);
    if (c === undefined) return;
    c.total++;
    c.pending++;
  }

  /**
   * The counts since the last take, of every instance in the catalog (0 included: the
   * router routes to it and nobody asked) and of instances gone since with counts left; then
   * forgets the gone ones.
   */
  take(): InstanceRequestCount[] {
    const out: InstanceRequestCount[] = [];
    for (const [k, c] of this.#byInstance) {
      out.push({
        service: c.service,
        instanceId: c.instanceId,
        containerId: c.containerId,
        requests: c.pending,
      });
      c.pending = 0;
      if (!c.live) this.#byInstance.delete(k);
    }
    return out;
  }

  /** Totals of the instances in the catalog, for /metrics. */
  totals(): { service: string; instanceId: string; total: number }[] {
    const out: { service: string; instanceId: string; total: number }[] = [];
    for (const c of this.#byInstance.values()) {
      if (c.live) out.push({ service: c.service, instanceId: c.instanceId, total: c.total });
    }
    return out;
  }
}

/** Adds `more` into `into` by service and instance (one instance's counts summed). */
export function mergeCounts(
  into: Map<string, InstanceRequestCount>,
  more: readonly InstanceRequestCount[],
  max: number,
): number {
  let dropped = 0;
  for (const m of more) {
    const k = `${m.service}\n${m.instanceId}`;
    const had = into.get(k);
    if (had) into.set(k, { ...m, requests: had.requests + m.requests });
    else if (into.size < max) into.set(k, m);
    else dropped += m.requests;
  }
  return dropped;
}
