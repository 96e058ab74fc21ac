/**
 * The reconciler of EXTERNAL services: each task set keeps `ceil(desiredCount × scale%)` tasks
 * of its task definition, registered in its own load balancers, exactly as the REPLICA
 * strategy keeps a deployment (replacement, health, back-off, draining instances, scale-in
 * order and task protection, within the service's percentages). A DRAINING set scales to 0 and
 * is removed once its tasks are gone; a DRAINING service scales every set to 0 and turns
 * INACTIVE. Pure and deterministic like reconcileService; must never do I/O or read the clock.
 */
import { accountFailures, backoffDelay, START_IMPAIRED_AFTER } from './failure-accounting.js';
import { serviceMessages, stopReasons } from './messages.js';
import { Planner } from './planner.js';
import { STEADY_STATE_REPEAT_MS } from './reconcile-service.js';
import { planReplica } from './reconcile-replica.js';
import { computedDesiredCount } from './task-set-to-ecs.js';
import type { TaskSet } from './task-set-types.js';
import { deploymentBounds, isLive, isOccupying, TaskHealth } from './task-view.js';
import type { Action, Deployment, ReconcileOptions, Service, ServiceState } from './types.js';

/** The actions of reconcileTaskSets: the service's, plus the task sets' own bookkeeping. */
export type TaskSetAction =
  | Action
  | { type: 'taskSetStability'; taskSetId: string; status: TaskSet['stabilityStatus'] }
  | { type: 'removeTaskSet'; taskSetId: string };

/** The service as the REPLICA planner sees one of its task sets: a one-deployment service. */
function setView(service: Service, set: TaskSet): { view: Service; deployment: Deployment } {
  const deployment: Deployment = {
    id: set.id,
    status: 'PRIMARY',
    taskDefinition: set.taskDefinition,
    createdAt: set.createdAt,
    updatedAt: set.updatedAt,
    rolloutState: 'IN_PROGRESS',
    rolloutStateReason: '',
    failedTasks: 0,
    lastFailureAt: 0,
  };
  const view: Service = {
    ...service,
    desiredCount: computedDesiredCount(service, set),
    taskDefinition: set.taskDefinition,
    loadBalancers: set.loadBalancers,
    deployments: [deployment],
    rebalance: { enable: false, maxSkew: 1 },
    deploymentConfiguration: {
      ...service.deploymentConfiguration,
      deploymentCircuitBreaker: { enable: false, rollback: false },
    },
  };
  return { view, deployment };
}

/** Decides what to do for one EXTERNAL service at `now` (see reconcileService). */
export function reconcileTaskSets(
  state: ServiceState,
  now: number,
  options: ReconcileOptions = {},
): TaskSetAction[] {
  const { service } = state;
  const sets = service.taskSets ?? [];
  const out: TaskSetAction[] = [];
  let steady = true;
  for (const set of sets) {
    const { view, deployment } = setView(service, set);
    const sub: ServiceState = {
      ...state,
      service: view,
      tasks: state.tasks.filter((t) => t.deploymentId === set.id),
    };
    const health = new TaskHealth(sub, now);
    const p = new Planner(sub, now, health);
    const acct = accountFailures(sub, health, now);
    p.add(...acct.actions);
    let startBlocked = false;
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
    const bounds = deploymentBounds(view.desiredCount, view.deploymentConfiguration);
    const { converged } = planReplica(p, { primary: deployment, bounds, startBlocked });
    out.push(...p.finish());
    const status = converged ? 'STEADY_STATE' : 'STABILIZING';
    if (status !== set.stabilityStatus)
      out.push({ type: 'taskSetStability', taskSetId: set.id, status });
    if (!converged) steady = false;
    if (set.status === 'DRAINING' && !sub.tasks.some(isOccupying)) {
      out.push({ type: 'removeTaskSet', taskSetId: set.id });
    }
  }

  // Tasks of no task set (never expected: a set is removed only once its tasks are gone).
  const known = new Set(sets.map((s) => s.id));
  const strays = state.tasks.filter((t) => !known.has(t.deploymentId));
  if (strays.some(isLive)) {
    steady = false;
    const health = new TaskHealth({ ...state, tasks: strays }, now);
    const p = new Planner({ ...state, tasks: strays }, now, health);
    for (const t of strays.filter(isLive)) p.retire(t, stopReasons.orphaned);
    out.push(...p.finish());
  }

  if (service.status !== 'ACTIVE') {
    if (service.status === 'DRAINING' && !state.tasks.some(isOccupying)) {
      out.push({ type: 'serviceStatus', status: 'INACTIVE' });
    }
    return out;
  }
  if (steady) {
    const message = serviceMessages.steadyState(service.serviceName);
    const last = service.events[0];
    if (last?.message !== message || now - last.createdAt >= STEADY_STATE_REPEAT_MS) {
      out.push({ type: 'event', message });
    }
  }
  return out;
}
