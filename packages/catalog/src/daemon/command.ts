/**
 * `berth catalog`: the daemon command (start, close steps, health). It passes the config to
 * `startCatalog` as it is and turns the catalog's events into logs; the catalog never logs.
 * No business logic here.
 */
import type { DaemonCommand } from '@berth/daemon';
import { catalogOptions } from './options.js';
import { startCatalog } from './start.js';

export { catalogOptions };

export const command: DaemonCommand<typeof catalogOptions> = {
  name: 'catalog',
  summary:
    'Consul-compatible HTTP catalog: KV, sessions, services, health checks, ACLs, prepared queries',
  options: catalogOptions,
  async start(config, ctx) {
    const { log } = ctx;
    const running = await startCatalog({
      ...config,
      registry: ctx.registry,
      health: ctx.health,
      onWarn: (message) => log.warn(message),
      onError: (err) => log.error({ err }, 'request failed'),
    });
    running.catalog.on('reap', (serviceId: string, checkId: string) =>
      log.info({ serviceId, checkId }, 'deregistering service critical for too long'),
    );
    ctx.shutdown.add('catalog', () => running.close());
    log.info(
      {
        url: running.url,
        dataDir: config.dataDir ?? null,
        acl: running.catalog.acl.enabled ? running.catalog.acl.defaultPolicy : 'off',
        scriptChecks: config.enableScriptChecks,
        index: running.catalog.store.index,
      },
      'catalog listening',
    );
  },
};
