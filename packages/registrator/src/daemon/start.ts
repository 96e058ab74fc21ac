/**
 * `startRegistrator`: the programmatic way to run a registrator (tests use it in-process) and
 * what `berth registrator` calls. It validates options, builds the Docker and Consul adapters
 * unless given, and starts the engine. It never logs: callers subscribe to the engine's events.
 */

import { hostname as osHostname } from 'node:os';
import { ConsulRegistry } from '../adapters/consul-registry.js';
import type { ContainerRuntime } from '../adapters/container-runtime.js';
import { DockerRuntime } from '../adapters/docker-runtime.js';
import { defaultHostIp } from '../adapters/host-ip.js';
import type { ServiceRegistry } from '../adapters/service-registry.js';
import { resolveSettings } from '../core/settings.js';
import { Registrator } from '../engine.js';
import type { RegistratorOptions } from '../types.js';

/**
 * Options of startRegistrator: the engine's plus where Docker and Consul are, named as the
 * daemon's flags (so `berth registrator` passes its config as it is).
 */
export interface StartRegistratorOptions extends Omit<RegistratorOptions, 'hostname' | 'ip'> {
  /** First part of service IDs and the ownership Meta; default the host name. */
  readonly hostname?: string | undefined;
  /** `--ip`: address of services published on every address; default the host's. */
  readonly ip?: string | undefined;
  /** Consul HTTP address; default CONSUL_HTTP_ADDR from `env`, then 127.0.0.1:8500. */
  readonly consul?: string | undefined;
  /** Consul ACL token; default CONSUL_HTTP_TOKEN from `env`. */
  readonly token?: string | undefined;
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Docker socket path; default dockerode's (DOCKER_HOST or /var/run/docker.sock). */
  readonly docker?: string | undefined;
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

/**
 * The engine's options from startRegistrator's: the host name and address filled from the
 * machine when not given, then validated (throws RegistratorOptionError naming the flag).
 */
export function engineOptions(options: StartRegistratorOptions): RegistratorOptions {
  const resolved: RegistratorOptions = {
    ...options,
    hostname: options.hostname || osHostname(),
    ip: options.ip?.trim() || defaultHostIp(),
  };
  resolveSettings(resolved);
  return resolved;
}

/** Starts a registrator; resolves once it follows Docker (see `synced` for the first sync). */
export async function startRegistrator(
  options: StartRegistratorOptions = {},
  deps: RegistratorDeps = {},
): Promise<RunningRegistrator> {
  const resolved = engineOptions(options);
  const ownRegistry = deps.registry
    ? undefined
    : new ConsulRegistry({ url: options.consul, token: options.token, env: options.env ?? {} });
  const registry = deps.registry ?? (ownRegistry as ConsulRegistry);
  const runtime = deps.runtime ?? new DockerRuntime({ socketPath: options.docker });
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
