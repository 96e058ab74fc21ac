/**
 * The registrator's options, validated and with their defaults filled: one pure function from
 * RegistratorOptions (keys named as the daemon's flags) to the settings the engine runs on.
 * Errors name the flag at fault. It must never read the environment, the clock or the network
 * interfaces (the daemon fills `hostname` and `ip` before calling it).
 */

import { isIP } from 'node:net';
import { parseDuration } from '@berth/daemon';
import { RegistratorOptionError } from '../errors.js';
import type { DeregisterMode, RegistratorOptions } from '../types.js';
import type { LabelFilter, MappingOptions } from './container-to-services.js';

/** What the engine runs on. */
export interface RegistratorSettings {
  readonly mapping: MappingOptions;
  readonly hostname: string;
  readonly deregister: DeregisterMode;
  readonly cleanup: boolean;
  readonly resyncMs: number;
  readonly probeMs: number;
  readonly retryAttempts: number;
  readonly retryIntervalMs: number;
  readonly retryMaxMs: number;
}

/** Parses a `--label-filter` value: `k=v` or `k`. */
export function parseLabelFilter(text: string): LabelFilter {
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

function labelFilter(f: string | LabelFilter): LabelFilter {
  if (typeof f === 'string') return parseLabelFilter(f);
  if (!f.key || /[\s=]/.test(f.key)) {
    throw new RegistratorOptionError(
      '--label-filter',
      `bad label ${JSON.stringify(f.key)} (k=v or k)`,
    );
  }
  return f;
}

function retryIntervalMs(v: number | string | undefined): number {
  if (typeof v === 'string') {
    const ms = parseDuration(v, 'ms');
    if (ms === undefined || !(ms > 0)) {
      throw new RegistratorOptionError(
        '--retry-interval',
        `${JSON.stringify(v)} is not a positive number of milliseconds`,
      );
    }
    return ms;
  }
  return v || 1000;
}

function hostIp(text: string): string {
  const ip = text.trim();
  if (isIP(ip) === 0) {
    throw new RegistratorOptionError('--ip', `${JSON.stringify(text)} is not an IP address`);
  }
  if (ip === '0.0.0.0' || ip === '::') {
    throw new RegistratorOptionError('--ip', `${ip} is not an address others can reach`);
  }
  return ip;
}

/** Validates the options and fills defaults; throws RegistratorOptionError naming the flag. */
export function resolveSettings(options: RegistratorOptions): RegistratorSettings {
  const retryAttempts = options.retryAttempts ?? -1;
  if (!Number.isInteger(retryAttempts) || retryAttempts < -1) {
    throw new RegistratorOptionError(
      '--retry-attempts',
      `must be -1 or more, got ${retryAttempts}`,
    );
  }
  for (const [flag, v] of [
    ['--resync', options.resync],
    ['--consul-probe', options.consulProbe],
    ['--retry-interval', typeof options.retryInterval === 'number' ? options.retryInterval : 0],
  ] as const) {
    if (v !== undefined && !(Number.isFinite(v) && v >= 0)) {
      throw new RegistratorOptionError(flag, `must be a duration of 0 or more, got ${v}`);
    }
  }
  if (!options.hostname || options.hostname.includes('/')) {
    throw new RegistratorOptionError(
      '--hostname',
      `bad host name ${JSON.stringify(options.hostname)}`,
    );
  }
  const deregister = options.deregister ?? 'always';
  if (deregister !== 'always' && deregister !== 'on-success') {
    throw new RegistratorOptionError(
      '--deregister',
      `must be always or on-success, got ${deregister}`,
    );
  }
  return {
    mapping: {
      hostname: options.hostname,
      hostIp: hostIp(options.ip),
      internal: options.internal ?? false,
      tags: options.tags ?? [],
      requireLabel: options.requireLabel ?? false,
      labelFilters: (options.labelFilter ?? []).map(labelFilter),
      dockerHealth: options.dockerHealth ?? true,
    },
    hostname: options.hostname,
    deregister,
    cleanup: options.cleanup ?? false,
    resyncMs: options.resync ?? 30_000,
    probeMs: options.consulProbe ?? 5_000,
    retryAttempts,
    retryIntervalMs: retryIntervalMs(options.retryInterval),
    retryMaxMs: options.retryMaxMs ?? 5000,
  };
}
