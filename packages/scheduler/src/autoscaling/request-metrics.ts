/**
 * The leader's in-memory request series per service (issue 21), from the routers'
 * ReportRequestCounts: "requests per target per minute" for `ALBRequestCountPerTarget`
 * target tracking, as ALB's RequestCountPerTarget (requests over the period ÷ targets).
 *
 * Window: the reports received in the last `windowMs` (default 20 s). Each router's rate is
 * its requests over the time its reports in the window cover (they say how long each covers),
 * so the jitter of which reports fall in the window does not skew it — or the rate of its
 * latest report when that is higher: a rise shows from the first report that carries it
 * (scale-out within one report interval, 10 s by default, plus the scaler's 5 s pass), a fall
 * only once the whole window is low (scale-in waits 20 s, not one quiet report). The
 * service's rate is the sum over routers, × 60 000 ms for per-minute, ÷ the service's RUNNING
 * tasks; ALB's metric is one minute. A service no router reported on in the window has no
 * data; one reported with zero requests has 0 (so it may scale in).
 *
 * Retried reports: per router the last applied report is kept (see @berth/protocol's
 * request-counts.ts): a resend is ignored, a report on the same acknowledged base adds only
 * what is new. Bounded: at most `maxRouters` routers (least recently heard dropped), at most
 * `maxEntries` entries per service and `maxServices` services; entries older than the window
 * go. Never reads the clock (callers pass `now`) and never does I/O.
 */
import { Gauge, type Registry } from '@berth/daemon';
import type { RequestCountsReport } from '@berth/protocol';

/** One report's requests to one service. */
interface Entry {
  readonly at: number;
  readonly router: string;
  readonly requests: number;
  readonly periodMs: number;
}

interface Applied {
  readonly sequence: number;
  readonly acknowledged: number;
  readonly periodMs: number;
  readonly counts: ReadonlyMap<string, number>;
}

export interface RequestMetricsOptions {
  /** The window the rate is measured over (ms, default 20000). */
  readonly windowMs?: number;
  readonly maxRouters?: number;
  readonly maxServices?: number;
  readonly maxEntries?: number;
}

/** What applying one report did. */
export interface AppliedReport {
  readonly duplicate: boolean;
  /** Requests added per service (serviceId → requests, 0 included). */
  readonly added: ReadonlyMap<string, number>;
}

const key = (service: string, instanceId: string): string => `${service}\n${instanceId}`;

export class RequestMetrics {
  readonly windowMs: number;
  readonly #routers = new Map<string, Applied>();
  readonly #series = new Map<string, Entry[]>();
  readonly #maxRouters: number;
  readonly #maxServices: number;
  readonly #maxEntries: number;

  constructor(o: RequestMetricsOptions = {}) {
    this.windowMs = o.windowMs ?? 20_000;
    this.#maxRouters = o.maxRouters ?? 1000;
    this.#maxServices = o.maxServices ?? 10_000;
    this.#maxEntries = o.maxEntries ?? 256;
  }

  /**
   * Applies one router report received at `now`; `serviceOf(containerId)` names the ECS
   * service (serviceId) a container's task belongs to, or undefined (not a service task).
   */
  apply(
    now: number,
    r: RequestCountsReport,
    serviceOf: (containerId: string) => string | undefined,
  ): AppliedReport {
    const last = this.#routers.get(r.routerId);
    if (last && r.sequence <= last.sequence) return { duplicate: true, added: new Map() };
    // The previous report was applied but its answer never reached the router: this one
    // repeats its counts (same base) and adds what came since.
    const repeat = last !== undefined && r.acknowledged === last.acknowledged;
    const counts = new Map<string, number>();
    const added = new Map<string, number>();
    for (const i of r.instances) {
      const k = key(i.service, i.instanceId);
      counts.set(k, (counts.get(k) ?? 0) + i.requests);
      const svc = i.containerId ? serviceOf(i.containerId) : undefined;
      if (svc === undefined) continue;
      const before = repeat ? (last.counts.get(k) ?? 0) : 0;
      added.set(svc, (added.get(svc) ?? 0) + Math.max(0, i.requests - before));
    }
    const periodMs = Math.max(1, repeat ? r.periodMs - last.periodMs : r.periodMs);
    this.#routers.delete(r.routerId);
    this.#routers.set(r.routerId, {
      sequence: r.sequence,
      acknowledged: r.acknowledged,
      periodMs: r.periodMs,
      counts,
    });
    while (this.#routers.size > this.#maxRouters) {
      this.#routers.delete(this.#routers.keys().next().value as string);
    }
    for (const [svc, requests] of added)
      this.#add(svc, { at: now, router: r.routerId, requests, periodMs });
    return { duplicate: false, added };
  }

  #add(service: string, e: Entry): void {
    let list = this.#series.get(service);
    if (!list) {
      if (this.#series.size >= this.#maxServices) return;
      this.#series.set(service, (list = []));
    }
    list.push(e);
    if (list.length > this.#maxEntries) list.splice(0, list.length - this.#maxEntries);
  }

  /** Drops entries older than the window (call now and then). */
  prune(now: number): void {
    for (const [svc, list] of this.#series) {
      const keep = list.filter((e) => now - e.at <= this.windowMs);
      if (keep.length === 0) this.#series.delete(svc);
      else if (keep.length !== list.length) this.#series.set(svc, keep);
    }
  }

  /**
   * The service's requests per minute over the window (summed over routers, each over the
   * time its reports cover); undefined when no router reported on it in the window.
   */
  perMinute(service: string, now: number): number | undefined {
    const byRouter = new Map<string, { requests: number; periodMs: number; latest: number }>();
    for (const e of this.#series.get(service) ?? []) {
      if (now - e.at > this.windowMs) continue;
      const r = byRouter.get(e.router) ?? { requests: 0, periodMs: 0, latest: 0 };
      r.requests += e.requests;
      r.periodMs += e.periodMs;
      r.latest = e.requests / Math.max(1, e.periodMs); // entries are in arrival order
      byRouter.set(e.router, r);
    }
    if (byRouter.size === 0) return undefined;
    let perMs = 0;
    for (const r of byRouter.values()) {
      perMs += Math.max(r.latest, r.requests / Math.max(1, r.periodMs));
    }
    return perMs * 60_000;
  }

  /** Requests per target per minute: perMinute ÷ `targets` (undefined without data or targets). */
  perTarget(service: string, targets: number, now: number): number | undefined {
    const m = this.perMinute(service, now);
    return m === undefined || targets <= 0 ? undefined : m / targets;
  }

  /** Services with entries. */
  services(): string[] {
    return [...this.#series.keys()];
  }
}

/** `berth_scheduler_service_requests_per_target`, read at scrape time from `values`. */
export function bindRequestGauge(registry: Registry, values: ReadonlyMap<string, number>): void {
  new Gauge({
    name: 'berth_scheduler_service_requests_per_target',
    help: 'Requests per target (RUNNING task) per minute through the routers, by service',
    labelNames: ['service'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [service, v] of values) this.set({ service }, v);
    },
  });
}
