/**
 * What Consul should hold, decided from Docker's view: the services a container should have
 * now, what a Docker event alone tells (without asking Docker again), and what this host's
 * registrator can believe Consul holds after listing it. Pure: no Docker, no Consul, no clock.
 * It must never claim a service another host owns, nor treat maintenance someone else turned
 * on as ours.
 */

import type { RuntimeEvent } from '../adapters/container-runtime.js';
import type { ContainerInfo, DeregisterMode, MappingWarning, RegisteredService } from '../types.js';
import { containerToServices, type MappingOptions } from './container-to-services.js';
import { dockerHealthCheckId, dockerHealthStatus } from './docker-health.js';
import { OWNER_META, type DesiredService, ownedBy, withOwnership } from './ownership.js';
import type { Desired, KnownService } from './plan-writes.js';

/** The maintenance reason of a paused container's services. */
export const PAUSED_REASON = 'container paused (berth registrator)';

/** Maintenance this registrator set (or of unknown origin), as opposed to someone else's. */
export const ownMaintenance = (reason: string | undefined): boolean =>
  reason === undefined || reason === PAUSED_REASON;

/** The services a container should have, and the warnings of its SERVICE_* metadata. */
export interface ContainerDesire {
  readonly desired: Desired;
  /** Set only when the container's metadata was read (it runs or is paused). */
  readonly warnings?: readonly MappingWarning[];
}

/** The services container `id` should have in Consul now (`info` undefined: it is gone). */
export function desiredServices(
  id: string,
  info: ContainerInfo | undefined,
  mapping: MappingOptions,
  deregister: DeregisterMode,
): ContainerDesire {
  if (!info) return { desired: [] };
  if (info.state === 'running' || info.state === 'paused') {
    const { services, warnings } = containerToServices(info, mapping);
    const health = dockerHealthStatus(info.health);
    const desired = services.map((s) => {
      const checkId = dockerHealthCheckId(s.id);
      const mirrored = s.checks.some((c) => c.CheckID === checkId);
      return withOwnership(
        s,
        mapping.hostname,
        id,
        info.state === 'paused',
        mirrored ? { checkId, ...health } : undefined,
      );
    });
    return { desired, warnings };
  }
  if (
    deregister === 'on-success' &&
    (info.state === 'exited' || info.state === 'dead') &&
    info.exitCode !== 0
  ) {
    return { desired: 'keep' };
  }
  return { desired: [] };
}

/**
 * What a container event alone tells about its services, or 'inspect' when Docker must be
 * asked. After `die`/`stop` with `--deregister always` nothing is asked: Docker holds the
 * container lock while it cleans up after an exit, and the answer cannot change the outcome.
 */
export function eventDesire(e: RuntimeEvent, deregister: DeregisterMode): Desired | 'inspect' {
  if (e.action === 'destroy') return [];
  if ((e.action === 'die' || e.action === 'stop') && deregister === 'always') return [];
  const exitCode = e.attributes['exitCode'] ?? '';
  if (e.action === 'die' && /^-?\d+$/.test(exitCode)) return Number(exitCode) === 0 ? [] : 'keep';
  return 'inspect';
}

/**
 * What this host can believe Consul holds of its own services, from a listing. A service
 * edited behind our back (or registered by an older version) gets an empty hash and is
 * re-registered; a mirror check keeps when we last set it when Consul still holds that status.
 */
export function knownFromListing(
  listed: readonly RegisteredService[],
  hostname: string,
  desiredById: ReadonlyMap<string, DesiredService>,
  prev: ReadonlyMap<string, KnownService>,
  same: (want: DesiredService, actual: RegisteredService) => boolean,
): Map<string, KnownService> {
  const known = new Map<string, KnownService>();
  for (const s of listed) {
    if (!ownedBy(s, hostname)) continue;
    const want = desiredById.get(s.id);
    const hash = want && same(want, s) ? want.hash : '';
    const checkId = want?.health?.checkId;
    const health = checkId ? s.checks?.[checkId] : undefined;
    const p = prev.get(s.id);
    known.set(s.id, {
      containerId: s.meta[OWNER_META.container] ?? '',
      hash,
      // Maintenance someone else turned on (the scheduler draining a task before it stops
      // it) is theirs to turn off: only our own (a paused container) counts as ours.
      maintenance: s.maintenance && ownMaintenance(s.maintenanceReason),
      ...(health ? { health, healthAt: p?.health === health ? (p.healthAt ?? 0) : 0 } : {}),
    });
  }
  return known;
}

/** Whether a listing shows Consul lost or changed services we believe it holds. */
export function listingDiffers(
  listed: readonly RegisteredService[],
  hostname: string,
  known: ReadonlyMap<string, KnownService>,
): boolean {
  const owned = new Map(listed.filter((s) => ownedBy(s, hostname)).map((s) => [s.id, s]));
  if (owned.size !== known.size) return true;
  for (const [id, k] of known) {
    const s = owned.get(id);
    if (!s || (k.hash !== '' && s.meta[OWNER_META.hash] !== k.hash)) return true;
  }
  return false;
}

/** Every wanted service by ID. */
export function byServiceId(desired: Iterable<Desired>): Map<string, DesiredService> {
  const out = new Map<string, DesiredService>();
  for (const d of desired) if (d !== 'keep') for (const s of d) out.set(s.registration.id, s);
  return out;
}

/**
 * `--cleanup`: services named `<hostname>:...` that no registrator owns and we do not want
 * (left e.g. by gliderlabs/registrator). Never one with any owner Meta.
 */
export function unownedLeftovers(
  listed: readonly RegisteredService[],
  hostname: string,
  desiredById: ReadonlyMap<string, DesiredService>,
): RegisteredService[] {
  return listed.filter(
    (s) => !desiredById.has(s.id) && !s.meta[OWNER_META.owner] && s.id.startsWith(`${hostname}:`),
  );
}
