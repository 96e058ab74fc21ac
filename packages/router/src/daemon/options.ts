/**
 * The options of `berth router`, one definition per key (flag, environment variable, config
 * file key, default, help). The engine's options carry the same keys, so the command passes
 * the config through instead of copying fields. Must never read process.env or argv itself.
 */
import { defineOptions } from '@berth/daemon';

/** Every option of `berth router` (flags are the kebab-case keys; durations are ms). */
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
  workers: {
    type: 'int',
    default: 1,
    arg: 'N',
    help: 'Proxy processes sharing the listener (node:cluster); each watches the catalog',
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
    help: 'Peers (the ELB) whose forwarding headers and PROXY headers are believed; repeatable',
  },
  trustedHeaders: {
    type: 'list',
    default: 'x-forwarded-for,x-forwarded-proto,x-forwarded-port',
    arg: 'NAMES',
    help: 'Forwarding headers adopted from trusted proxies (default: what an AWS ELB writes)',
  },
  proxyProtocol: {
    type: 'boolean',
    default: false,
    help: 'Require a PROXY protocol v1/v2 header on every connection (trusted peers only)',
  },
  allowTrace: { type: 'boolean', default: false, help: 'Forward TRACE requests (else 405)' },
  allowEmpty: {
    type: 'boolean',
    default: false,
    help: '/health is ok with an empty route table (else it stays unhealthy)',
  },
  maxHeaderSize: { type: 'int', default: 16384, help: 'Largest request or response head, bytes' },
  maxConnections: {
    type: 'int',
    default: 0,
    arg: 'N',
    help: 'Client connections at most; idle keep-alives are closed first (0: a third of the fd limit)',
  },
  headerTimeout: { type: 'duration', default: '10s', help: 'Time to receive a request head' },
  idleTimeout: {
    type: 'duration',
    default: '60s',
    help: 'Keep-alive idle time of client connections',
  },
  bodyTimeout: {
    type: 'duration',
    default: '60s',
    help: 'Longest pause in a request body from the client',
  },
  sendTimeout: {
    type: 'duration',
    default: '60s',
    help: 'Longest time a client may read nothing of what it is sent',
  },
  connectTimeout: { type: 'duration', default: '5s', help: 'Time to connect to an upstream' },
  responseTimeout: {
    type: 'duration',
    default: '60s',
    help: 'From the end of the request to the response head, and between response body bytes',
  },
  tunnelIdleTimeout: {
    type: 'duration',
    default: '60s',
    help: 'A WebSocket (upgraded connection) idle this long either way is closed',
  },
  retryBudget: {
    type: 'number',
    default: 0.2,
    arg: 'RATIO',
    help: 'Retries a route may add, as a share of its requests (plus 10 per 10 s)',
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
  scheduler: {
    type: 'list',
    arg: 'URL[,URL...]',
    help: 'Scheduler endpoint(s) to report requests per instance to (auto scaling); several replicas fail over',
  },
  reportInterval: {
    type: 'duration',
    default: '10s',
    help: 'Between request count reports to --scheduler',
  },
  region: {
    type: 'string',
    default: 'us-east-1',
    env: ['AWS_REGION', 'AWS_DEFAULT_REGION'],
    help: 'Region the scheduler signs with (its --region); credentials: the AWS standard chain',
  },
  drainDelay: {
    type: 'duration',
    default: '10s',
    help: 'Keep serving this long after deregistering from the ELB at shutdown',
  },
});
