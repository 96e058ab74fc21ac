/**
 * runDns: berth dns as a daemon. Starts the responder with the config as it is, its admin
 * listener, turns the responder's events into logs and metrics, and keeps /health honest.
 * Must never contain DNS logic; that lives in the engine and the pure core.
 */
import {
  adminHandler,
  startAdminServer,
  type DaemonContext,
  type AdminServer,
  formatDuration,
  formatListen,
} from '@berth/daemon';
import type { CatalogSource } from '../core/catalog-source.js';
import type { DnsServer } from '../engine-api.js';
import { startDns } from '../engine.js';
import { healthOf } from './health.js';
import { bindDnsMetrics } from './metrics.js';
import { LogThrottle } from './log-throttle.js';
import { reportToPrimary } from './workers.js';
import type { DnsConfig } from './options.js';

/** One warning line per recursor (or socket error code) per this interval, with a count. */
const LOG_INTERVAL_MS = 10_000;

/** A running `berth dns`: the responder and its admin listener. */
export interface RunningDns {
  readonly server: DnsServer;
  /** Undefined in a worker of `--workers N` (the primary serves /health and /metrics). */
  readonly admin: AdminServer | undefined;
}

/** How runDns runs. */
export interface RunMode {
  /** A worker of `--workers N`: shared sockets, health to the primary, no admin listener. */
  readonly worker?: boolean;
}

/**
 * Starts berth dns with a context; `source` replaces the Consul watch (tests). A worker
 * returns no admin server.
 */
export async function runDns(
  config: DnsConfig,
  ctx: DaemonContext,
  source?: CatalogSource,
  mode: RunMode = {},
): Promise<RunningDns> {
  const { log, registry, health, shutdown } = ctx;
  health.starting();
  const server = await startDns({ ...config, shared: mode.worker === true }, source);
  shutdown.add('dns listeners', () => server.close());
  bindDnsMetrics(server, registry);
  server.on('table', (t) =>
    log.info(
      { index: String(t.index), names: t.names, buildMs: Math.round(t.buildMs * 10) / 10 },
      'dns table updated',
    ),
  );
  server.on('diff', (d) => {
    const show = (l: string[]): string[] =>
      l.length > 20 ? [...l.slice(0, 20), `... ${l.length - 20} more`] : l;
    log.debug(
      { index: String(d.index), added: show(d.added), removed: show(d.removed) },
      'dns zone changed',
    );
  });
  server.on('table-error', (e) =>
    log.warn({ err: e }, 'dns table build failed; keeping the previous table'),
  );
  // Anyone who can send queries can make recursors fail: one line per recursor (and per
  // socket error code) per interval, with a count, instead of one per query.
  const throttle = new LogThrottle(LOG_INTERVAL_MS);
  server.on('recursor-error', (e) => {
    if (throttle.hit(`recursor ${e.recursor}`, e.message, Date.now()))
      log.warn({ recursor: e.recursor, err: e.message }, 'recursor failed');
  });
  server.on('socket-error', (e) => {
    const code = (e as NodeJS.ErrnoException).code ?? e.name;
    if (throttle.hit(`socket ${code}`, e.message, Date.now()))
      log.warn({ err: e }, 'dns socket error');
  });
  server.on('query-error', (e) => {
    if (throttle.hit('prepared query', e.message, Date.now()))
      log.warn({ err: e.message }, 'prepared query execute failed; answered SERVFAIL');
  });
  const flushLogs = setInterval(() => {
    for (const s of throttle.flush(Date.now())) {
      log.warn(
        { key: s.key, count: s.count, last: s.last, seconds: Math.round(s.intervalMs / 1000) },
        `${s.key}: ${s.count} more in ${Math.round(s.intervalMs / 1000)}s (last: ${s.last})`,
      );
    }
  }, LOG_INTERVAL_MS / 10);
  flushLogs.unref();
  shutdown.add('dns log throttle', async () => clearInterval(flushLogs));
  server.on('catalog-unreachable', (e) =>
    log.warn(
      { since: new Date(e.since).toISOString(), err: e.error?.message },
      'catalog unreachable; answering from the last snapshot',
    ),
  );
  server.on('catalog-back', (e) =>
    log.info(
      { outageMs: e.outageMs },
      `catalog reachable again after ${formatDuration(Math.round(e.outageMs))}`,
    ),
  );
  server.on('recursor-skip', (e) =>
    log.warn(
      { recursor: e.recursor, failures: e.failures, skipMs: e.skipMs },
      `recursor ${e.recursor} failed ${e.failures} times in a row; skipped for ${e.skipMs} ms`,
    ),
  );
  server.on('recursor-back', (e) =>
    log.info({ recursor: e.recursor }, `recursor ${e.recursor} answers again`),
  );

  const update = (): void => {
    const s = server.status();
    const h = healthOf(s, config.maxStale);
    health.setDetails({
      index: s.index === undefined ? null : String(s.index),
      names: s.names,
      snapshotAgeSeconds: s.snapshotAgeMs === undefined ? null : s.snapshotAgeMs / 1000,
      staleSeconds: s.staleForMs === undefined ? 0 : s.staleForMs / 1000,
    });
    if (h.status === 'ok') health.ok();
    else if (h.status === 'degraded') health.degraded(h.reasons);
    else health.starting();
  };
  update();
  server.on('table', update);
  const timer = setInterval(update, 1000);
  timer.unref();
  shutdown.add('dns health timer', async () => clearInterval(timer));

  const listen = server.addresses.map((a) => `${a.protocol}://${formatListen(a)}`);
  if (mode.worker) {
    const stop = reportToPrimary(ctx);
    shutdown.add('dns worker reports', async () => stop());
    log.info(
      { listen, recursors: config.recursor, pid: process.pid },
      'berth dns worker listening',
    );
    return { server, admin: undefined };
  }
  const admin = await startAdminServer(config.admin, adminHandler({ health, registry }));
  shutdown.add('dns admin', () => admin.close());
  log.info(
    {
      listen,
      admin: formatListen({ host: admin.address.address, port: admin.address.port }),
      recursors: config.recursor,
    },
    'berth dns listening',
  );
  return { server, admin };
}
