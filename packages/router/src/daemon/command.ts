/**
 * `berth router`: starts the router with the config as given (the option keys are the
 * engine's), turns its events into structured logs, and registers the close step. The router
 * itself never logs. No business logic here.
 */
import cluster from 'node:cluster';
import type { DaemonCommand } from '@berth/daemon';
import { routerOptions } from './options.js';
import { startRouter } from './start.js';
import { reportToPrimary, startPrimary } from './workers.js';
import { reportLogging } from './start-reporter.js';

/** `berth router`. */
export const command: DaemonCommand<typeof routerOptions> = {
  name: 'router',
  summary: 'HTTP router fed by Consul tags (Fabio-like), behind an ELB',
  options: routerOptions,
  async start(config, ctx) {
    const { log } = ctx;
    if (config.workers > 1 && cluster.isPrimary)
      return startPrimary(config.workers, config.admin, ctx, config);
    // a worker's admin listener is the primary's business: loopback, any port
    const admin = cluster.isWorker ? { host: '127.0.0.1', port: 0 } : config.admin;
    const router = await startRouter({
      ...config,
      // with --workers the primary reports what the workers counted
      scheduler: cluster.isWorker ? [] : config.scheduler,
      admin,
      registry: ctx.registry,
      health: ctx.health,
    });
    if (cluster.isWorker) reportToPrimary(router, ctx.registry);
    router.on('table', (e) =>
      log.info(
        {
          routes: e.routes,
          added: e.added,
          removed: e.removed,
          buildMs: Math.round(e.buildMs * 10) / 10,
        },
        'route table updated',
      ),
    );
    router.on('tagWarning', (w) =>
      log.warn({ service: w.service, tag: w.tag, code: w.code }, w.message),
    );
    router.on('manualError', (e) => log.warn({ code: e.code }, e.message));
    router.on('retry', (e) => log.info(e, 'retrying on another instance'));
    router.on('eject', (e) => log.warn(e, 'upstream ejected'));
    router.on('clientError', (e) => log.debug(e, 'client error'));
    router.on('timeout', (e) => log.debug(e, 'inactivity deadline'));
    router.on('stale', (e) =>
      log.warn({ err: e.error, since: new Date(e.since) }, 'catalog unreachable'),
    );
    router.on('fresh', () => log.info('catalog in sync again'));
    const reports = reportLogging(log);
    router.on('report', reports.onReport);
    router.on('reportError', reports.onError);
    router.on('elbRegistered', (t) => log.info(t, 'registered in the ELB target group'));
    router.on('elbDeregistered', (t) => log.info(t, 'deregistered from the ELB target group'));
    router.on('elbError', (e) =>
      log.error(
        { err: e.error, op: e.op, attempt: e.attempt, retryInMs: e.delayMs },
        'ELB call failed',
      ),
    );
    ctx.shutdown.add('router', () => router.close());
    log.info(
      { proxy: router.proxyAddress, admin: router.adminAddress, consul: config.consul },
      'router listening',
    );
  },
};
