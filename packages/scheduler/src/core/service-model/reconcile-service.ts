/**
 * The service reconciler: one service's state in, the actions that move it toward its desired
 * state out. Shared steps live here (failure accounting, circuit breaker and rollback, start
 * back-off, deployment completion, steady state, a DRAINING service's wind-down); the
 * strategies live in reconcile-replica.ts and reconcile-daemon.ts. Pure and deterministic:
 * `now` is an input; must never do I/O or read the clock.
 */
import { ServiceStateError } from './errors.js';
import {
  accountFailures,
  backoffDelay,
  circuitBreakerThreshold,
  START_IMPAIRED_AFTER,
} from './failure-accounting.js';
import { rolloutReasons, serviceMessages, stopReasons } from './messages.js';
import { Planner } from './planner.js';
import { daemonInstances, planDaemon } from './reconcile-daemon.js';
import { planReplica } from './reconcile-replica.js';
import { deploymentBounds, isLive, isOccupying, TaskHealth } from './task-view.js';
import type { Action, ReconcileOptions, ServiceState } from './types.js';

/** ECS repeats an unchanged steady-state message at most every six hours. */
export const STEADY_STATE_REPEAT_MS = 6 * 60 * 60 * 1000;

/**
 * Decides what to do for one service at time `now`. Idempotent: run again on the same state,
 * it answers the same; the caller applies the actions (see README.md) and runs it again on
 * every change of the service, its tasks or instances, and at `scheduleRetry.at`.
 */
export function reconcileService(
  state: ServiceState,
  now: number,
  options: ReconcileOptions = {},
): Action[] {
  const { service } = state;
  const primary = service.deployments[0];
  if (!primary || primary.status !== 'PRIMARY') {
    throw new ServiceStateError(`service ${service.serviceName} has no PRIMARY deployment`);
  }
  const health = new TaskHealth(state, now);
  const p = new Planner(state, now, health);
  const acct = accountFailures(state, health, now);
  p.add(...acct.actions);

  if (service.status !== 'ACTIVE') return windDown(p);

  const daemon = service.schedulingStrategy === 'DAEMON';
  const desired = daemon ? daemonInstances(state.instances).length : service.desiredCount;
  if (daemon && desired !== service.desiredCount)
    p.add({ type: 'setDesiredCount', desiredCount: desired });
  const bounds = deploymentBounds(desired, service.deploymentConfiguration);

  // Circuit breaker: enough consecutive failures fail the deployment, and roll back if asked.
  const cb = service.deploymentConfiguration.deploymentCircuitBreaker;
  const failures = acct.failedTasks.get(primary.id) ?? 0;
  if (
    cb.enable &&
    primary.rolloutState === 'IN_PROGRESS' &&
    failures >= circuitBreakerThreshold(desired)
  ) {
    p.add({
      type: 'deploymentState',
      deploymentId: primary.id,
      rolloutState: 'FAILED',
      reason: rolloutReasons.circuitBreaker,
    });
    p.event(serviceMessages.deploymentFailed(service.serviceName, primary.id));
    const target = cb.rollback
      ? service.deployments.slice(1).find((d) => d.rolloutState === 'COMPLETED')
      : undefined;
    if (target) {
      p.add({ type: 'rollback', fromDeploymentId: primary.id, toDeploymentId: target.id });
      p.event(serviceMessages.rollingBack(service.serviceName, target.id));
    }
    return p.finish();
  }

  // Start back-off after tasks that never reached RUNNING.
  let startBlocked = primary.rolloutState === 'FAILED';
  if (acct.backoff.failures > 0) {
    const retryAt = acct.backoff.lastFailureAt + backoffDelay(acct.backoff.failures, options);
    if (now < retryAt) {
      startBlocked = true;
      p.wakeAt(retryAt);
    }
    if (acct.newStartFailures > 0 && acct.backoff.failures >= START_IMPAIRED_AFTER) {
      p.event(serviceMessages.startImpaired(service.serviceName));
    }
  }

  const { converged } = daemon
    ? planDaemon(p, { primary, bounds, startBlocked })
    : planReplica(p, { primary, bounds, startBlocked });

  if (!converged) return p.finish();
  if (primary.rolloutState === 'IN_PROGRESS') {
    p.add({
      type: 'deploymentState',
      deploymentId: primary.id,
      rolloutState: 'COMPLETED',
      reason: rolloutReasons.completed(primary.id),
    });
    p.event(serviceMessages.deploymentCompleted(service.serviceName, primary.id));
  }
  if (primary.rolloutState !== 'FAILED') {
    for (const d of service.deployments.slice(1)) {
      if (!state.tasks.some((t) => t.deploymentId === d.id && isOccupying(t))) {
        p.add({ type: 'retireDeployment', deploymentId: d.id });
      }
    }
  }
  const steady = serviceMessages.steadyState(service.serviceName);
  const last = service.events[0];
  const justCompleted = primary.rolloutState === 'IN_PROGRESS';
  if (justCompleted || last?.message !== steady || now - last.createdAt >= STEADY_STATE_REPEAT_MS) {
    p.event(steady);
  }
  return p.finish();
}

/** A DRAINING service (DeleteService): every task goes; INACTIVE once none is left. */
function windDown(p: Planner): Action[] {
  const { tasks } = p.state;
  for (const t of tasks.filter(isLive))
    p.retire(t, stopReasons.scaling(p.state.service.deployments[0]?.id ?? ''));
  if (p.state.service.status === 'DRAINING' && !tasks.some(isOccupying)) {
    p.add({ type: 'serviceStatus', status: 'INACTIVE' });
  }
  return p.finish();
}
