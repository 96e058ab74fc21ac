/**
 * `berth dns` as a DaemonCommand: starts the responder and its admin listener, turns the
 * server's events into logs and metrics, and keeps /health honest (starting until the first
 * snapshot, degraded while Consul has been unreachable past --max-stale). Must never contain
 * DNS logic; that lives in the pure modules.
 */
import {
  adminHandler,
  startAdminServer,
  type DaemonCommand,
  type DaemonContext,
  type AdminServer,
  formatListen,
} from '@berth/daemon';
import type { CatalogSource } from './catalog-source.js';
import { startDns, type DnsServer, type DnsStatus } from './dns-server.js';
import { bindDnsMetrics } from './metrics.js';
import { dnsOptions, dnsOptionsFrom, type DnsConfig } from './options.js';

/** The health verdict for a status: `ok`, or the reasons it is not. */
export function healthOf(
  s: DnsStatus,
  maxStaleMs: number,
): { status: 'starting' | 'ok' | 'degraded'; reasons: string[] } {
  if (!s.ready) return { status: 'starting', reasons: ['waiting for the first catalog snapshot'] };
  if (s.staleForMs !== undefined && s.staleForMs > maxStaleMs) {
    const age =
      s.snapshotAgeMs === undefined ? '' : `, fetched ${Math.round(s.snapshotAgeMs / 1000)}s ago`;
    return {
      status: 'degraded',
      reasons: [
        `catalog unreachable for ${Math.round(s.staleForMs / 1000)}s; answering from the snapshot at index ${s.index}${age}`,
      ],
    };
  }
  return { status: 'ok', reasons: [] };
}

/** A running `berth dns`: the responder and its admin listener. */
export interface RunningDns {
  readonly server: DnsServer;
  readonly admin: AdminServer;
}

/** Starts berth dns with a context; `source` replaces the Consul watch (tests). */
export async function runDns(
  config: DnsConfig,
  ctx: DaemonContext,
  source?: CatalogSource,
): Promise<RunningDns> {
  const { log, registry, health, shutdown } = ctx;
  health.starting();
  const server = await startDns(dnsOptionsFrom(config), source);
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
  server.on('recursor-error', (e) =>
    log.warn({ recursor: e.recursor, err: e.message }, 'recursor failed'),
  );
  server.on('socket-error', (e) => log.warn({ err: e }, 'dns socket error'));

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

  const admin = await startAdminServer(config.admin, adminHandler({ health, registry }));
  shutdown.add('dns admin', () => admin.close());
  log.info(
    {
      listen: server.addresses.map((a) => `${a.protocol}://${formatListen(a)}`),
      admin: formatListen({ host: admin.address.address, port: admin.address.port }),
      recursors: config.recursor,
    },
    'berth dns listening',
  );
  return { server, admin };
}

/** `berth dns`. */
export const command: DaemonCommand<typeof dnsOptions> = {
  name: 'dns',
  summary: 'Answer *.service.consul from an in-memory catalog snapshot, round-robin',
  options: dnsOptions,
  async start(config, ctx) {
    await runDns(config, ctx);
  },
};
