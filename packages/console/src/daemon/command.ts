/**
 * `berth console`: config in, console started, its close step registered, and its events
 * turned into logs. No logic beyond passing the config through.
 */
import { adminHandler, type DaemonCommand } from '@berth/daemon';
import { consoleOptions } from './options.js';
import { startConsole } from './start.js';

const LOOPBACK = /^(127\.|localhost$|::1$|\[::1\]$)/;

export const command: DaemonCommand<typeof consoleOptions> = {
  name: 'console',
  summary:
    'The web console for people: the cluster live at a glance and the everyday actions, signed in with an access key',
  options: consoleOptions,
  async start(config, ctx) {
    const { log } = ctx;
    if (!LOOPBACK.test(config.listen.host || '127.0.0.1')) {
      log.warn(
        { listen: config.listen },
        'the console listens beyond loopback over plain HTTP: put a TLS proxy in front and set --secure-cookies',
      );
    }
    const running = await startConsole({
      scheduler: config.scheduler,
      region: config.region,
      consul: config.consul,
      consulToken: config.consulToken,
      credentialsFile: config.credentials,
      agentPort: config.agentPort,
      routerPort: config.routerPort,
      routers: config.router,
      dns: config.dns,
      domain: config.domain,
      sessionIdleMs: config.sessionIdle,
      maxSessions: config.maxSessions,
      sampleIntervalMs: config.sampleInterval,
      secureCookies: config.secureCookies,
      webDir: config.webDir,
      registry: config.registry,
      registryAdmin: config.registryAdmin,
      listen: config.listen,
      admin: adminHandler({ health: ctx.health, registry: ctx.registry }),
    });
    if (!running.files.built) {
      log.warn('the console page is not built: run npm run bundle -w @berth/console');
    }
    running.engine.on('action', (e) => log.info({ link: e.link }, e.message));
    running.engine.catalog.on('state', (s, error) =>
      s === 'stale'
        ? log.warn({ error }, 'catalog unreachable')
        : log.info('catalog in sync again'),
    );
    ctx.health.ok();
    ctx.shutdown.add('console', () => running.close());
    log.info(
      { url: running.url, scheduler: config.scheduler, consul: config.consul },
      'console listening',
    );
  },
};
