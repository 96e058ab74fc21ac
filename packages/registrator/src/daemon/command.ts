/**
 * `berth registrator`: the daemon command. It starts the engine, turns its events into logs,
 * metrics and /health, serves /health and /metrics on `--admin`, and registers close steps.
 * No registration logic here.
 */

import { type DaemonCommand, adminHandler, startAdminServer } from '@berth/daemon';
import { registratorMetrics } from './metrics.js';
import { registratorOptions } from './options.js';
import type { Registrator } from '../engine.js';
import { startRegistrator } from './start.js';

function shortId(id: string): string {
  return id.slice(0, 12);
}

function updateHealth(
  registrator: Registrator,
  synced: boolean,
  health: { ok(): void; degraded(r: string[]): void; starting(): void },
): void {
  const reasons: string[] = [];
  if (!registrator.runtimeConnected) reasons.push('Docker event stream disconnected');
  if (!registrator.registryReachable) reasons.push('Consul unreachable');
  if (reasons.length > 0) health.degraded(reasons);
  else if (!synced) health.starting();
  else health.ok();
}

/** The `berth registrator` daemon command. */
export const command: DaemonCommand<typeof registratorOptions> = {
  name: 'registrator',
  summary: "Publishes every container's published ports to Consul (events plus reconciliation)",
  options: registratorOptions,
  async start(config, ctx) {
    const { log, health, registry, shutdown } = ctx;
    const running = await startRegistrator({ ...config, env: process.env });
    const r = running.registrator;
    registratorMetrics(registry, r);
    let synced = false;
    const refresh = (): void => updateHealth(r, synced, health);
    health.starting();

    r.on('register', (e) =>
      log.info(
        {
          id: e.id,
          name: e.service.name,
          address: e.service.address,
          port: e.service.port,
          container: shortId(e.containerId),
          trigger: e.trigger,
        },
        'registered',
      ),
    );
    r.on('deregister', (e) =>
      log.info({ id: e.id, container: shortId(e.containerId), trigger: e.trigger }, 'deregistered'),
    );
    r.on('maintenance', (e) =>
      log.info({ id: e.id, enable: e.enable, trigger: e.trigger }, 'maintenance'),
    );
    r.on('health', (e) =>
      log.info(
        { id: e.id, check: e.checkId, status: e.status, trigger: e.trigger },
        'docker health',
      ),
    );
    r.on('warning', (w) =>
      log.warn(
        { container: w.container, key: w.key },
        `container ${w.container}: ${w.key}: ${w.message}`,
      ),
    );
    r.on('reconcile', (rep) => {
      const changed = rep.registered + rep.deregistered + rep.maintenance + rep.health > 0;
      log[changed ? 'info' : 'debug'](rep, 'reconciled');
      synced = true;
      refresh();
    });
    r.on('failure', (f) => log.error({ op: f.op, err: f.error }, 'operation failed'));
    r.on('retry', (e) =>
      log.warn({ op: e.op, attempt: e.attempt, delayMs: e.delayMs, err: e.error }, 'retrying'),
    );
    r.on('runtime', (e) => {
      if (e.connected) log.info('Docker event stream connected');
      else log.warn({ err: e.error }, 'Docker event stream disconnected');
      refresh();
    });
    r.on('registry', (e) => {
      if (e.reachable) log.info('Consul reachable again');
      else log.warn({ err: e.error }, 'Consul unreachable');
      refresh();
    });

    shutdown.add('registrator', () => running.close());
    const admin = await startAdminServer(config.admin, adminHandler({ health, registry }));
    shutdown.add('admin', () => admin.close());
    log.info(
      {
        admin: `${admin.address.address}:${admin.address.port}`,
        consul: config.consul,
        hostname: config.hostname,
      },
      'admin listening',
    );
    // With a bounded --retry-attempts the daemon stops when the first sync cannot be done;
    // with -1 it keeps trying and /health says why it is not ok.
    if (config.retryAttempts >= 0) await running.synced;
  },
};
