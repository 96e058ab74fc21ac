/**
 * Turns a docker-compose.yml (already parsed) into ECS task definitions and services, as
 * ecs-cli compose did, but one task definition + one service per compose service (family
 * `<project>-<service>`) so each can be scaled alone. Pure: no file, no client. Unsupported
 * keys produce warnings; what cannot be mapped (no image, bad values) throws ComposeError.
 */

import { parseDuration } from '@berth/daemon';
import type {
  ContainerDefinition,
  HealthCheck,
  PortMapping,
  RegisterTaskDefinitionCommandInput,
} from '@aws-sdk/client-ecs';
import { ComposeError } from '../errors.js';

/** One ECS service to create from a compose service. */
export interface ComposeService {
  readonly name: string;
  readonly family: string;
  readonly desiredCount: number;
  readonly taskDefinition: RegisterTaskDefinitionCommandInput;
}

/** The translation of a whole compose file. */
export interface ComposePlan {
  readonly project: string;
  readonly services: readonly ComposeService[];
  readonly warnings: readonly string[];
}

/** Keys mapped to the task definition. */
const MAPPED = new Set([
  'image',
  'command',
  'entrypoint',
  'environment',
  'ports',
  'labels',
  'mem_limit',
  'mem_reservation',
  'cpu_shares',
  'healthcheck',
  'working_dir',
  'user',
  'hostname',
  'network_mode',
  'extra_hosts',
  'dns',
  'scale',
  'deploy',
  'container_name',
  'restart',
]);

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** `1g`, `512m`, `300000k`, `1073741824` (bytes) → MiB (rounded up). */
export function parseMemory(value: unknown, where: string): number {
  const text = String(value).trim().toLowerCase();
  const m = /^(\d+(?:\.\d+)?)\s*([bkmg]?)b?$/.exec(text);
  if (!m) throw new ComposeError(`${where}: cannot read memory '${String(value)}' (use 512m, 1g)`);
  const n = Number(m[1]);
  const unit = m[2] || 'b';
  const bytes =
    n * ({ b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 } as Record<string, number>)[unit]!;
  return Math.max(4, Math.ceil(bytes / 1024 ** 2));
}

/** A compose duration (`1m30s`, `10s`, `500ms`) → whole seconds, at least `min`. */
export function parseComposeDuration(value: unknown, where: string, min = 0): number {
  const text = String(value).trim();
  if (!text) throw new ComposeError(`${where}: empty duration`);
  const ms = parseDuration(text);
  if (ms === undefined || ms < 0) {
    throw new ComposeError(`${where}: cannot read duration '${text}' (use 10s, 1m30s)`);
  }
  return Math.max(min, Math.round(ms / 1000));
}

/** Splits a command string like a shell would for simple cases (quotes, no expansion). */
export function splitCommand(text: string): string[] {
  const out: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|'([^']*)'|(\S+)/g;
  for (const m of text.matchAll(re))
    out.push(m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : (m[2] ?? m[3] ?? ''));
  return out;
}

function stringList(value: unknown, where: string): string[] {
  if (typeof value === 'string') return splitCommand(value);
  if (Array.isArray(value)) return value.map(String);
  throw new ComposeError(`${where}: expected a string or a list`);
}

/** `KEY=value` list or a map → pairs (a key alone takes no value: skipped with a warning). */
function keyValues(value: unknown, where: string, warn: (w: string) => void): [string, string][] {
  if (value === undefined || value === null) return [];
  if (Array.isArray(value)) {
    const out: [string, string][] = [];
    for (const item of value.map(String)) {
      const eq = item.indexOf('=');
      if (eq < 0)
        warn(
          `${where}: '${item}' has no value (berth does not read the host's environment); skipped`,
        );
      else out.push([item.slice(0, eq), item.slice(eq + 1)]);
    }
    return out;
  }
  if (isObj(value)) return Object.entries(value).map(([k, v]) => [k, v === null ? '' : String(v)]);
  throw new ComposeError(`${where}: expected a list or a map`);
}

/** One compose `ports` entry → an ECS port mapping (host address dropped with a warning). */
export function parsePort(entry: unknown, where: string, warn: (w: string) => void): PortMapping {
  if (isObj(entry)) {
    const target = Number(entry.target);
    if (!Number.isInteger(target)) throw new ComposeError(`${where}: long-form port needs target`);
    const published = entry.published === undefined ? 0 : Number(entry.published);
    const protocol = entry.protocol === 'udp' ? 'udp' : 'tcp';
    return { containerPort: target, hostPort: published, protocol };
  }
  const text = String(entry);
  const m = /^(?:(?:([\d.]+|\[[^\]]+\]):)?(\d*):)?(\d+)(?:\/(tcp|udp))?$/.exec(text);
  if (!m) throw new ComposeError(`${where}: cannot read port '${text}' (ranges are not supported)`);
  if (m[1])
    warn(`${where}: host address ${m[1]} in '${text}' ignored (the agent's --host-ip decides)`);
  return {
    containerPort: Number(m[3]),
    hostPort: m[2] ? Number(m[2]) : 0,
    protocol: m[4] === 'udp' ? 'udp' : 'tcp',
  };
}

/** A compose healthcheck → an ECS HealthCheck; undefined when disabled or absent. */
export function parseHealthcheck(value: unknown, where: string): HealthCheck | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isObj(value)) throw new ComposeError(`${where}: expected a map`);
  if (value.disable === true) return undefined;
  const test = value.test;
  let command: string[];
  if (typeof test === 'string') command = ['CMD-SHELL', test];
  else if (Array.isArray(test) && test.length) {
    command = test.map(String);
    if (command[0] === 'NONE') return undefined;
    if (command[0] !== 'CMD' && command[0] !== 'CMD-SHELL') {
      throw new ComposeError(`${where}.test: must start with CMD, CMD-SHELL or NONE`);
    }
  } else throw new ComposeError(`${where}.test: required`);
  const check: HealthCheck = { command };
  if (value.interval !== undefined)
    check.interval = parseComposeDuration(value.interval, `${where}.interval`, 5);
  if (value.timeout !== undefined)
    check.timeout = parseComposeDuration(value.timeout, `${where}.timeout`, 2);
  if (value.retries !== undefined) check.retries = Number(value.retries);
  if (value.start_period !== undefined)
    check.startPeriod = parseComposeDuration(value.start_period, `${where}.start_period`);
  return check;
}

/** Translates a parsed compose file. */
export function composeToEcs(doc: unknown, project: string): ComposePlan {
  if (!isObj(doc) || !isObj(doc.services)) {
    throw new ComposeError('the file has no services: map (compose file format 2 or later)');
  }
  if (!/^[a-zA-Z0-9_-]{1,200}$/.test(project)) {
    throw new ComposeError(`project name '${project}' must be letters, digits, - and _`);
  }
  const warnings: string[] = [];
  const warn = (w: string): void => void warnings.push(w);
  for (const key of Object.keys(doc)) {
    if (!['services', 'version', 'name', 'x-berth'].includes(key) && !key.startsWith('x-')) {
      warn(`top-level '${key}' ignored`);
    }
  }
  const services: ComposeService[] = [];
  for (const [name, raw] of Object.entries(doc.services)) {
    const where = `services.${name}`;
    if (!isObj(raw)) throw new ComposeError(`${where}: expected a map`);
    if (!/^[a-zA-Z0-9_-]+$/.test(name))
      throw new ComposeError(`${where}: name must be letters, digits, - and _`);
    if (typeof raw.image !== 'string' || !raw.image) {
      throw new ComposeError(
        `${where}: needs an image (build: is not supported; build and tag the image first)`,
      );
    }
    for (const key of Object.keys(raw)) {
      if (key === 'depends_on')
        warn(`${where}.depends_on ignored: ECS services start independently`);
      else if (!MAPPED.has(key)) warn(`${where}.${key} ignored: not supported by berth compose`);
    }
    if (raw.container_name !== undefined)
      warn(`${where}.container_name ignored: the agent names containers`);
    if (raw.restart !== undefined)
      warn(`${where}.restart ignored: the ECS service replaces stopped tasks`);
    const container: ContainerDefinition = { name, image: raw.image, essential: true };
    if (raw.command !== undefined) container.command = stringList(raw.command, `${where}.command`);
    if (raw.entrypoint !== undefined)
      container.entryPoint = stringList(raw.entrypoint, `${where}.entrypoint`);
    const env = keyValues(raw.environment, `${where}.environment`, warn);
    if (env.length) container.environment = env.map(([k, v]) => ({ name: k, value: v }));
    const labels = keyValues(raw.labels, `${where}.labels`, warn);
    if (labels.length) container.dockerLabels = Object.fromEntries(labels);
    if (raw.ports !== undefined) {
      if (!Array.isArray(raw.ports)) throw new ComposeError(`${where}.ports: expected a list`);
      container.portMappings = raw.ports.map((p, i) => parsePort(p, `${where}.ports[${i}]`, warn));
    }
    if (raw.mem_limit !== undefined)
      container.memory = parseMemory(raw.mem_limit, `${where}.mem_limit`);
    if (raw.mem_reservation !== undefined) {
      container.memoryReservation = parseMemory(raw.mem_reservation, `${where}.mem_reservation`);
    }
    if (container.memory === undefined && container.memoryReservation === undefined) {
      container.memoryReservation = 128;
      warn(`${where}: no mem_limit or mem_reservation; reserving 128 MiB`);
    }
    if (raw.cpu_shares !== undefined) {
      const cpu = Number(raw.cpu_shares);
      if (!Number.isInteger(cpu) || cpu < 0)
        throw new ComposeError(`${where}.cpu_shares: expected a whole number`);
      container.cpu = cpu;
    }
    const health = parseHealthcheck(raw.healthcheck, `${where}.healthcheck`);
    if (health) container.healthCheck = health;
    if (typeof raw.working_dir === 'string') container.workingDirectory = raw.working_dir;
    if (raw.user !== undefined) container.user = String(raw.user);
    if (typeof raw.hostname === 'string') container.hostname = raw.hostname;
    if (raw.dns !== undefined)
      container.dnsServers = Array.isArray(raw.dns) ? raw.dns.map(String) : [String(raw.dns)];
    if (raw.extra_hosts !== undefined) {
      const hosts = keyValues(
        Array.isArray(raw.extra_hosts)
          ? raw.extra_hosts.map((h) => String(h).replace(':', '='))
          : raw.extra_hosts,
        `${where}.extra_hosts`,
        warn,
      );
      container.extraHosts = hosts.map(([hostname, ipAddress]) => ({ hostname, ipAddress }));
    }
    let networkMode: 'bridge' | 'host' | 'none' | undefined;
    if (raw.network_mode !== undefined) {
      if (
        raw.network_mode === 'host' ||
        raw.network_mode === 'bridge' ||
        raw.network_mode === 'none'
      ) {
        networkMode = raw.network_mode;
      } else throw new ComposeError(`${where}.network_mode: only bridge, host or none`);
    }
    let desiredCount = 1;
    const deploy = isObj(raw.deploy) ? raw.deploy : undefined;
    const replicas = raw.scale ?? deploy?.replicas;
    if (replicas !== undefined) {
      desiredCount = Number(replicas);
      if (!Number.isInteger(desiredCount) || desiredCount < 0) {
        throw new ComposeError(`${where}: scale/deploy.replicas must be a whole number`);
      }
    }
    const family = `${project}-${name}`;
    services.push({
      name: family,
      family,
      desiredCount,
      taskDefinition: {
        family,
        containerDefinitions: [container],
        ...(networkMode ? { networkMode } : {}),
      },
    });
  }
  return { project, services, warnings };
}
