/**
 * `startRegistrator`: the programmatic way to run a registrator (tests use it in-process) and
 * what `berth registrator` calls. It validates options, builds the Docker and Consul adapters
 * unless given, and starts the engine. It never logs: callers subscribe to the engine's events.
 */

import { hostname as osHostname } from 'node:os';
import { isIP } from 'node:net';
import { ConsulRegistry } from './consul-registry.js';
import type { ContainerRuntime } from './container-runtime.js';
import { DockerRuntime } from './docker-runtime.js';
import { RegistratorOptionError } from './errors.js';
import { defaultHostIp } from './host-ip.js';
import { Registrator } from './registrator.js';
import type { RegistratorOptions } from './registrator-types.js';
import type { ServiceRegistry } from './service-registry.js';

/** Options of startRegistrator: the engine's plus where Docker and Consul are. */
export interface StartRegistratorOptions extends Omit<RegistratorOptions, 'hostname' | 'hostIp'> {
  /** First part of service IDs and the ownership Meta; default the host name. */
  readonly hostname?: string;
  /** `--ip`: address of services published on every address; default the host's. */
  readonly ip?: string | undefined;
  /** Consul HTTP address; default CONSUL_HTTP_ADDR from `env`, then 127.0.0.1:8500. */
  readonly consul?: string | undefined;
  /** Consul ACL token; default CONSUL_HTTP_TOKEN from `env`. */
  readonly token?: string | undefined;
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Docker socket path; default dockerode's (DOCKER_HOST or /var/run/docker.sock). */
  readonly dockerSocket?: string | undefined;
}

/** Adapters to use instead of Docker and Consul (tests pass in-memory ones). */
export interface RegistratorDeps {
  readonly runtime?: ContainerRuntime;
  readonly registry?: ServiceRegistry;
}

/** A running registrator. */
export interface RunningRegistrator {
  readonly registrator: Registrator;
  /** Resolves after the first full sync; rejects when `--retry-attempts` ran out first. */
  readonly synced: Promise<void>;
  /** Stops following Docker and every timer; registrations stay (their containers still run). */
  close(): Promise<void>;
}

/** Validates the options that need more than a type check and fills defaults. */
export function resolveOptions(options: StartRegistratorOptions): RegistratorOptions {
  const ip = options.ip?.trim();
  if (ip && isIP(ip) === 0) {
    throw new RegistratorOptionError('--ip', `${JSON.stringify(options.ip)} is not an IP address`);
  }
  if (ip === '0.0.0.0' || ip === '::') {
    throw new RegistratorOptionError('--ip', `${ip} is not an address others can reach`);
  }
  for (const f of options.labelFilters ?? []) {
    if (!f.key || /[\s=]/.test(f.key)) {
      throw new RegistratorOptionError(
        '--label-filter',
        `bad label ${JSON.stringify(f.key)} (k=v or k)`,
      );
    }
  }
  return {
    ...options,
    hostname: options.hostname || osHostname(),
    hostIp: ip || defaultHostIp(),
  };
}

/** Parses `--label-filter` values: `k=v` or `k`. */
export function parseLabelFilter(text: string): { key: string; value?: string } {
  const eq = text.indexOf('=');
  const key = (eq === -1 ? text : text.slice(0, eq)).trim();
  if (!key || /\s/.test(key)) {
    throw new RegistratorOptionError(
      '--label-filter',
      `bad filter ${JSON.stringify(text)} (k=v or k)`,
    );
  }
  return eq === -1 ? { key } : { key, value: text.slice(eq + 1) };
}

/** Starts a registrator; resolves once it follows Docker (see `synced` for the first sync). */
export async function startRegistrator(
  options: StartRegistratorOptions = {},
  deps: RegistratorDeps = {},
): Promise<RunningRegistrator> {
  const resolved = resolveOptions(options);
  const ownRegistry = deps.registry
    ? undefined
    : new ConsulRegistry({ url: options.consul, token: options.token, env: options.env ?? {} });
  const registry = deps.registry ?? (ownRegistry as ConsulRegistry);
  const runtime = deps.runtime ?? new DockerRuntime({ socketPath: options.dockerSocket });
  const registrator = new Registrator(resolved, runtime, registry);
  registrator.start();
  return {
    registrator,
    synced: registrator.synced,
    close: async () => {
      await registrator.close();
      ownRegistry?.close();
    },
  };
}
