/**
 * Decodes service and check definitions from request bodies (agent register, catalog
 * register) into store inputs, with Consul's defaults, IDs and validation messages
 * (consul-api.md §7). Pure: it never looks at the state; the store checks ServiceIDs.
 */
import { BadRequestError, StateError } from '../errors.js';
import { Fields, isObject } from './fields.js';
import type { CheckDefinition, CheckInput, CheckStatus, ServiceInput } from './types.js';

const STATUSES = new Set(['passing', 'warning', 'critical']);

/** Consul's refusal of a script check registered over HTTP (a "remote call"). */
export const SCRIPTS_DISABLED =
  "Scripts are disabled on this agent from remote calls; to enable, configure 'enable_script_checks' to true";
const META_KEY = /^[a-zA-Z0-9_-]+$/;

function validateMeta(meta: Record<string, string>, what: string): void {
  const entries = Object.entries(meta);
  if (entries.length > 64)
    throw new BadRequestError(
      `Invalid ${what}: Node metadata cannot contain more than 64 key/value pairs`,
    );
  for (const [k, v] of entries) {
    if (k === '') throw new BadRequestError(`Invalid ${what}: Key cannot be blank`);
    if (!META_KEY.test(k)) {
      throw new BadRequestError(`Invalid ${what}: Key contains invalid characters`);
    }
    if (k.length > 128)
      throw new BadRequestError(`Invalid ${what}: Key is too long (limit: 128 characters)`);
    if (k.startsWith('consul-')) {
      throw new BadRequestError(
        `Invalid ${what}: Key prefix 'consul-' is reserved for internal use`,
      );
    }
    if (v.length > 512)
      throw new BadRequestError(`Invalid ${what}: Value is too long (limit: 512 characters)`);
  }
}

/** Options for decoding the checks of a service or of `agent/check/register`. */
export interface CheckContext {
  readonly serviceId: string;
  readonly serviceName: string;
  /**
   * Script and Docker checks may be registered (`enable_script_checks`); when false they are
   * refused as Consul refuses them from remote calls.
   */
  readonly scripts: boolean;
}

function header(f: Fields): Record<string, string[]> | null {
  const h = f.raw('Header');
  if (h === undefined || h === null) return null;
  if (!isObject(h))
    throw new BadRequestError('Request decode failed: Header must be a map of lists');
  const out: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(h)) {
    if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) {
      throw new BadRequestError('Request decode failed: Header values must be lists of strings');
    }
    out[k] = [...(v as string[])];
  }
  return out;
}

/**
 * Decodes one check definition. `defaultId` is used when the body gives no CheckID/ID.
 * Throws 400 `Invalid check: ...` for a check without exactly one runnable type.
 */
export function decodeCheck(
  f: Fields,
  defaultId: string,
  defaultName: string,
  cx: CheckContext,
): CheckInput {
  const ttlNs = f.durationNs('TTL') ?? 0;
  const http = f.str('HTTP') ?? '';
  const tcp = f.str('TCP') ?? '';
  const args = f.strList('Args', 'ScriptArgs') ?? [];
  const script = f.raw('Script');
  const docker = f.str('DockerContainerID') ?? '';
  const grpc = f.str('GRPC') ?? '';
  const h2ping = f.str('H2PING', 'H2Ping') ?? '';
  const udp = f.str('UDP') ?? '';
  const alias = (f.str('AliasNode') ?? '') + (f.str('AliasService') ?? '');
  const osService = f.str('OSService') ?? '';
  const intervalNs = f.durationNs('Interval') ?? 0;
  const timeoutNs = f.durationNs('Timeout') ?? 0;
  const types: string[] = [];
  if (ttlNs > 0 || f.has('TTL')) types.push('ttl');
  if (http !== '') types.push('http');
  if (tcp !== '') types.push('tcp');
  if (docker !== '') types.push('docker');
  else if (args.length > 0 || (script !== undefined && script !== null && script !== ''))
    types.push('script');
  if (grpc !== '') types.push('grpc');
  if (h2ping !== '') types.push('h2ping');
  if (udp !== '') types.push('udp');
  if (alias !== '') types.push('alias');
  if (osService !== '') types.push('os_service');
  if (types.length !== 1) {
    throw new BadRequestError(
      types.length === 0
        ? 'Invalid check: TTL or Script/Interval needed'
        : `Invalid check: only one check type may be given, got ${types.join(', ')}`,
    );
  }
  const type = types[0] as string;
  if (type === 'ttl' && ttlNs <= 0)
    throw new BadRequestError('Invalid check: TTL must be > 0 for TTL checks');
  const needsInterval = ['http', 'tcp', 'script', 'docker', 'grpc', 'h2ping', 'udp', 'os_service'];
  if (needsInterval.includes(type) && intervalNs <= 0) {
    throw new BadRequestError(
      'Invalid check: Interval must be > 0 for Script, Docker, HTTP, H2PING, TCP, UDP, OSService or GRPC checks',
    );
  }
  if ((type === 'script' || type === 'docker') && !cx.scripts) {
    throw new StateError(SCRIPTS_DISABLED);
  }
  const statusText = f.str('Status') ?? '';
  if (statusText !== '' && !STATUSES.has(statusText)) {
    throw new BadRequestError(
      `Invalid check: Status must be one of passing, warning, critical, got ${JSON.stringify(statusText)}`,
    );
  }
  const kind: CheckDefinition['kind'] =
    type === 'ttl' || type === 'http' || type === 'tcp'
      ? type
      : type === 'script'
        ? 'script'
        : 'none';
  const definition: CheckDefinition = {
    kind,
    http,
    method: f.str('Method') ?? '',
    header: header(f),
    body: f.str('Body') ?? '',
    tlsSkipVerify: f.bool('TLSSkipVerify') ?? false,
    tlsServerName: f.str('TLSServerName') ?? '',
    tcp,
    intervalNs,
    timeoutNs,
    ttlNs,
    deregisterCriticalServiceAfterNs: f.durationNs('DeregisterCriticalServiceAfter') ?? 0,
    args,
    script: typeof script === 'string' ? script : '',
    dockerContainerId: docker,
    shell: f.str('Shell') ?? '',
  };
  return {
    checkId: f.str('CheckID', 'ID') || defaultId,
    name: f.str('Name') || defaultName,
    status: (statusText || 'critical') as CheckStatus,
    statusGiven: statusText !== '',
    notes: f.str('Notes') ?? '',
    output: '',
    serviceId: cx.serviceId,
    type,
    definition,
  };
}

/**
 * Service `TaggedAddresses` as Go decodes them into `map[string]ServiceAddress`: member names
 * match case-insensitively and come back as `Address` and `Port`.
 */
function taggedAddresses(ta: unknown): Record<string, { Address: string; Port: number }> | null {
  if (ta === undefined || ta === null) return null;
  if (!isObject(ta)) {
    throw new BadRequestError('Request decode failed: TaggedAddresses must be a map of addresses');
  }
  const out: Record<string, { Address: string; Port: number }> = {};
  for (const [k, v] of Object.entries(ta)) {
    const f = new Fields(v, `TaggedAddresses.${k}`);
    out[k] = { Address: f.str('Address') ?? '', Port: f.int('Port') ?? 0 };
  }
  return Object.keys(out).length > 0 ? out : null;
}

export interface ServiceRegistration {
  readonly service: ServiceInput;
  readonly checks: CheckInput[];
}

/**
 * Decodes an agent service definition (`Name`) or a catalog NodeService (`Service` as the
 * name when `catalogShape`).
 */
export function decodeService(
  body: unknown,
  opts: { catalogShape: boolean; scripts: boolean },
): ServiceRegistration {
  const f = new Fields(body, 'ServiceDefinition');
  const name = (opts.catalogShape ? f.str('Service') : f.str('Name')) ?? '';
  if (name === '') throw new BadRequestError('Missing service name');
  const id = f.str('ID') || name;
  const address = f.str('Address') ?? '';
  if (address === '0.0.0.0' || address === '::' || address === '[::]') {
    throw new BadRequestError(`Invalid service address`);
  }
  const meta = f.strMap('Meta') ?? {};
  validateMeta(meta, 'Service Meta');
  const w = f.obj('Weights');
  const weights = { passing: w?.int('Passing') ?? 1, warning: w?.int('Warning') ?? 1 };
  if (weights.passing < 1) throw new BadRequestError('Passing must be greater than 0');
  const ta = f.raw('TaggedAddresses');
  const port = f.int('Port') ?? 0;
  if (port < 0 || port > 65535) throw new BadRequestError(`Invalid service port ${port}`);
  const service: ServiceInput = {
    id,
    service: name,
    tags: f.strList('Tags') ?? [],
    address,
    port,
    meta,
    taggedAddresses: taggedAddresses(ta),
    weights,
    enableTagOverride: f.bool('EnableTagOverride') ?? false,
    kind: f.str('Kind') ?? '',
    proxy: f.raw('Proxy') ?? null,
    connect: f.raw('Connect') ?? null,
  };
  const raw: unknown[] = [];
  const one = f.raw('Check');
  if (one !== undefined && one !== null) raw.push(one);
  const many = f.raw('Checks');
  if (many !== undefined && many !== null) {
    if (!Array.isArray(many))
      throw new BadRequestError('Request decode failed: Checks must be a list');
    raw.push(...(many as unknown[]));
  }
  const cx: CheckContext = { serviceId: id, serviceName: name, scripts: opts.scripts };
  const checks = raw.map((c, i) => {
    const defaultId = raw.length > 1 ? `service:${id}:${i + 1}` : `service:${id}`;
    return decodeCheck(new Fields(c, 'CheckType'), defaultId, `Service '${name}' check`, cx);
  });
  return { service, checks };
}

/** Decodes `agent/check/register` (Name required, ID defaults to Name). */
export function decodeCheckRegistration(body: unknown, scripts: boolean): CheckInput {
  const f = new Fields(body, 'CheckDefinition');
  const name = f.str('Name') ?? '';
  if (name === '') throw new BadRequestError('Missing check name');
  const serviceId = f.str('ServiceID') ?? '';
  return decodeCheck(f, name, name, { serviceId, serviceName: '', scripts });
}

/** Decodes node metadata (`NodeMeta` of catalog/register) with Consul's key rules. */
export function decodeNodeMeta(meta: Record<string, string>): Record<string, string> {
  validateMeta(meta, 'Node Meta');
  return meta;
}

/**
 * Decodes a catalog HealthCheck body (`catalog/register` Check/Checks, txn Check operations):
 * Status defaults to critical and is always taken as given; a Definition with HTTP, TCP or TTL
 * becomes a runnable definition (the catalog runs it when the check is on its own node).
 */
export function decodeCatalogCheck(body: unknown): CheckInput {
  const cf = new Fields(body, 'HealthCheck');
  const checkName = cf.str('Name') ?? '';
  const id = cf.str('CheckID') || checkName;
  if (id === '') throw new BadRequestError('Missing check name');
  const status = cf.str('Status') || 'critical';
  if (!STATUSES.has(status)) throw new BadRequestError(`Invalid check status: '${status}'`);
  const def = cf.obj('Definition');
  const hasType = def !== undefined && (def.has('HTTP') || def.has('TCP') || def.has('TTL'));
  return {
    checkId: id,
    name: checkName || id,
    status: status as CheckStatus,
    statusGiven: true,
    notes: cf.str('Notes') ?? '',
    output: cf.str('Output') ?? '',
    serviceId: cf.str('ServiceID') ?? '',
    type: cf.str('Type') ?? '',
    definition: hasType
      ? decodeCheck(def, id, id, { serviceId: '', serviceName: '', scripts: true }).definition
      : null,
  };
}
