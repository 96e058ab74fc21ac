/**
 * The Docker-health mirror check: a service of a container that has a Docker HEALTHCHECK gets
 * a TTL check (`service:<id>:docker-health`, "Docker health") that the registrator sets from
 * the container's health — passing exactly when Docker says healthy, critical while starting
 * or unhealthy — so Consul (and the router) agree with Docker (and the scheduler) on when an
 * instance is ready. Pure: it must never talk to Docker or Consul, and the check's status must
 * never enter the registration digest (a health flip is a status update, not a
 * re-registration).
 */

import type { CheckStatus, ConsulAgentServiceCheck } from '@berth/protocol';
import type { ContainerHealth } from '../types.js';

/** Name of the mirror check. */
export const DOCKER_HEALTH_CHECK_NAME = 'Docker health';

/**
 * TTL of the mirror check. Docker reports health only when it changes, so the TTL is long and
 * the registrator re-asserts the status on a full reconcile once half of it has passed.
 */
export const DOCKER_HEALTH_TTL_MS = 3_600_000;

/** The TTL as a Go duration string. */
export const DOCKER_HEALTH_TTL = '1h';

/** CheckID of the mirror check of service `serviceId`. */
export function dockerHealthCheckId(serviceId: string): string {
  return `service:${serviceId}:docker-health`;
}

/** The check definition as registered (always `critical` in the digest: see withHealthStatus). */
export function dockerHealthCheck(serviceId: string): ConsulAgentServiceCheck {
  return {
    CheckID: dockerHealthCheckId(serviceId),
    Name: DOCKER_HEALTH_CHECK_NAME,
    Notes: "Mirrors the container's Docker HEALTHCHECK (berth registrator)",
    TTL: DOCKER_HEALTH_TTL,
    Status: 'critical',
  };
}

/** The status the mirror check must have, and its output, for a Docker health state. */
export function dockerHealthStatus(health: ContainerHealth | undefined): {
  readonly status: CheckStatus;
  readonly output: string;
} {
  switch (health) {
    case 'healthy':
      return { status: 'passing', output: 'Docker health: healthy' };
    case 'unhealthy':
      return { status: 'critical', output: 'Docker health: unhealthy' };
    case 'starting':
      return { status: 'critical', output: 'Docker health: starting' };
    default:
      return { status: 'critical', output: 'Docker health: unknown' };
  }
}

/**
 * The registration to send when the mirror check should start with `status` (so a
 * (re-)registration does not pass through critical); other checks are left as they are.
 */
export function withHealthStatus<T extends { readonly checks: readonly ConsulAgentServiceCheck[] }>(
  registration: T,
  checkId: string,
  status: CheckStatus,
): T {
  return {
    ...registration,
    checks: registration.checks.map((c) => (c.CheckID === checkId ? { ...c, Status: status } : c)),
  };
}
