/**
 * The flags of `berth registrator` (also env and config file), one definition per key. The
 * keys are named as startRegistrator's options, so the command passes the config through
 * instead of copying fields (`admin` is the daemon's own); values the type check cannot catch
 * are checked by the engine's resolveSettings, which names the flag. Must never read
 * process.env or argv itself.
 */

import { hostname } from 'node:os';
import { type ConfigOf, defineOptions } from '@berth/daemon';

/** The registrator's options. */
export const registratorOptions = defineOptions({
  consul: {
    type: 'url',
    default: 'http://127.0.0.1:8500',
    env: 'CONSUL_HTTP_ADDR',
    arg: 'URL',
    help: 'Consul (or berth catalog) HTTP address',
  },
  token: { type: 'string', env: 'CONSUL_HTTP_TOKEN', arg: 'TOKEN', help: 'Consul ACL token' },
  ip: {
    type: 'string',
    arg: 'IP',
    help: "Address to register for ports published on every address (default: the host's first external IPv4)",
  },
  internal: {
    type: 'boolean',
    default: false,
    help: 'Register the container IP and exposed port instead of the host IP and host port',
  },
  resync: {
    type: 'duration',
    default: '30s',
    arg: 'SECONDS',
    help: 'Full reconcile period (seconds or 30s, 1m); 0 turns it off',
  },
  tags: { type: 'list', arg: 'a,b', help: 'Tags added to every service' },
  deregister: {
    type: 'enum',
    choices: ['always', 'on-success'],
    default: 'always',
    help: 'always: deregister when a container stops; on-success: keep non-zero exits registered',
  },
  cleanup: {
    type: 'boolean',
    default: false,
    help: 'Also remove services named <hostname>:... left without berth ownership (e.g. by gliderlabs/registrator)',
  },
  labelFilter: {
    type: 'string',
    multiple: true,
    arg: 'k=v',
    help: 'Only register containers with this label (k=v or k); repeatable, all must match',
  },
  requireLabel: {
    type: 'boolean',
    default: false,
    help: 'Only register services whose container sets SERVICE_REGISTER=true',
  },
  dockerHealth: {
    type: 'boolean',
    default: true,
    help: 'Mirror Docker HEALTHCHECK status into a TTL check of the services (--docker-health=false: off)',
  },
  retryAttempts: {
    type: 'int',
    default: -1,
    arg: 'N',
    help: 'Retries of a failed Consul call (and of the first sync at start); -1 = forever',
  },
  retryInterval: {
    type: 'string',
    default: '1000',
    arg: 'MS',
    help: 'First retry delay in milliseconds (or 1s, 500ms); doubles up to 5s',
  },
  consulProbe: {
    type: 'duration',
    default: '5s',
    help: 'How often to check that Consul still holds our services (finds a restarted agent); 0 = off',
  },
  hostname: {
    type: 'string',
    default: hostname(),
    help: 'Host name used in service IDs and the ownership Meta (berth-registrator=<hostname>)',
  },
  docker: {
    type: 'string',
    arg: 'SOCKET',
    help: 'Docker engine socket (default DOCKER_HOST or /var/run/docker.sock)',
  },
  admin: {
    type: 'listen',
    default: '127.0.0.1:8602',
    arg: 'HOST:PORT',
    help: 'Listener for /health and /metrics',
  },
});

/** The registrator's typed config (startRegistrator takes it as it is). */
export type RegistratorConfig = ConfigOf<typeof registratorOptions>;
