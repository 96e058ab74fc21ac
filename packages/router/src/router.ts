/**
 * `startRouter`: wires a route source to the table builder, the proxy listener, the admin
 * listener, health and the ELB registrar. The table is rebuilt from the canonical route text
 * and swapped in with one assignment; an identical input is skipped; a failed build keeps the
 * old table. It emits events (the daemon logs them); it must never log or exit.
 */
import { EventEmitter } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Health, adminHandler, createRegistry, type Registry } from '@berth/daemon';
import { parseRouteCommands, type RouteCommand } from './route-command.js';
import {
  buildTable,
  type Matcher,
  type RouteTable,
  type Route,
  type Target,
} from './route-table.js';
import { routesFromSnapshot, type RouteSnapshot } from './snapshot-routes.js';
import { UpstreamStates } from './upstream-state.js';
import { UpstreamPools } from './upstream-pool.js';
import { TrustedProxies } from './forwarded.js';
import { startProxyServer, type ProxyServer } from './proxy-server.js';
import type { ProxyContext } from './proxy-context.js';
import type { Strategy } from './balancer.js';
import type { RouteSource } from './route-source.js';
import { ConsulRouteSource } from './consul-source.js';
import { RouterMetrics } from './router-metrics.js';
import { routerAdminHandler } from './admin-api.js';
import { ElbRegistrar, AwsTargetGroup, type TargetGroup, type ElbTarget } from './target-group.js';
import { RouterConfigError, RouteCommandError, type TagError } from './errors.js';

/** Options of {@link startRouter}; every field has a default except where noted. */
export interface RouterOptions {
  /** Consul URL (used when no source is passed). */
  readonly consul?: string | undefined;
  readonly consulToken?: string | undefined;
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Proxy listener; default `:9999`. */
  readonly proxy?: { host: string; port: number };
  /** Admin listener; default 127.0.0.1:9998; null disables it. */
  readonly admin?: { host: string; port: number } | null;
  readonly strategy?: Strategy;
  readonly matcher?: Matcher;
  readonly tagPrefix?: string;
  readonly noRouteStatus?: number;
  readonly trustedProxies?: readonly string[];
  readonly proxyProtocol?: boolean;
  /** KV path of manual routes; '' disables. */
  readonly kvPath?: string;
  readonly maxHeaderSize?: number;
  readonly headerTimeoutMs?: number;
  readonly idleTimeoutMs?: number;
  readonly connectTimeoutMs?: number;
  readonly responseTimeoutMs?: number;
  /** Idle keep-alive sockets kept per upstream. */
  readonly maxIdlePerUpstream?: number;
  readonly upstreamIdleMs?: number;
  /** `/health` turns unhealthy when the catalog was unreachable this long. */
  readonly staleAfterMs?: number;
  readonly ejectBaseMs?: number;
  readonly ejectMaxMs?: number;
  /** ELB target group ARN (registration is off without it). */
  readonly targetGroup?: string | undefined;
  readonly elbEndpoint?: string | undefined;
  readonly elbRegion?: string | undefined;
  /** Target ID (instance ID or IP) registered in the target group. */
  readonly targetId?: string | undefined;
  /** Port registered (default: the proxy port). */
  readonly targetPort?: number | undefined;
  /** A target group implementation (tests); overrides the AWS one. */
  readonly targetGroupImpl?: TargetGroup;
  readonly elbBackoff?: { baseMs: number; maxMs: number; deregisterAttempts: number };
  /** Time to keep serving after deregistering, before closing. */
  readonly drainDelayMs?: number;
  /** Time in-flight requests get to finish at close. */
  readonly closeGraceMs?: number;
  readonly registry?: Registry;
  readonly health?: Health;
}

/** Events a running router emits. */
export interface RouterEvents {
  table: [{ routes: number; added: string[]; removed: string[]; buildMs: number }];
  tagWarning: [TagError];
  manualError: [RouteCommandError];
  retry: [{ route: string; target: string; reason: string }];
  eject: [{ target: string; ms: number; reason: string }];
  clientError: [{ code: string; message: string }];
  stale: [{ since: number; error: Error }];
  fresh: [];
  elbRegistered: [ElbTarget];
  elbDeregistered: [ElbTarget];
  elbError: [{ op: string; error: Error; attempt: number; delayMs: number }];
}

/** A running router. */
export interface RunningRouter extends EventEmitter<RouterEvents> {
  readonly proxyAddress: { host: string; port: number };
  readonly adminAddress: { host: string; port: number } | undefined;
  readonly health: Health;
  readonly registry: Registry;
  /** The current table (undefined before the first snapshot). */
  readonly table: RouteTable | undefined;
  /** Deregisters from the ELB, drains, then closes everything. */
  close(): Promise<void>;
}

function check(ok: boolean, option: string, message: string): void {
  if (!ok) throw new RouterConfigError(option, message);
}

class Router extends EventEmitter<RouterEvents> implements RunningRouter {
  readonly health: Health;
  readonly registry: Registry;
  readonly ctx: ProxyContext;
  readonly metrics: RouterMetrics;
  proxy: ProxyServer | undefined;
  admin: Server | undefined;
  elb: ElbRegistrar | undefined;
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
    readonly opts: Required<
      Omit<
        RouterOptions,
        | 'consul'
        | 'consulToken'
        | 'targetGroup'
        | 'elbEndpoint'
        | 'elbRegion'
        | 'targetId'
        | 'targetPort'
        | 'targetGroupImpl'
        | 'registry'
        | 'health'
        | 'env'
        | 'admin'
      >
    > &
      RouterOptions,
    readonly source: RouteSource,
  ) {
    super();
    this.registry = opts.registry ?? createRegistry('router', false);
    this.health = opts.health ?? new Health();
    this.health.starting();
    this.metrics = new RouterMetrics(this.registry);
    const metrics = this.metrics;
    const states = new UpstreamStates({ baseMs: opts.ejectBaseMs, maxMs: opts.ejectMaxMs });
    this.ctx = {
      table: undefined,
      strategy: opts.strategy,
      states,
      pools: new UpstreamPools({
        maxIdle: opts.maxIdlePerUpstream,
        idleTimeout: opts.upstreamIdleMs,
      }),
      trusted: new TrustedProxies(opts.trustedProxies),
      proxyProtocol: opts.proxyProtocol,
      noRouteStatus: opts.noRouteStatus,
      maxHeaderSize: opts.maxHeaderSize,
      timeouts: {
        header: opts.headerTimeoutMs,
        idle: opts.idleTimeoutMs,
        connect: opts.connectTimeoutMs,
        response: opts.responseTimeoutMs,
      },
      draining: false,
      events: {
        request: (route: Route | undefined, status: number, ms: number) =>
          metrics.request(route, status, ms),
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
      },
    };
  }

  get table(): RouteTable | undefined {
    return this.ctx.table;
  }

  get proxyAddress(): { host: string; port: number } {
    return (this.proxy as ProxyServer).address;
  }

  get adminAddress(): { host: string; port: number } | undefined {
    const a = this.admin?.address() as AddressInfo | undefined;
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
      table = buildTable(cmds, { matcher: this.opts.matcher, states: this.ctx.states });
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
    const now = Date.now();
    const staleMs = this.#staleSince === undefined ? 0 : now - this.#staleSince;
    this.metrics.tableAge.set(staleMs / 1000);
    this.health.setDetails({
      routes: this.ctx.table?.routes.length ?? 0,
      catalogStaleMs: staleMs,
      ...(this.#manualError ? { manualError: this.#manualError } : {}),
    });
    if (this.ctx.table === undefined) this.health.starting();
    else if (staleMs > this.opts.staleAfterMs) {
      this.health.degraded([`catalog unreachable for ${Math.round(staleMs / 1000)}s`]);
    } else this.health.ok();
    if (this.health.healthy) this.elb?.start();
  }

  async start(): Promise<void> {
    this.proxy = await startProxyServer(this.ctx, this.opts.proxy);
    const admin = this.opts.admin;
    if (admin !== null && admin !== undefined) {
      const base = adminHandler({ health: this.health, registry: this.registry });
      const own = routerAdminHandler({
        table: () => this.ctx.table,
        manual: () => ({
          path: this.opts.kvPath,
          text: this.#manualText,
          error: this.#manualError,
        }),
        states: () => this.ctx.states,
      });
      const server = createServer((req, res) => {
        if (base(req, res) || own(req, res)) return;
        res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
        res.end('not found\n');
      });
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(admin.port, admin.host || undefined, () => resolve());
      });
      this.admin = server;
    }
    const tick = Math.max(50, Math.min(1000, this.opts.staleAfterMs / 4));
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
    if (this.elb !== undefined) {
      await this.elb.stop();
      if (this.opts.drainDelayMs > 0)
        await new Promise((r) => setTimeout(r, this.opts.drainDelayMs));
    }
    await this.source.close();
    await this.proxy?.close(this.opts.closeGraceMs);
    if (this.admin !== undefined) {
      const admin = this.admin;
      admin.closeAllConnections();
      await new Promise<void>((resolve) => admin.close(() => resolve()));
    }
  }
}

/**
 * Starts a router: proxy and admin listeners, the route source (Consul unless `source` is
 * given) and, with `targetGroup`, ELB registration once healthy.
 */
export async function startRouter(
  options: RouterOptions = {},
  source?: RouteSource,
): Promise<RunningRouter> {
  const o = {
    proxy: { host: '', port: 9999 },
    strategy: 'rr' as Strategy,
    matcher: 'prefix' as Matcher,
    tagPrefix: 'urlprefix-',
    noRouteStatus: 404,
    trustedProxies: [] as string[],
    proxyProtocol: false,
    kvPath: 'fabio/config',
    maxHeaderSize: 16 * 1024,
    headerTimeoutMs: 10_000,
    idleTimeoutMs: 60_000,
    connectTimeoutMs: 5_000,
    responseTimeoutMs: 60_000,
    maxIdlePerUpstream: 256,
    upstreamIdleMs: 50_000,
    staleAfterMs: 30_000,
    ejectBaseMs: 1_000,
    ejectMaxMs: 30_000,
    elbBackoff: { baseMs: 500, maxMs: 30_000, deregisterAttempts: 3 },
    drainDelayMs: 0,
    closeGraceMs: 5_000,
    ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)),
  };
  check(
    ['rr', 'rnd', 'least'].includes(o.strategy),
    'strategy',
    `${o.strategy} is not rr|rnd|least`,
  );
  check(['prefix', 'glob'].includes(o.matcher), 'matcher', `${o.matcher} is not prefix|glob`);
  check(
    Number.isInteger(o.noRouteStatus) && o.noRouteStatus >= 200 && o.noRouteStatus <= 599,
    'noRouteStatus',
    `${o.noRouteStatus} is not an HTTP status`,
  );
  check(o.maxHeaderSize >= 1024, 'maxHeaderSize', 'must be at least 1024');
  for (const k of [
    'headerTimeoutMs',
    'idleTimeoutMs',
    'connectTimeoutMs',
    'responseTimeoutMs',
  ] as const) {
    check(o[k] > 0, k, 'must be positive');
  }
  const src =
    source ??
    new ConsulRouteSource({
      url: options.consul,
      token: options.consulToken,
      env: options.env ?? {},
      kvPath: o.kvPath,
    });
  let group: TargetGroup | undefined;
  if (options.targetGroup !== undefined || options.targetGroupImpl !== undefined) {
    check(
      options.targetId !== undefined && options.targetId !== '',
      'targetId',
      'needed with a target group',
    );
    group =
      options.targetGroupImpl ??
      new AwsTargetGroup({
        arn: options.targetGroup as string,
        endpoint: options.elbEndpoint,
        region: options.elbRegion,
      });
  }
  const router = new Router(o, src);
  try {
    await router.start();
  } catch (err) {
    await router.close().catch(() => {});
    throw err;
  }
  if (group !== undefined) {
    const port = options.targetPort ?? router.proxyAddress.port;
    const elb = new ElbRegistrar(group, { id: options.targetId as string, port }, o.elbBackoff);
    elb.on('registered', (t) => router.emit('elbRegistered', t));
    elb.on('deregistered', (t) => router.emit('elbDeregistered', t));
    elb.on('error', (e) => router.emit('elbError', e));
    router.elb = elb;
    router.updateHealth(); // registers at once when already healthy
  }
  return router;
}
