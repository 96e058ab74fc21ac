/**
 * `berth dns --workers N`: N processes answering on the same sockets. Node 20 has no
 * SO_REUSEPORT for dgram or net, so the cluster module shares them: the primary holds the
 * UDP socket and the TCP listener, every worker reads the one UDP socket and takes TCP
 * connections from it. Each worker follows the catalog and builds its own table. The
 * primary only supervises: it restarts a worker that dies (with the shared backoff), serves
 * /health (ok when every worker is ok) and /metrics (the workers' registries summed), and
 * stops the workers on shutdown. Must never answer a query itself.
 */
import cluster, { type Worker } from 'node:cluster';
import { AggregatorRegistry, type PrometheusContentType } from 'prom-client';
import {
  adminHandler,
  backoffDelay,
  formatListen,
  startAdminServer,
  type DaemonContext,
  type Health,
  type HealthReport,
} from '@berth/daemon';
import type { DnsConfig } from './options.js';

/** The message a worker sends the primary whenever its health changes (and every second). */
export interface WorkerHealth {
  readonly type: 'berth-dns-health';
  readonly report: HealthReport;
}

function isWorkerHealth(m: unknown): m is WorkerHealth {
  return typeof m === 'object' && m !== null && (m as WorkerHealth).type === 'berth-dns-health';
}

/** In a worker: report health to the primary and answer its metrics requests. */
export function reportToPrimary(ctx: DaemonContext): () => void {
  AggregatorRegistry.setRegistries([ctx.registry]);
  new AggregatorRegistry<PrometheusContentType>(); // installs the worker's reply to the primary's metrics requests
  const send = (): void => {
    if (process.connected)
      process.send?.({ type: 'berth-dns-health', report: ctx.health.toJSON() } as WorkerHealth);
  };
  send();
  ctx.health.on('change', send);
  const timer = setInterval(send, 1000);
  timer.unref();
  return () => {
    clearInterval(timer);
    ctx.health.off('change', send);
  };
}

/** /metrics in the primary: every worker's registry, summed (gauges as declared). */
class WorkersRegistry extends AggregatorRegistry<PrometheusContentType> {
  override metrics(): Promise<string> {
    return this.clusterMetrics();
  }
}

/** The primary's /health from its workers' reports. */
function aggregate(health: Health, n: number, reports: ReadonlyMap<number, HealthReport>): void {
  const list = [...reports.values()];
  if (list.length < n || list.some((r) => r.status === 'starting')) {
    health.starting();
    return;
  }
  const bad = [...reports].filter(([, r]) => r.status !== 'ok');
  if (bad.length === 0) health.ok();
  else health.degraded(bad.flatMap(([id, r]) => r.reasons.map((x) => `worker ${id}: ${x}`)));
}

/** Runs the primary of `--workers N`; resolves once the admin listener is bound. */
export async function runPrimary(config: DnsConfig, ctx: DaemonContext): Promise<void> {
  const { log, health, shutdown } = ctx;
  const n = config.workers;
  const reports = new Map<number, HealthReport>();
  let stopping = false;
  let restarts = 0;
  health.starting();

  const fork = (): Worker => {
    const w = cluster.fork();
    w.on('message', (m: unknown) => {
      if (!isWorkerHealth(m)) return;
      reports.set(w.id, m.report);
      aggregate(health, n, reports);
    });
    return w;
  };
  cluster.on('exit', (w, code, signal) => {
    reports.delete(w.id);
    if (stopping) return;
    aggregate(health, n, reports);
    restarts++;
    const delay = backoffDelay(restarts, { baseMs: 200, maxMs: 10_000 });
    log.warn({ worker: w.id, code, signal, restartInMs: delay }, 'dns worker exited; restarting');
    setTimeout(() => {
      if (!stopping) fork();
    }, delay).unref();
  });
  // A worker that stays up a while resets the restart backoff.
  const calm = setInterval(() => (restarts = 0), 60_000);
  calm.unref();
  for (let i = 0; i < n; i++) fork();

  shutdown.add('dns workers', async () => {
    stopping = true;
    clearInterval(calm);
    const workers = Object.values(cluster.workers ?? {}).filter((w): w is Worker => !!w);
    const exited = workers.map((w) => new Promise<void>((r) => w.once('exit', () => r())));
    for (const w of workers) w.kill('SIGTERM');
    await Promise.all(exited);
  });
  const registry = new WorkersRegistry();
  const admin = await startAdminServer(config.admin, adminHandler({ health, registry }));
  shutdown.add('dns admin', () => admin.close());
  log.info(
    {
      workers: n,
      listen: config.listen.map((l) => formatListen(l)),
      admin: formatListen({ host: admin.address.address, port: admin.address.port }),
    },
    'berth dns primary: workers share the sockets',
  );
}
