/**
 * The router's orchestrator: a route source feeds the table builder, the table is swapped
 * into the proxy with one assignment (an identical input is skipped, a failed build keeps the
 * old table), and health, the admin listener and the ELB registrar follow. It emits events
 * (the daemon logs them); it must never log, exit, or parse HTTP.
 */
import { EventEmitter } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Health, createRegistry, sleep, type Registry } from '@berth/daemon';
import { parseRouteCommands, type RouteCommand } from './core/route-command.js';
import {
  buildTable,
  type Matcher,
  type RouteTable,
  type Route,
  type Target,
} from './core/route-table.js';
import { routesFromSnapshot, type RouteSnapshot } from './core/snapshot-routes.js';
import { UpstreamStates } from './core/upstream-state.js';
import { RetryBudgets } from './core/retry-budget.js';
import { TrustedProxies } from './core/forwarded.js';
import type { Strategy } from './core/balancer.js';
import type { RouteSource } from './core/route-source.js';
import { UpstreamPools } from './adapters/proxy/upstream-pool.js';
import { startProxyServer, type ProxyServer } from './adapters/proxy/proxy-server.js';
import type { ProxyContext, TimeoutKind } from './adapters/proxy/proxy-context.js';
import { startAdminServer } from './adapters/admin-api.js';
import type { ElbRegistrar, ElbTarget } from '@berth/elb';
import { RouterMetrics } from './metrics.js';
import { RequestCounts } from './core/request-counts.js';
import { RouteCommandError, type TagError } from './errors.js';

/** The engine's settings, resolved and validated (see daemon/start.ts for the defaults). */
export interface RouterSettings {
  readonly proxy: { host: string; port: number };
  readonly admin: { host: string; port: number } | null;
  readonly strategy: Strategy;
  readonly matcher: Matcher;
  readonly tagPrefix: string;
  readonly noRouteStatus: number;
  readonly trustedProxy: readonly string[];
  readonly trustedHeaders: readonly string[];
  readonly proxyProtocol: boolean;
  readonly allowTrace: boolean;
  readonly allowEmpty: boolean;
  readonly kvPath: string;
  readonly maxHeaderSize: number;
  readonly maxConnections: number;
  readonly headerTimeout: number;
  readonly idleTimeout: number;
  readonly bodyTimeout: number;
  readonly sendTimeout: number;
  readonly connectTimeout: number;
  readonly responseTimeout: number;
  readonly tunnelIdleTimeout: number;
  readonly retryBudget: number;
  readonly maxIdlePerUpstream: number;
  readonly upstreamIdle: number;
  readonly staleAfter: number;
  readonly ejectBase: number;
  readonly ejectMax: number;
  readonly drainDelay: number;
  readonly closeGrace: number;
  readonly registry?: Registry | undefined;
  readonly health?: Health | undefined;
}

/** Events a running router emits. */
export interface RouterEvents {
  table: [{ routes: number; added: string[]; removed: string[]; buildMs: number }];
  tagWarning: [TagError];
  manualError: [RouteCommandError];
  retry: [{ route: string; target: string; reason: string }];
  eject: [{ target: string; ms: number; reason: string }];
  clientError: [{ code: string; message: string }];
  timeout: [{ kind: TimeoutKind }];
  stale: [{ since: number; error: Error }];
  fresh: [];
  elbRegistered: [ElbTarget];
  elbDeregistered: [ElbTarget];
  elbError: [{ op: string; error: Error; attempt: number; delayMs: number }];
  report: [{ sequence: number; instances: number; requests: number }];
  reportError: [{ error: unknown; sequence: number; pending: number }];
}

/** A running router. */
export interface RunningRouter extends EventEmitter<RouterEvents> {
  readonly proxyAddress: { host: string; port: number };
  readonly adminAddress: { host: string; port: number } | undefined;
  readonly health: Health;
  readonly registry: Registry;
  /** The current table (undefined before the first snapshot). */
  readonly table: RouteTable | undefined;
  /** Open client connections of the proxy. */
  readonly connections: number;
  /** Requests per upstream instance since the last take (the reporter's source). */
  readonly requestCounts: RequestCounts;
  /** Deregisters from the ELB, drains, then closes everything. */
  close(): Promise<void>;
}

/** The orchestrator behind {@link RunningRouter}. */
export class Router extends EventEmitter<RouterEvents> implements RunningRouter {
  readonly health: Health;
  readonly registry: Registry;
  readonly ctx: ProxyContext;
  readonly metrics: RouterMetrics;
  /** Requests per upstream instance (/metrics, the scheduler's reporter). */
  readonly requestCounts = new RequestCounts();
  readonly #budgets: RetryBudgets;
  #proxy: ProxyServer | undefined;
  #admin: Server | undefined;
  elb: ElbRegistrar | undefined;
  /** The ELB client behind `elb`, closed after the deregistration (none when injected). */
  elbClient: { close(): void } | undefined;
  /** The request count reporter (`--scheduler`), stopped at close. */
  reporter: { stop(): Promise<void> } | undefined;
  #catalogLines: readonly string[] = [];
  #manualText = '';
  #manualCmds: RouteCommand[] = [];
  #manualError: string | undefined;
  #lastInput: string | undefined;
  #haveSnapshot = false;
  #staleSince: number | undefined;
  #healthTimer: NodeJS.Timeout | undefined;
  #closing: Promise<void> | undefined;
  #badTags = new Set<string>();

  constructor(
    readonly opts: RouterSettings,
    readonly source: RouteSource,
  ) {
    super();
    this.registry = opts.registry ?? createRegistry('router', false);
    this.health = opts.health ?? new Health();
    this.health.starting();
    const metrics = (this.metrics = new RouterMetrics(this.registry));
    this.#budgets = new RetryBudgets({ ratio: opts.retryBudget, floor: 10, windowMs: 10_000 });
    this.ctx = {
      table: undefined,
      strategy: opts.strategy,
      states: new UpstreamStates({ baseMs: opts.ejectBase, maxMs: opts.ejectMax }),
      pools: new UpstreamPools({
        maxIdle: opts.maxIdlePerUpstream,
        idleTimeout: opts.upstreamIdle,
      }),
      forwarding: {
        trusted: new TrustedProxies(opts.trustedProxy),
        adopt: new Set(opts.trustedHeaders.map((h) => h.toLowerCase())),
      },
      proxyProtocol: opts.proxyProtocol,
      noRouteStatus: opts.noRouteStatus,
      allowTrace: opts.allowTrace,
      maxHeaderSize: opts.maxHeaderSize,
      maxConnections: opts.maxConnections,
      timeouts: {
        header: opts.headerTimeout,
        idle: opts.idleTimeout,
        body: opts.bodyTimeout,
        send: opts.sendTimeout,
        connect: opts.connectTimeout,
        response: opts.responseTimeout,
        tunnelIdle: opts.tunnelIdleTimeout,
        linger: Math.min(5000, opts.idleTimeout),
      },
      clock: { now: Date.now() },
      draining: false,
      events: {
        request: (route: Route | undefined, status: number, ms: number, target?: Target) => {
          metrics.request(route, status, ms);
          if (target) this.requestCounts.count(target.service, target.hostname, target.port);
        },
        retry: (route: Route, target: Target, reason: string) => {
          metrics.retry(route, reason);
          this.emit('retry', { route: route.src, target: target.url, reason });
        },
        eject: (target: Target, ms: number, reason: string) => {
          metrics.eject(target);
          this.emit('eject', { target: target.key, ms, reason });
        },
        clientError: (code: string, message: string) => {
          metrics.clientErrors.labels(code).inc();
          this.emit('clientError', { code, message });
        },
        timeout: (kind: TimeoutKind) => {
          metrics.timeouts.labels(kind).inc();
          this.emit('timeout', { kind });
        },
        shed: (kind: 'idle' | 'refused') => metrics.shed.labels(kind).inc(),
      },
    };
    metrics.openConnections = () => this.#proxy?.connections.size ?? 0;
    metrics.instanceTotals = () => this.requestCounts.totals();
  }

  get table(): RouteTable | undefined {
    return this.ctx.table;
  }

  get connections(): number {
    return this.#proxy?.connections.size ?? 0;
  }

  get proxyAddress(): { host: string; port: number } {
    return (this.#proxy as ProxyServer).address;
  }

  get adminAddress(): { host: string; port: number } | undefined {
    const a = this.#admin?.address() as AddressInfo | undefined;
    return a === undefined ? undefined : { host: a.address, port: a.port };
  }

  onSnapshot(s: RouteSnapshot): void {
    const { lines, warnings } = routesFromSnapshot(s, this.opts.tagPrefix);
    const bad = new Set<string>();
    for (const w of warnings) {
      bad.add(w.message);
      if (!this.#badTags.has(w.message)) this.emit('tagWarning', w);
    }
    this.#badTags = bad;
    this.metrics.badTags.set(bad.size);
    this.#catalogLines = lines;
    this.requestCounts.setInstances(s.services);
    this.#haveSnapshot = true;
    this.rebuild();
  }

  onManual(text: string): void {
    try {
      this.#manualCmds = parseRouteCommands(text);
      this.#manualText = text;
      this.#manualError = undefined;
    } catch (err) {
      if (!(err instanceof RouteCommandError)) throw err;
      // keep the last good overrides
      this.#manualError = err.message;
      this.emit('manualError', err);
      return;
    }
    if (this.#haveSnapshot) this.rebuild();
  }

  rebuild(): void {
    const input = this.#catalogLines.join('\n') + '\n#manual\n' + this.#manualText;
    if (input === this.#lastInput) return;
    const t0 = performance.now();
    let table: RouteTable;
    try {
      const cmds = parseRouteCommands(this.#catalogLines.join('\n')).concat(this.#manualCmds);
      table = buildTable(cmds, {
        matcher: this.opts.matcher,
        states: this.ctx.states,
        budgets: this.#budgets,
      });
    } catch (err) {
      this.emit('manualError', new RouteCommandError(0, '', `table build failed: ${String(err)}`));
      return;
    }
    const buildMs = performance.now() - t0;
    const old = new Set(this.ctx.table?.lines ?? []);
    const now = new Set(table.lines);
    const added = table.lines.filter((l) => !old.has(l));
    const removed = [...old].filter((l) => !now.has(l));
    this.ctx.table = table; // the one assignment readers see
    this.#lastInput = input;
    this.ctx.states.prune(table.keys());
    this.#budgets.prune(new Set(table.routes.map((r) => r.src)));
    this.metrics.routes.set(table.routes.length);
    this.metrics.tableUpdates.inc();
    this.metrics.tableBuild.observe(buildMs / 1000);
    this.emit('table', { routes: table.routes.length, added, removed, buildMs });
    this.updateHealth();
  }

  onStale(since: number, error: Error): void {
    this.#staleSince = since;
    this.emit('stale', { since, error });
    this.updateHealth();
  }

  onFresh(): void {
    this.#staleSince = undefined;
    this.emit('fresh');
    this.updateHealth();
  }

  updateHealth(): void {
    if (this.#closing !== undefined) return;
    const staleMs = this.#staleSince === undefined ? 0 : Date.now() - this.#staleSince;
    const routes = this.ctx.table?.routes.length ?? 0;
    this.metrics.tableAge.set(staleMs / 1000);
    this.health.setDetails({
      routes,
      catalogStaleMs: staleMs,
      ...(this.#manualError ? { manualError: this.#manualError } : {}),
    });
    if (this.ctx.table === undefined) this.health.starting();
    else if (staleMs > this.opts.staleAfter) {
      this.health.degraded([`catalog unreachable for ${Math.round(staleMs / 1000)}s`]);
    } else if (routes === 0 && !this.opts.allowEmpty) {
      // an empty catalog answer is more likely an outage than a wish to 404 everything
      this.health.degraded(['no routes (start with --allow-empty if that is expected)']);
    } else this.health.ok();
    if (this.health.healthy) this.elb?.start();
  }

  async start(): Promise<void> {
    this.#proxy = await startProxyServer(this.ctx, this.opts.proxy);
    const admin = this.opts.admin;
    if (admin !== null) {
      this.#admin = await startAdminServer(admin, {
        health: this.health,
        registry: this.registry,
        view: {
          table: () => this.ctx.table,
          manual: () => ({
            path: this.opts.kvPath,
            text: this.#manualText,
            error: this.#manualError,
          }),
          states: () => this.ctx.states,
        },
      });
    }
    const tick = Math.max(50, Math.min(1000, this.opts.staleAfter / 4));
    this.#healthTimer = setInterval(() => this.updateHealth(), tick);
    this.#healthTimer.unref();
    this.source.start({
      snapshot: (s) => this.onSnapshot(s),
      manual: (t) => this.onManual(t),
      stale: (since, err) => this.onStale(since, err),
      fresh: () => this.onFresh(),
    });
  }

  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    this.health.stopping();
    if (this.#healthTimer !== undefined) clearInterval(this.#healthTimer);
    await this.reporter?.stop();
    if (this.elb !== undefined) {
      await this.elb.stop();
      this.elbClient?.close();
      if (this.opts.drainDelay > 0) await sleep(this.opts.drainDelay);
    }
    await this.source.close();
    await this.#proxy?.close(this.opts.closeGrace);
    const admin = this.#admin;
    if (admin !== undefined) {
      admin.closeAllConnections();
      await new Promise<void>((resolve) => admin.close(() => resolve()));
    }
  }
}
