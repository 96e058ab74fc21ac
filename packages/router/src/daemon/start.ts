/**
 * `startRouter`: the programmatic start. Defaults come from the option definitions (one
 * source for flags and code), options are checked eagerly with messages naming the option,
 * and the Consul source and AWS target group are built unless given. It must never log or
 * exit.
 */
import { readFileSync } from 'node:fs';
import { loadConfig, type ConfigOf, type Health, type Registry } from '@berth/daemon';
import { Router, type RouterSettings, type RunningRouter } from '../engine.js';
import type { RouteSource } from '../core/route-source.js';
import { ConsulRouteSource } from '../adapters/consul-source.js';
import {
  AwsElbTargets,
  DEFAULT_REGISTRAR_BACKOFF,
  ElbRegistrar,
  type RegistrarBackoff,
  type TargetGroup,
  targetGroupOf,
} from '@berth/elb';
import { RouterConfigError } from '../errors.js';
import { routerOptions } from './options.js';
import { startReporter } from './start-reporter.js';

/**
 * Options of {@link startRouter}: the config keys of `berth router` (durations in ms), all
 * optional, plus what only code can pass.
 */
export type RouterOptions = Partial<Omit<ConfigOf<typeof routerOptions>, 'admin'>> & {
  /** Admin listener; null disables it. */
  readonly admin?: { host: string; port: number } | null;
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Idle keep-alive sockets kept per upstream. */
  readonly maxIdlePerUpstream?: number;
  /** ms an idle upstream socket is kept. */
  readonly upstreamIdle?: number;
  /** ms in-flight requests get to finish at close. */
  readonly closeGrace?: number;
  /** A target group implementation (tests); overrides the AWS one. */
  readonly targetGroupImpl?: TargetGroup;
  readonly elbBackoff?: RegistrarBackoff;
  readonly registry?: Registry;
  readonly health?: Health;
};

const ENGINE_DEFAULTS = {
  maxIdlePerUpstream: 256,
  upstreamIdle: 50_000,
  closeGrace: 5_000,
  elbBackoff: DEFAULT_REGISTRAR_BACKOFF,
};

function check(ok: boolean, option: string, message: string): void {
  if (!ok) throw new RouterConfigError(option, message);
}

/** The soft open-files limit of this process (Linux), or undefined. */
export function openFilesLimit(): number | undefined {
  try {
    const m = /^Max open files\s+(\d+)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
    return m === null ? undefined : Number(m[1]);
  } catch {
    return undefined;
  }
}

/** `--max-connections 0`: a third of the fd limit (a proxied connection holds two, plus pools). */
export function defaultMaxConnections(fdLimit: number | undefined): number {
  return fdLimit === undefined ? 4096 : Math.max(64, Math.min(10_000, Math.floor(fdLimit / 3)));
}

function defined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/**
 * Starts a router: proxy and admin listeners, the route source (Consul unless `source` is
 * given) and, with `targetGroup`, ELB registration once healthy.
 */
export async function startRouter(
  options: RouterOptions = {},
  source?: RouteSource,
): Promise<RunningRouter> {
  const o = { ...loadConfig(routerOptions, [], {}), ...ENGINE_DEFAULTS, ...defined(options) };
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
  check(o.maxConnections >= 0, 'maxConnections', 'must be 0 (automatic) or more');
  check(o.retryBudget >= 0 && o.retryBudget <= 1, 'retryBudget', 'must be between 0 and 1');
  check(Number.isInteger(o.workers) && o.workers >= 1, 'workers', 'must be 1 or more');
  check(
    !o.proxyProtocol || (o.trustedProxy ?? []).length > 0,
    'proxyProtocol',
    'needs --trusted-proxy: a PROXY header is believed from the load balancer only',
  );
  for (const k of [
    'headerTimeout',
    'idleTimeout',
    'bodyTimeout',
    'sendTimeout',
    'connectTimeout',
    'responseTimeout',
    'tunnelIdleTimeout',
  ] as const) {
    check(o[k] > 0, k, 'must be positive');
  }
  const settings: RouterSettings = {
    ...o,
    admin: options.admin === undefined ? o.admin : options.admin,
    strategy: o.strategy as RouterSettings['strategy'],
    matcher: o.matcher as RouterSettings['matcher'],
    trustedProxy: o.trustedProxy ?? [],
    maxConnections:
      o.maxConnections > 0 ? o.maxConnections : defaultMaxConnections(openFilesLimit()),
    drainDelay:
      o.targetGroup !== undefined || options.targetGroupImpl !== undefined ? o.drainDelay : 0,
  };
  const src =
    source ??
    new ConsulRouteSource({
      url: options.consul,
      token: options.consulToken,
      env: options.env ?? {},
      kvPath: o.kvPath,
    });
  let group: TargetGroup | undefined;
  let aws: AwsElbTargets | undefined;
  if (options.targetGroup !== undefined || options.targetGroupImpl !== undefined) {
    check(
      options.targetId !== undefined && options.targetId !== '',
      'targetId',
      'needed with a target group',
    );
    if (options.targetGroupImpl !== undefined) {
      group = options.targetGroupImpl;
    } else {
      aws = new AwsElbTargets({ endpoint: options.elbEndpoint, region: options.elbRegion });
      group = targetGroupOf(aws, options.targetGroup as string);
    }
  }
  const router = new Router(settings, src);
  try {
    await router.start();
    router.reporter = await startReporter(
      { ...o, env: options.env },
      () => Promise.resolve(router.requestCounts.take()),
      { onReport: (r) => router.emit('report', r), onError: (e) => router.emit('reportError', e) },
    );
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
    router.elbClient = aws;
    router.updateHealth(); // registers at once when already healthy
  }
  return router;
}
