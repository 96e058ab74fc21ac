/**
 * How berth marks the services it owns and recognises them unchanged: every registration
 * carries Meta `berth-registrator=<hostname>`, `berth-container=<container ID>` and
 * `berth-hash=<digest of the whole registration>`, so a restarted registrator finds (and only
 * touches) its own services, and a resync compares digests instead of re-registering. Pure.
 */

import { createHash } from 'node:crypto';
import type { RegisteredService } from '../types.js';
import { type CheckStatus, META_CONTAINER, META_HASH, META_OWNER } from '@berth/protocol';
import type { ServiceRegistration } from '../types.js';

/** The status a berth-updated check (the Docker-health mirror) must have. */
export interface DesiredCheckStatus {
  readonly checkId: string;
  readonly status: CheckStatus;
  readonly output: string;
}

/** The Meta keys berth writes on every service it registers. */
export const OWNER_META = {
  owner: META_OWNER,
  container: META_CONTAINER,
  hash: META_HASH,
} as const;

/** A registration as the registrator wants it in Consul. */
export interface DesiredService {
  /** The registration, ownership Meta included. */
  readonly registration: ServiceRegistration;
  /** Digest of the registration (also in its Meta). */
  readonly hash: string;
  /** Whether the service should be in maintenance mode (its container is paused). */
  readonly maintenance: boolean;
  /** The Docker-health mirror check's wanted status (not part of the digest). */
  readonly health?: DesiredCheckStatus | undefined;
}

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, canonical((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

/** A stable digest of a registration (key order does not matter). */
export function registrationHash(service: ServiceRegistration): string {
  const text = JSON.stringify(canonical(service));
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

/** Adds berth's ownership Meta (and the digest) to a registration. */
export function withOwnership(
  service: ServiceRegistration,
  hostname: string,
  containerId: string,
  maintenance: boolean,
  health?: DesiredCheckStatus,
): DesiredService {
  const owned: ServiceRegistration = {
    ...service,
    meta: {
      ...service.meta,
      [OWNER_META.owner]: hostname,
      [OWNER_META.container]: containerId,
    },
  };
  const hash = registrationHash(owned);
  return {
    registration: { ...owned, meta: { ...owned.meta, [OWNER_META.hash]: hash } },
    hash,
    maintenance,
    ...(health ? { health } : {}),
  };
}

/** Whether a registered service belongs to the registrator of `hostname`. */
export function ownedBy(service: RegisteredService, hostname: string): boolean {
  return service.meta[OWNER_META.owner] === hostname;
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/**
 * Whether Consul holds exactly `desired` (checks compared through the digest): then the
 * registrator leaves it alone instead of re-registering it.
 */
export function sameAsRegistered(desired: DesiredService, actual: RegisteredService): boolean {
  const want = desired.registration;
  const wantMeta = Object.entries(want.meta);
  return (
    actual.id === want.id &&
    actual.name === want.name &&
    actual.address === want.address &&
    actual.port === want.port &&
    sameList(actual.tags, want.tags) &&
    wantMeta.length === Object.keys(actual.meta).length &&
    wantMeta.every(([k, v]) => actual.meta[k] === v)
  );
}
