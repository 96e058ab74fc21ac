/**
 * The router's Prometheus metrics. Label children are cached per route object so the hot
 * path pays a property read and an increment, not a label lookup. This module must never
 * log or touch sockets.
 */
import { Counter, Gauge, Histogram, type Registry } from '@berth/daemon';
import type { Route, Target } from './core/route-table.js';

interface RouteChildren {
  readonly byStatus: Map<number, { inc(): void }>;
  readonly latency: { observe(v: number): void };
}

/** Metric handles of one router. */
export class RouterMetrics {
  readonly requests: Counter<'route' | 'status'>;
  readonly upstream: Histogram<'route'>;
  readonly retries: Counter<'route' | 'reason'>;
  readonly ejections: Counter<'upstream'>;
  readonly routes: Gauge;
  readonly tableUpdates: Counter;
  readonly tableBuild: Histogram;
  readonly tableAge: Gauge;
  readonly badTags: Gauge;
  readonly clientErrors: Counter<'code'>;
  readonly timeouts: Counter<'kind'>;
  readonly shed: Counter<'reason'>;
  readonly connections: Gauge;
  /** Read by the `connections` gauge at scrape time. */
  openConnections: () => number = () => 0;
  /** Read by the per-instance request counter at scrape time (the catalog's instances). */
  instanceTotals: () => readonly { service: string; instanceId: string; total: number }[] =
    () => [];
  readonly #children = new WeakMap<Route, RouteChildren>();
  readonly #noRoute = new Map<number, { inc(): void }>();

  constructor(registry: Registry) {
    const registers = [registry];
    this.requests = new Counter({
      name: 'berth_router_requests_total',
      help: 'Requests by route (src, "" when none matched) and status',
      labelNames: ['route', 'status'],
      registers,
    });
    this.upstream = new Histogram({
      name: 'berth_router_upstream_seconds',
      help: 'Time from request head to upstream response head, by route',
      labelNames: ['route'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
      registers,
    });
    this.retries = new Counter({
      name: 'berth_router_retries_total',
      help: 'Requests sent again to another instance',
      labelNames: ['route', 'reason'],
      registers,
    });
    this.ejections = new Counter({
      name: 'berth_router_ejections_total',
      help: 'Upstreams taken out of rotation by passive health checks',
      labelNames: ['upstream'],
      registers,
    });
    this.routes = new Gauge({
      name: 'berth_router_routes',
      help: 'Routes in the table',
      registers,
    });
    this.tableUpdates = new Counter({
      name: 'berth_router_table_updates_total',
      help: 'Tables swapped in',
      registers,
    });
    this.tableBuild = new Histogram({
      name: 'berth_router_table_build_seconds',
      help: 'Time to turn a snapshot into a table',
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    });
    this.tableAge = new Gauge({
      name: 'berth_router_catalog_stale_seconds',
      help: 'How long the catalog has been unreachable (0 when in sync)',
      registers,
    });
    this.badTags = new Gauge({
      name: 'berth_router_bad_tags',
      help: 'Malformed urlprefix tags skipped in the current table',
      registers,
    });
    this.clientErrors = new Counter({
      name: 'berth_router_client_errors_total',
      help: 'Malformed requests, bad PROXY headers and bad upstream responses',
      labelNames: ['code'],
      registers,
    });
    this.timeouts = new Counter({
      name: 'berth_router_timeouts_total',
      help: 'Connections or exchanges ended by an inactivity deadline, by phase',
      labelNames: ['kind'],
      registers,
    });
    this.shed = new Counter({
      name: 'berth_router_connections_shed_total',
      help: 'Client connections closed (idle) or refused to stay under --max-connections',
      labelNames: ['reason'],
      registers,
    });
    const totals = () => this.instanceTotals();
    new Counter({
      name: 'berth_router_instance_requests_total',
      help: 'Requests answered by each upstream instance in the catalog (by Consul service and instance ID)',
      labelNames: ['service', 'instance'],
      registers,
      collect() {
        // Only the instances in the catalog now: one that left is dropped (bounded labels).
        this.reset();
        for (const t of totals()) this.inc({ service: t.service, instance: t.instanceId }, t.total);
      },
    });
    const open = () => this.openConnections();
    this.connections = new Gauge({
      name: 'berth_router_connections',
      help: 'Open client connections of the proxy',
      registers,
      collect() {
        this.set(open());
      },
    });
  }

  /** Counts one finished request. */
  request(route: Route | undefined, status: number, ms: number): void {
    if (route === undefined) {
      let c = this.#noRoute.get(status);
      if (c === undefined) {
        c = this.requests.labels('', String(status));
        this.#noRoute.set(status, c);
      }
      c.inc();
      return;
    }
    let ch = this.#children.get(route);
    if (ch === undefined) {
      ch = { byStatus: new Map(), latency: this.upstream.labels(route.src) };
      this.#children.set(route, ch);
    }
    let c = ch.byStatus.get(status);
    if (c === undefined) {
      c = this.requests.labels(route.src, String(status));
      ch.byStatus.set(status, c);
    }
    c.inc();
    if (ms > 0) ch.latency.observe(ms / 1000);
  }

  retry(route: Route, reason: string): void {
    this.retries
      .labels(route.src, reason.startsWith('status') ? reason : (reason.split(' ')[0] ?? ''))
      .inc();
  }

  eject(target: Target): void {
    this.ejections.labels(target.key).inc();
  }
}
