/**
 * Health checks from SERVICE_[<port>_]CHECK_* attributes: HTTP, HTTPS, TCP and TTL, with
 * interval, timeout, initial status and deregister-after. Pure; a malformed value drops only
 * that part (the check, or the bad setting) and reports a warning naming the key.
 */

import { formatDuration, parseDuration } from '@berth/daemon';
import type { Attributes, MetadataEntry } from './service-metadata.js';
import { parseBool } from './service-metadata.js';
import type { ConsulAgentServiceCheck } from '@berth/protocol';

/** Interval of HTTP/HTTPS/TCP checks when SERVICE_CHECK_INTERVAL is not given (registrator's). */
export const DEFAULT_CHECK_INTERVAL = '10s';

/** The CHECK_* attribute names this module understands (lower case, without SERVICE_). */
export const CHECK_ATTRIBUTES: ReadonlySet<string> = new Set([
  'check_http',
  'check_https',
  'check_http_method',
  'check_https_method',
  'check_tcp',
  'check_ttl',
  'check_interval',
  'check_timeout',
  'check_initial_status',
  'check_deregister_after',
  // The Docker-health mirror (docker-health.ts), handled by containerToServices.
  'check_docker_health',
]);

const STATUSES = new Set(['passing', 'warning', 'critical']);
const METHOD = /^[A-Z]+$/;

type Warn = (key: string, message: string) => void;

function duration(entry: MetadataEntry | undefined, warn: Warn): string | undefined {
  if (!entry) return undefined;
  const ms = parseDuration(entry.value);
  if (ms === undefined || !(ms > 0)) {
    warn(entry.key, `bad duration ${JSON.stringify(entry.value)} (e.g. 10s, 1500ms, 1m)`);
    return undefined;
  }
  return formatDuration(ms);
}

function hostPort(address: string, port: number): string {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}

/** The checks one service gets from its attributes; `address:port` is what the check probes. */
export function buildChecks(
  attrs: Attributes,
  address: string,
  port: number,
  warn: Warn,
): ConsulAgentServiceCheck[] {
  for (const [name, entry] of attrs) {
    if (!name.startsWith('check_') || CHECK_ATTRIBUTES.has(name)) continue;
    if (name === 'check_script' || name === 'check_cmd') {
      warn(entry.key, 'script checks are not supported; ignored');
    } else {
      warn(entry.key, `unknown check kind ${JSON.stringify(name.slice('check_'.length))}; ignored`);
    }
  }

  const kinds: { kind: 'http' | 'https' | 'tcp' | 'ttl'; entry: MetadataEntry }[] = [];
  for (const kind of ['http', 'https', 'tcp', 'ttl'] as const) {
    const entry = attrs.get(`check_${kind}`);
    if (entry) kinds.push({ kind, entry });
  }
  if (kinds.length === 0) return [];

  const lazy = new Map<string, unknown>();
  const once = <T>(name: string, f: () => T): T => {
    if (!lazy.has(name)) lazy.set(name, f());
    return lazy.get(name) as T;
  };
  const interval = (): string =>
    once('interval', () => duration(attrs.get('check_interval'), warn)) ?? DEFAULT_CHECK_INTERVAL;
  const timeout = (): string | undefined =>
    once('timeout', () => duration(attrs.get('check_timeout'), warn));
  const common = (): Partial<ConsulAgentServiceCheck> =>
    once('common', () => {
      const out: {
        Status?: ConsulAgentServiceCheck['Status'];
        DeregisterCriticalServiceAfter?: string;
      } = {};
      const status = attrs.get('check_initial_status');
      if (status) {
        const s = status.value.trim().toLowerCase();
        if (STATUSES.has(s)) out.Status = s as ConsulAgentServiceCheck['Status'];
        else
          warn(
            status.key,
            `bad initial status ${JSON.stringify(status.value)} (passing, warning or critical)`,
          );
      }
      const after = duration(attrs.get('check_deregister_after'), warn);
      if (after) out.DeregisterCriticalServiceAfter = after;
      return out;
    });
  const method = (name: string): string | undefined => {
    const entry = attrs.get(name);
    if (!entry) return undefined;
    const m = entry.value.trim().toUpperCase();
    if (METHOD.test(m)) return m;
    warn(entry.key, `bad HTTP method ${JSON.stringify(entry.value)}`);
    return undefined;
  };

  const checks: ConsulAgentServiceCheck[] = [];
  for (const { kind, entry } of kinds) {
    const value = entry.value.trim();
    if (kind === 'http' || kind === 'https') {
      if (!value.startsWith('/') || /\s/.test(value)) {
        warn(entry.key, `bad path ${JSON.stringify(entry.value)} (must start with /); no check`);
        continue;
      }
      const m = method(`check_${kind}_method`);
      const t = timeout();
      checks.push({
        HTTP: `${kind}://${hostPort(address, port)}${value}`,
        ...(m ? { Method: m } : {}),
        Interval: interval(),
        ...(t ? { Timeout: t } : {}),
        ...common(),
      });
    } else if (kind === 'tcp') {
      const on = parseBool(value);
      if (on === undefined) {
        warn(entry.key, `bad value ${JSON.stringify(entry.value)} (true or false); no check`);
        continue;
      }
      if (!on) continue;
      const t = timeout();
      checks.push({
        TCP: hostPort(address, port),
        Interval: interval(),
        ...(t ? { Timeout: t } : {}),
        ...common(),
      });
    } else {
      const ttl = duration(entry, warn);
      if (!ttl) continue;
      checks.push({ TTL: ttl, ...common() });
    }
  }
  return checks;
}
