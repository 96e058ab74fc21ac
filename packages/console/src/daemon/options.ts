/**
 * `berth console`'s options (flags, `BERTH_CONSOLE_*` env, config file), named as the engine
 * names them. Definitions only; must never read the environment itself.
 */
import { defineOptions } from '@berth/daemon';

export const consoleOptions = defineOptions({
  scheduler: {
    type: 'url',
    default: 'http://127.0.0.1:8700',
    arg: 'URL',
    help: "The scheduler's ECS API (and its /v1/events stream)",
  },
  region: {
    type: 'string',
    default: 'us-east-1',
    env: 'AWS_REGION',
    help: "The scheduler's region (SigV4 scope)",
  },
  consul: {
    type: 'url',
    env: 'CONSUL_HTTP_ADDR',
    default: 'http://127.0.0.1:8500',
    arg: 'URL',
    help: 'Consul (or berth catalog) HTTP API, watched with blocking queries',
  },
  consulToken: { type: 'string', env: 'CONSUL_HTTP_TOKEN', arg: 'TOKEN', help: 'Consul ACL token' },
  listen: {
    type: 'listen',
    default: '127.0.0.1:8710',
    arg: 'HOST:PORT',
    help: 'The console (plain HTTP: keep it on loopback, or put a TLS proxy in front)',
  },
  credentials: {
    type: 'string',
    arg: 'FILE',
    help: 'AWS shared-credentials file whose [default] key pair the console uses to sample the charts while nobody is signed in (people sign in with their own)',
  },
  agentPort: {
    type: 'int',
    default: 51678,
    arg: 'PORT',
    help: "Agents' introspection port, reached on each instance's berth.advertise-ip (logs)",
  },
  routerPort: {
    type: 'int',
    default: 9998,
    arg: 'PORT',
    help: "Routers' admin port on each instance's berth.advertise-ip (0: no per-host routers)",
  },
  router: {
    type: 'string',
    multiple: true,
    arg: 'URL',
    help: 'Admin URL of a router besides the per-host ones (an edge router); repeatable',
  },
  dns: {
    type: 'string',
    default: '127.0.0.1:8600',
    arg: 'HOST:PORT',
    help: "berth dns to ask what <name>.service.<domain> answers ('' to not ask)",
  },
  domain: { type: 'string', default: 'consul', help: 'DNS domain of the catalog' },
  sessionIdle: {
    type: 'duration',
    default: '30m',
    help: 'A session unused this long ends (the person signs in again)',
  },
  maxSessions: {
    type: 'int',
    default: 1000,
    help: 'Sessions kept at once (the oldest idle one goes)',
  },
  sampleInterval: {
    type: 'duration',
    default: '10s',
    help: 'How often the charts sample the routers and running counts (the last hour is kept)',
  },
  secureCookies: {
    type: 'boolean',
    default: false,
    help: 'Mark the session cookie Secure (when a TLS proxy serves the console)',
  },
  registry: {
    type: 'string',
    arg: 'HOST:PORT',
    help: 'The image registry tasks pull from (berth registry), as images name it',
  },
  registryAdmin: {
    type: 'url',
    arg: 'URL',
    help: "berth registry's admin URL (GET /v1/repositories) for the registry page",
  },
  webDir: {
    type: 'string',
    arg: 'DIR',
    help: 'Directory of the bundled page (default: dist/web/ of this package)',
  },
});
