/**
 * `berth catalog`: the daemon command (options, start, close steps, health). It turns the
 * catalog's events into logs; the catalog itself never logs. No business logic here.
 */
import { hostname } from 'node:os';
import { type DaemonCommand, defineOptions } from '@berth/daemon';
import { startCatalog } from './start.js';

/** The catalog's options: flags `--listen`, `--data-dir`, `--acl-token`, ... */
export const catalogOptions = defineOptions({
  listen: {
    type: 'listen',
    default: '127.0.0.1:8500',
    arg: 'HOST:PORT',
    help: 'HTTP listener for the Consul API, /health and /metrics',
  },
  dataDir: {
    type: 'string',
    arg: 'DIR',
    help: 'Directory for the write-ahead log and snapshots (memory only when unset)',
  },
  aclToken: {
    type: 'string',
    arg: 'TOKEN',
    help: 'Require this token (?token=, X-Consul-Token or Authorization: Bearer) on /v1',
  },
  node: { type: 'string', default: hostname(), help: 'Node name of this catalog' },
  datacenter: { type: 'string', default: 'dc1', help: 'Datacenter name' },
  advertise: {
    type: 'string',
    default: '127.0.0.1',
    help: 'Address reported for this node and as the leader (<advertise>:8300)',
  },
  legacyClients: {
    type: 'boolean',
    default: false,
    help: "Accept python-consul 0.7.1's GET writes and script checks (never run); for old test suites only",
  },
  snapshotEvery: {
    type: 'int',
    default: 10000,
    help: 'Log records between snapshots of the state (with --data-dir)',
  },
  seedIndex: {
    type: 'boolean',
    default: true,
    help: 'Start an empty catalog at an index taken from the clock (µs), so a restart without --data-dir never moves indexes backwards (--no-seed-index: start at 1)',
  },
});

export const command: DaemonCommand<typeof catalogOptions> = {
  name: 'catalog',
  summary: 'Consul-compatible HTTP catalog: KV, sessions, services, health checks',
  options: catalogOptions,
  async start(config, ctx) {
    const { log } = ctx;
    const running = await startCatalog({
      listen: config.listen,
      dataDir: config.dataDir,
      aclToken: config.aclToken,
      node: config.node,
      datacenter: config.datacenter,
      advertise: config.advertise,
      legacyClients: config.legacyClients,
      snapshotEvery: config.snapshotEvery,
      seedIndex: config.seedIndex,
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
        acl: config.aclToken ? 'on' : 'off',
        index: running.catalog.store.index,
      },
      'catalog listening',
    );
  },
};
