/**
 * `berth router`: flags, the daemon start, close steps and the logs. It turns the router's
 * events into structured logs; the router itself never logs. No business logic here.
 */
import { type DaemonCommand, defineOptions } from '@berth/daemon';
import { startRouter } from './router.js';
import type { Strategy } from './balancer.js';
import type { Matcher } from './route-table.js';

/** The router's options (flags are the kebab-case keys). */
export const routerOptions = defineOptions({
  consul: {
    type: 'url',
    env: 'CONSUL_HTTP_ADDR',
    default: 'http://127.0.0.1:8500',
    arg: 'URL',
    help: 'Consul (or berth catalog) HTTP API',
  },
  consulToken: { type: 'string', env: 'CONSUL_HTTP_TOKEN', arg: 'TOKEN', help: 'Consul ACL token' },
  proxy: { type: 'listen', default: ':9999', arg: 'HOST:PORT', help: 'HTTP proxy listener' },
  admin: {
    type: 'listen',
    default: '127.0.0.1:9998',
    arg: 'HOST:PORT',
    help: 'Admin listener: /health, /metrics, /api/routes, /routes, /api/manual',
  },
  strategy: {
    type: 'enum',
    choices: ['rr', 'rnd', 'least'],
    default: 'rr',
    help: 'Balancing: round-robin, random, least outstanding requests',
  },
  matcher: { type: 'enum', choices: ['prefix', 'glob'], default: 'prefix', help: 'Path matching' },
  tagPrefix: {
    type: 'string',
    default: 'urlprefix-',
    help: 'Service tag prefix that declares routes',
  },
  noRouteStatus: { type: 'int', default: 404, help: 'Status when no route matches' },
  kvPath: {
    type: 'string',
    default: 'fabio/config',
    arg: 'KEY',
    help: "Consul KV key (and keys below it) with manual routes in Fabio's route language",
  },
  trustedProxy: {
    type: 'string',
    multiple: true,
    arg: 'CIDR',
    help: 'Trust inbound X-Forwarded-*/Forwarded from these ranges (the ELB); repeatable',
  },
  proxyProtocol: {
    type: 'boolean',
    default: false,
    help: 'Require a PROXY protocol v1/v2 header on every proxy connection',
  },
  maxHeaderSize: { type: 'int', default: 16384, help: 'Largest request or response head, bytes' },
  headerTimeout: { type: 'duration', default: '10s', help: 'Time to receive a request head' },
  idleTimeout: {
    type: 'duration',
    default: '60s',
    help: 'Keep-alive idle time of client connections',
  },
  connectTimeout: { type: 'duration', default: '5s', help: 'Time to connect to an upstream' },
  responseTimeout: {
    type: 'duration',
    default: '60s',
    help: 'Time from sending a request to the upstream response head',
  },
  staleAfter: {
    type: 'duration',
    default: '30s',
    help: '/health turns unhealthy once the catalog was unreachable this long',
  },
  ejectBase: { type: 'duration', default: '1s', help: 'First ejection of a failing upstream' },
  ejectMax: { type: 'duration', default: '30s', help: 'Longest ejection (it doubles per failure)' },
  targetGroup: {
    type: 'string',
    arg: 'ARN',
    help: 'ELB target group to register this router in once healthy',
  },
  targetId: {
    type: 'string',
    arg: 'ID',
    help: 'Target ID to register (EC2 instance ID or IP address); needed with --target-group',
  },
  targetPort: { type: 'int', help: 'Port to register (default: the proxy port)' },
  elbEndpoint: { type: 'url', arg: 'URL', help: 'ELB API endpoint override' },
  elbRegion: { type: 'string', env: 'AWS_REGION', help: 'AWS region of the target group' },
  drainDelay: {
    type: 'duration',
    default: '10s',
    help: 'Keep serving this long after deregistering from the ELB at shutdown',
  },
});

/** `berth router`. */
export const command: DaemonCommand<typeof routerOptions> = {
  name: 'router',
  summary: 'HTTP router fed by Consul tags (Fabio-like), behind an ELB',
  options: routerOptions,
  async start(config, ctx) {
    const { log } = ctx;
    const router = await startRouter({
      consul: config.consul,
      consulToken: config.consulToken,
      proxy: config.proxy,
      admin: config.admin,
      strategy: config.strategy as Strategy,
      matcher: config.matcher as Matcher,
      tagPrefix: config.tagPrefix,
      noRouteStatus: config.noRouteStatus,
      kvPath: config.kvPath,
      trustedProxies: config.trustedProxy,
      proxyProtocol: config.proxyProtocol,
      maxHeaderSize: config.maxHeaderSize,
      headerTimeoutMs: config.headerTimeout,
      idleTimeoutMs: config.idleTimeout,
      connectTimeoutMs: config.connectTimeout,
      responseTimeoutMs: config.responseTimeout,
      staleAfterMs: config.staleAfter,
      ejectBaseMs: config.ejectBase,
      ejectMaxMs: config.ejectMax,
      targetGroup: config.targetGroup,
      targetId: config.targetId,
      targetPort: config.targetPort,
      elbEndpoint: config.elbEndpoint,
      elbRegion: config.elbRegion,
      drainDelayMs: config.targetGroup ? config.drainDelay : 0,
      registry: ctx.registry,
      health: ctx.health,
    });
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
    router.on('stale', (e) =>
      log.warn({ err: e.error, since: new Date(e.since) }, 'catalog unreachable'),
    );
    router.on('fresh', () => log.info('catalog in sync again'));
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
