/**
 * Registrator's service model: which services one container gives, as plain data. One service
 * per published port (TCP and UDP), named after the image unless SERVICE_* metadata says
 * otherwise. Pure: no Docker, no Consul, no clock. It must never throw on container data; a
 * malformed SERVICE_* value is dropped with a warning naming the container and the key.
 */

import { buildChecks } from './build-checks.js';
import { CHECK_ATTRIBUTES } from './build-checks.js';
import { dockerHealthCheck } from './docker-health.js';
import {
  attributesForPort,
  parseBool,
  parseServiceMetadata,
  splitTags,
} from './service-metadata.js';
import type {
  ContainerInfo,
  ContainerPort,
  MappingWarning,
  PortBinding,
  ServiceRegistration,
} from '../types.js';

/** A label the container must carry: `key=value`, or just `key` (any value). */
export interface LabelFilter {
  readonly key: string;
  readonly value?: string;
}

/** How containers map to services on this host. */
export interface MappingOptions {
  /** First part of every service ID. */
  readonly hostname: string;
  /** Address of services published on every host address (`--ip`, else the host's). */
  readonly hostIp: string;
  /** Register the container IP and exposed port instead of the host's (`--internal`). */
  readonly internal?: boolean;
  /** Tags added to every service (`--tags`). */
  readonly tags?: readonly string[];
  /** Register only containers with SERVICE_REGISTER=true (`--require-label`). */
  readonly requireLabel?: boolean;
  /** Labels a container must all carry to be registered (`--label-filter`). */
  readonly labelFilters?: readonly LabelFilter[];
  /**
   * Give services of containers with a Docker HEALTHCHECK the Docker-health mirror check
   * (default true; `SERVICE_[<port>_]CHECK_DOCKER_HEALTH=false` turns it off per container).
   */
  readonly dockerHealth?: boolean;
}

export interface MappingResult {
  readonly services: readonly ServiceRegistration[];
  readonly warnings: readonly MappingWarning[];
}

/** Meta keys berth itself writes; SERVICE_* cannot set them. */
export const RESERVED_META_KEYS: ReadonlySet<string> = new Set([
  'berth-registrator',
  'berth-container',
  'berth-hash',
]);

// Attributes that steer registration instead of becoming Meta.
const CONTROL = new Set(['name', 'id', 'tags', 'ignore', 'register']);
const META_KEY = /^[a-zA-Z0-9_-]{1,128}$/;
const NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;
const MAX_META_VALUE = 512;
const WILDCARD = new Set(['', '0.0.0.0', '::']);

/** `registry:5000/team/web:1.2@sha256:...` → `web`. */
export function imageBaseName(image: string): string {
  const noDigest = image.split('@', 1)[0] ?? '';
  const base = noDigest.slice(noDigest.lastIndexOf('/') + 1);
  return base.split(':', 1)[0] ?? '';
}

function pickBinding(bindings: readonly PortBinding[]): PortBinding | undefined {
  const usable = bindings.filter((b) => b.hostPort > 0);
  return usable.find((b) => !b.hostIp.includes(':')) ?? usable[0];
}

/** Whether the container carries every label of the filters. */
export function matchesLabelFilters(
  labels: Readonly<Record<string, string>>,
  filters: readonly LabelFilter[],
): boolean {
  return filters.every((f) =>
    f.value === undefined ? f.key in labels : labels[f.key] === f.value,
  );
}

/** The services a container gives on this host, and warnings for bad SERVICE_* values. */
export function containerToServices(
  container: ContainerInfo,
  options: MappingOptions,
): MappingResult {
  const warnings: MappingWarning[] = [];
  const seen = new Set<string>();
  const warn = (key: string, message: string): void => {
    const k = `${key}\0${message}`;
    if (seen.has(k)) return;
    seen.add(k);
    warnings.push({ container: container.name, key, message });
  };
  if (!matchesLabelFilters(container.labels, options.labelFilters ?? [])) {
    return { services: [], warnings };
  }

  const parsed = parseServiceMetadata(container.env, container.labels);
  for (const w of parsed.warnings) warn(w.key, w.message);

  const ports: { port: ContainerPort; address: string; servicePort: number }[] = [];
  for (const port of container.ports) {
    if (options.internal) {
      ports.push({ port, address: container.ip || options.hostIp, servicePort: port.port });
      continue;
    }
    const binding = pickBinding(port.bindings);
    if (!binding) continue; // exposed but not published: nothing reachable to register
    const address = WILDCARD.has(binding.hostIp) ? options.hostIp : binding.hostIp;
    ports.push({ port, address, servicePort: binding.hostPort });
  }
  // Sorted so names, IDs and warnings do not depend on Docker's map order.
  ports.sort((a, b) => a.port.port - b.port.port || a.port.protocol.localeCompare(b.port.protocol));
  const group = ports.length > 1;
  const defaultName = imageBaseName(container.image);
  const forced = options.tags ?? [];

  const services: ServiceRegistration[] = [];
  for (const { port, address, servicePort } of ports) {
    const { attrs, fromPort } = attributesForPort(parsed, port.port);

    const ignore = attrs.get('ignore');
    if (ignore) {
      const b = parseBool(ignore.value);
      if (b === undefined) {
        warn(ignore.key, `bad boolean ${JSON.stringify(ignore.value)}; treated as true`);
      }
      if (b !== false) continue;
    }
    if (options.requireLabel) {
      const reg = attrs.get('register');
      const b = reg ? parseBool(reg.value) : false;
      if (reg && b === undefined) {
        warn(reg.key, `bad boolean ${JSON.stringify(reg.value)}; not registered`);
      }
      if (b !== true) continue;
    }

    let name = defaultName;
    let nameFromPort = false;
    const nameEntry = attrs.get('name');
    if (nameEntry) {
      const n = nameEntry.value.trim();
      if (NAME.test(n)) {
        name = n;
        nameFromPort = fromPort.has('name');
      } else {
        warn(
          nameEntry.key,
          `bad service name ${JSON.stringify(nameEntry.value)}; using ${JSON.stringify(defaultName)}`,
        );
      }
    }
    if (!name) {
      warn('image', `no service name: image ${JSON.stringify(container.image)} has no base name`);
      continue;
    }
    if (group && !nameFromPort) name = `${name}-${port.port}`;

    const udp = port.protocol === 'udp' ? ':udp' : '';
    let id = `${options.hostname}:${container.name}:${port.port}${udp}`;
    const idEntry = attrs.get('id');
    if (idEntry) {
      const v = idEntry.value.trim();
      if (/\s/.test(v) || v.includes('/')) {
        warn(idEntry.key, `bad service ID ${JSON.stringify(idEntry.value)} (no spaces or /)`);
      } else if (fromPort.has('id') || !group) {
        id = v;
      } else {
        // One general SERVICE_ID for several ports must not give them all the same ID.
        id = `${v}:${port.port}${udp}`;
      }
    }

    const tags: string[] = [];
    const tagsEntry = attrs.get('tags');
    for (const tag of [
      ...(tagsEntry ? splitTags(tagsEntry.value) : []),
      ...forced,
      ...(udp ? ['udp'] : []),
    ]) {
      if (!tags.includes(tag)) tags.push(tag);
    }

    const meta: Record<string, string> = {};
    for (const [attr, entry] of attrs) {
      if (CONTROL.has(attr) || attr.startsWith('check_') || CHECK_ATTRIBUTES.has(attr)) continue;
      if (RESERVED_META_KEYS.has(attr)) {
        warn(entry.key, `Meta key ${JSON.stringify(attr)} is reserved by berth; ignored`);
      } else if (!META_KEY.test(attr) || attr.startsWith('consul-')) {
        warn(entry.key, `bad Meta key ${JSON.stringify(attr)} (letters, digits, _ and -, max 128)`);
      } else if (entry.value.length > MAX_META_VALUE) {
        warn(entry.key, `Meta value longer than ${MAX_META_VALUE} characters; ignored`);
      } else {
        meta[attr] = entry.value;
      }
    }

    const checks = buildChecks(attrs, address, servicePort, warn);
    if (container.health !== undefined && options.dockerHealth !== false) {
      const entry = attrs.get('check_docker_health');
      const on = entry ? parseBool(entry.value) : true;
      if (on === undefined && entry) {
        warn(entry.key, `bad boolean ${JSON.stringify(entry.value)}; Docker-health check kept`);
      }
      if (on !== false) checks.push(dockerHealthCheck(id));
    }
    services.push({ id, name, address, port: servicePort, tags, meta, checks });
  }
  return { services, warnings };
}
