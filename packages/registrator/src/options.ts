/**
 * The flags of `berth registrator` (also env and config file), one definition per key, and
 * their conversion into startRegistrator options. Pure; the conversion throws
 * RegistratorOptionError naming the flag for values the type check cannot catch.
 */

import { hostname } from 'node:os';
import { type ConfigOf, defineOptions, parseDuration } from '@berth/daemon';
import { RegistratorOptionError } from './errors.js';
import {
  type StartRegistratorOptions,
  parseLabelFilter,
  resolveOptions,
} from './start-registrator.js';

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

/** The registrator's typed config. */
export type RegistratorConfig = ConfigOf<typeof registratorOptions>;

/** Converts the daemon config into startRegistrator options; throws naming a bad flag. */
export function optionsFromConfig(
  config: RegistratorConfig,
  env: Readonly<Record<string, string | undefined>> = {},
): StartRegistratorOptions {
  if (config.retryAttempts < -1) {
    throw new RegistratorOptionError(
      '--retry-attempts',
      `must be -1 or more, got ${config.retryAttempts}`,
    );
  }
  const retryIntervalMs = parseDuration(config.retryInterval, 'ms');
  if (retryIntervalMs === undefined || !(retryIntervalMs > 0)) {
    throw new RegistratorOptionError(
      '--retry-interval',
      `${JSON.stringify(config.retryInterval)} is not a positive number of milliseconds`,
    );
  }
  const options: StartRegistratorOptions = {
    consul: config.consul,
    token: config.token,
    env,
    ip: config.ip,
    internal: config.internal,
    resyncMs: config.resync,
    tags: config.tags ?? [],
    deregister: config.deregister as 'always' | 'on-success',
    cleanup: config.cleanup,
    labelFilters: config.labelFilter.map(parseLabelFilter),
    requireLabel: config.requireLabel,
    dockerHealth: config.dockerHealth,
    retryAttempts: config.retryAttempts,
    retryIntervalMs,
    probeMs: config.consulProbe,
    hostname: config.hostname,
    dockerSocket: config.docker,
  };
  resolveOptions(options);
  return options;
}
