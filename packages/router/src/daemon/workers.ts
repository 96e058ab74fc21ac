/**
 * `--workers N`: the primary process forks N routers (node:cluster) that share the proxy
 * listener; each worker watches the catalog and keeps its own table, pools and passive
 * health. The primary restarts a worker that dies and serves the admin listener: `/health` is
 * ok only when every worker is, `/metrics` sums the workers' metrics, the other pages come
 * from one worker. Node 20's `net` has no SO_REUSEPORT option, hence cluster. The primary
 * never proxies a request itself.
 */
import cluster, { type Worker } from 'node:cluster';
import http from 'node:http';
import { AggregatorRegistry, type MetricObjectWithValues, type MetricValue } from 'prom-client';
import { backoffDelay, sleep, type DaemonContext, type Registry } from '@berth/daemon';
import type { InstanceRequestCount } from '@berth/protocol';
import type { RunningRouter } from '../engine.js';
import { reportLogging, startReporter, type ReporterConfig } from './start-reporter.js';

const MSG = 'berth-router';
type Metrics = MetricObjectWithValues<MetricValue<string>>[];

interface FromWorker {
  readonly type: typeof MSG;
  readonly kind: 'state' | 'metrics' | 'counts';
  readonly healthy?: boolean;
  readonly status?: string;
  readonly admin?: { host: string; port: number } | undefined;
  readonly id?: number;
  readonly metrics?: Metrics;
  readonly counts?: InstanceRequestCount[];
}

/** In a worker: tell the primary its health and admin port, answer its metric requests. */
export function reportToPrimary(router: RunningRouter, registry: Registry): void {
  const state = () =>
    process.send?.({
      type: MSG,
      kind: 'state',
      healthy: router.health.healthy,
      status: router.health.status,
      admin: router.adminAddress,
    });
  router.health.on('change', state);
  state();
  process.on('message', (m: { type?: string; kind?: string; id?: number }) => {
    if (m?.type !== MSG) return;
    if (m.kind === 'counts') {
      const counts = router.requestCounts.take();
      process.send?.({ type: MSG, kind: 'counts', id: m.id, counts });
      return;
    }
    if (m.kind !== 'metrics') return;
    void registry
      .getMetricsAsJSON()
      .then((metrics) => process.send?.({ type: MSG, kind: 'metrics', id: m.id, metrics }));
  });
}

interface View {
  healthy: boolean;
  status: string;
  admin: { host: string; port: number } | undefined;
}

/** In the primary: fork and supervise the workers, serve the admin listener. */
export async function startPrimary(
  count: number,
  admin: { host: string; port: number },
  ctx: DaemonContext,
  report?: ReporterConfig,
): Promise<void> {
  const { log, health } = ctx;
  const views = new Map<Worker, View>();
  const waiting = new Map<number, { left: number; got: unknown[]; done: (m: unknown[]) => void }>();
  let nextId = 0;
  let stopping = false;
  let restarts = 0;
  const update = () => {
    const all = [...views.values()];
    if (all.length === count && all.every((v) => v.healthy)) health.ok();
    else if (all.some((v) => v.status === 'degraded')) health.degraded(['a worker is degraded']);
    else health.starting();
    health.setDetails({ workers: all.map((v) => v.status) });
  };
  const fork = () => {
    const w = cluster.fork();
    w.on('message', (m: FromWorker) => {
      if (m?.type !== MSG) return;
      if (m.kind === 'state') {
        views.set(w, { healthy: m.healthy === true, status: m.status ?? '', admin: m.admin });
        update();
      } else if (m.id !== undefined) {
        const r = waiting.get(m.id);
        if (r === undefined) return;
        r.got.push(m.kind === 'counts' ? (m.counts ?? []) : (m.metrics ?? []));
        if (--r.left === 0) r.done(r.got);
      }
    });
  };
  cluster.on('exit', (w, code, signal) => {
    views.delete(w);
    update();
    if (stopping) return;
    log.error({ pid: w.process.pid, code, signal }, 'router worker died; restarting');
    const delay = backoffDelay(restarts++, { baseMs: 200, maxMs: 10_000, jitter: 'full' });
    void sleep(delay).then(() => !stopping && fork());
  });
  for (let i = 0; i < count; i++) fork();

  /** Asks every worker for its metrics or its request counts (2 s at most). */
  const ask = async (kind: 'metrics' | 'counts'): Promise<unknown[]> => {
    const workers = Object.values(cluster.workers ?? {}).filter(
      (w): w is Worker => w !== undefined,
    );
    const id = nextId++;
    const got = await new Promise<unknown[]>((done) => {
      waiting.set(id, { left: workers.length, got: [], done });
      for (const w of workers) w.send({ type: MSG, kind, id });
      setTimeout(() => done(waiting.get(id)?.got ?? []), 2000).unref();
    });
    waiting.delete(id);
    return got;
  };
  const metrics = async (): Promise<string> =>
    AggregatorRegistry.aggregate((await ask('metrics')) as Metrics[]).metrics();
  // --scheduler: the primary reports the sum of what its workers counted.
  const reporter =
    report &&
    (await startReporter(
      report,
      async () => ((await ask('counts')) as InstanceRequestCount[][]).flat(),
      reportLogging(log),
    ));
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?', 1)[0];
    if (path === '/health') {
      res.writeHead(health.healthy ? 200 : 503, { 'content-type': 'application/json' });
      res.end(JSON.stringify(health.toJSON()));
    } else if (path === '/metrics') {
      metrics().then(
        (text) => res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(text),
        (err: unknown) => res.writeHead(500).end(`metrics failed: ${String(err)}\n`),
      );
    } else {
      // routes, manual text, upstream state: any worker's view (they watch the same catalog)
      const to = [...views.values()].find((v) => v.admin !== undefined)?.admin;
      if (to === undefined) return void res.writeHead(503).end('no worker yet\n');
      const up = http.request(
        { host: to.host, port: to.port, path: req.url, method: req.method, headers: req.headers },
        (r) => {
          res.writeHead(r.statusCode ?? 502, r.headers);
          r.pipe(res);
        },
      );
      up.on('error', () => res.writeHead(502).end('worker unreachable\n'));
      req.pipe(up);
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(admin.port, admin.host || undefined, () => resolve());
  });
  ctx.shutdown.add('router workers', async () => {
    stopping = true;
    await reporter?.stop();
    const exits = Object.values(cluster.workers ?? {}).map(
      (w) => new Promise<void>((r) => (w?.isDead() ? r() : w?.once('exit', () => r()))),
    );
    for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGTERM');
    await Promise.all(exits);
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  });
  log.info({ workers: count, admin: server.address() }, 'router workers started');
}
