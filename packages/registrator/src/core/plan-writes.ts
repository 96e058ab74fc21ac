/**
 * The registrator's diff, as data: from what this host believes Consul holds (`known`) and what
 * one container should have now (`desired`), the Consul writes to make, in order (removals
 * first, so a renamed container frees its old IDs before it takes new ones); and how each
 * write changes what is known. Pure: no Consul, no clock (the caller passes `now`). It must
 * never plan a write for a service of another container, re-register an unchanged service
 * (a health flip is a check update, maintenance a toggle), or reset a check a resync finds
 * as wanted.
 */

import type { CheckStatus } from '@berth/protocol';
import type { ServiceRegistration } from '../types.js';
import { DOCKER_HEALTH_TTL_MS, withHealthStatus } from './docker-health.js';
import type { DesiredService } from './ownership.js';

/** What the registrator believes Consul holds of one of its services. */
export interface KnownService {
  readonly containerId: string;
  /** Digest of the registration ('' when Consul's copy differs from what we would write). */
  readonly hash: string;
  readonly maintenance: boolean;
  /** Status of the Docker-health mirror check as we believe Consul holds it. */
  readonly health?: CheckStatus | undefined;
  /** When we last set it (0: not by this run); re-asserted after half its TTL. */
  readonly healthAt?: number;
}

/** A container's wanted services, or 'keep' to leave what it has as it is. */
export type Desired = readonly DesiredService[] | 'keep';

/** One Consul write. */
export type Write =
  | { readonly op: 'deregister'; readonly id: string }
  | {
      readonly op: 'register';
      readonly id: string;
      readonly containerId: string;
      readonly service: DesiredService;
      /** What is sent: the mirror check starts with the container's current health. */
      readonly registration: ServiceRegistration;
    }
  | {
      readonly op: 'check';
      readonly id: string;
      readonly checkId: string;
      readonly status: CheckStatus;
      readonly output: string;
    }
  | { readonly op: 'maintenance'; readonly id: string; readonly enable: boolean };

/** The writes for one container, and how many of its services need none. */
export interface WritePlan {
  readonly writes: readonly Write[];
  readonly unchanged: number;
}

/** When the plan is made. */
export interface PlanContext {
  /** ms since the epoch. */
  readonly now: number;
  /** A full reconcile (not a Docker event): re-assert mirror checks older than half the TTL. */
  readonly resync: boolean;
}

/** What is known of service `write.id` after `write` succeeded (undefined: nothing). */
export function applyWrite(
  known: KnownService | undefined,
  write: Write,
  now: number,
): KnownService | undefined {
  switch (write.op) {
    case 'deregister':
      return undefined;
    case 'register': {
      const d = write.service;
      // Whether a re-registration keeps maintenance mode differs between Consul versions:
      // when either side wants it, it is set explicitly (idempotent) afterwards.
      const unsure = d.maintenance || (known?.maintenance ?? false);
      return {
        containerId: write.containerId,
        hash: d.hash,
        maintenance: unsure ? !d.maintenance : false,
        ...(d.health ? { health: d.health.status, healthAt: now } : {}),
      };
    }
    case 'check':
      return known && { ...known, health: write.status, healthAt: now };
    case 'maintenance':
      return known && { ...known, maintenance: write.enable };
  }
}

/** The writes that bring container `desired.containerId` from `known` to `desired.services`. */
export function planWrites(
  known: ReadonlyMap<string, KnownService>,
  desired: { readonly containerId: string; readonly services: Desired },
  ctx: PlanContext,
): WritePlan {
  const { containerId, services } = desired;
  let unchanged = 0;
  if (services === 'keep') {
    for (const k of known.values()) if (k.containerId === containerId) unchanged++;
    return { writes: [], unchanged };
  }
  const writes: Write[] = [];
  const wanted = new Set(services.map((d) => d.registration.id));
  for (const [id, k] of known) {
    if (k.containerId === containerId && !wanted.has(id)) writes.push({ op: 'deregister', id });
  }
  for (const d of services) {
    const id = d.registration.id;
    let k = known.get(id);
    if (!k || k.hash !== d.hash) {
      const registration = d.health
        ? withHealthStatus(d.registration, d.health.checkId, d.health.status)
        : d.registration;
      const w: Write = { op: 'register', id, containerId, service: d, registration };
      writes.push(w);
      k = applyWrite(k, w, ctx.now);
    } else {
      unchanged++;
    }
    if (!k) continue;
    const h = d.health;
    if (
      h &&
      (k.health !== h.status ||
        (ctx.resync && ctx.now - (k.healthAt ?? 0) > DOCKER_HEALTH_TTL_MS / 2))
    ) {
      const w: Write = {
        op: 'check',
        id,
        checkId: h.checkId,
        status: h.status,
        output: h.output,
      };
      writes.push(w);
      k = applyWrite(k, w, ctx.now);
    }
    if (k && k.maintenance !== d.maintenance) {
      writes.push({ op: 'maintenance', id, enable: d.maintenance });
    }
  }
  return { writes, unchanged };
}

/** Writes made, by kind, and services left as they were (a reconcile's report). */
export interface WriteCounts {
  registered: number;
  deregistered: number;
  maintenance: number;
  health: number;
  unchanged: number;
}

/** No writes yet. */
export const noWrites = (): WriteCounts => ({
  registered: 0,
  deregistered: 0,
  maintenance: 0,
  health: 0,
  unchanged: 0,
});

/** The count each kind of write adds to. */
export const COUNTED_AS: Readonly<Record<Write['op'], keyof WriteCounts>> = {
  register: 'registered',
  deregister: 'deregistered',
  check: 'health',
  maintenance: 'maintenance',
};
