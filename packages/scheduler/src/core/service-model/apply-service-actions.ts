/**
 * Folds the reconciler's bookkeeping actions into the service record: deployment states,
 * rollbacks, counted stops, failure counters, back-off, events (newest first, at most 100).
 * Task and target actions (start, stop, registerTarget, deregisterTarget) and scheduleRetry
 * are the caller's I/O and pass through untouched. Pure; must never mutate its input.
 */
import { rolloutReasons } from './messages.js';
import type { Action, Deployment, Service, ServiceEvent } from './types.js';

/** DescribeServices lists at most this many events. */
export const MAX_EVENTS = 100;

/** What folding needs besides the actions. */
export interface ApplyContext {
  now: number;
  /** A new event ID (ECS uses UUIDs). */
  newEventId: () => string;
  /** The task ARNs the scheduler still keeps; countedStops is pruned to them when given. */
  knownTaskArns?: ReadonlySet<string> | undefined;
}

/** The service record after the reconciler's actions. */
export function applyServiceActions(
  service: Service,
  actions: readonly Action[],
  ctx: ApplyContext,
): Service {
  let deployments: Deployment[] = service.deployments.map((d) => ({ ...d }));
  const events: ServiceEvent[] = [];
  let { backoff, desiredCount, status, taskDefinition } = service;
  const counted = new Set(service.countedStops);
  const byId = (id: string): Deployment | undefined => deployments.find((d) => d.id === id);

  for (const a of actions) {
    switch (a.type) {
      case 'deploymentState': {
        const d = byId(a.deploymentId);
        if (d)
          Object.assign(d, {
            rolloutState: a.rolloutState,
            rolloutStateReason: a.reason,
            updatedAt: ctx.now,
          });
        break;
      }
      case 'rollback': {
        const from = byId(a.fromDeploymentId);
        const to = byId(a.toDeploymentId);
        if (!from || !to) break;
        from.status = 'ACTIVE';
        Object.assign(to, {
          status: 'PRIMARY',
          rolloutState: 'IN_PROGRESS',
          rolloutStateReason: rolloutReasons.rollingBack(to.id),
          failedTasks: 0,
          updatedAt: ctx.now,
        });
        deployments = [to, ...deployments.filter((d) => d !== to)];
        taskDefinition = to.taskDefinition;
        break;
      }
      case 'recordStop': {
        if (counted.has(a.taskArn)) break;
        counted.add(a.taskArn);
        const d = byId(a.deploymentId);
        if (a.failed && d) {
          d.failedTasks += 1;
          d.lastFailureAt = Math.max(d.lastFailureAt, a.at);
        }
        if (a.failedToStart) {
          backoff = {
            failures: backoff.failures + 1,
            lastFailureAt: Math.max(backoff.lastFailureAt, a.at),
          };
        }
        break;
      }
      case 'resetFailures': {
        const d = byId(a.deploymentId);
        if (d) d.failedTasks = 0;
        break;
      }
      case 'resetBackoff':
        backoff = { ...backoff, failures: 0 };
        break;
      case 'retireDeployment':
        deployments = deployments.filter((d) => d.id !== a.deploymentId || d.status === 'PRIMARY');
        break;
      case 'setDesiredCount':
        desiredCount = a.desiredCount;
        break;
      case 'serviceStatus':
        status = a.status;
        break;
      case 'event':
        events.unshift({ id: ctx.newEventId(), createdAt: ctx.now, message: a.message });
        break;
      default:
        break;
    }
  }
  const countedStops = ctx.knownTaskArns
    ? [...counted].filter((arn) => ctx.knownTaskArns?.has(arn))
    : [...counted];
  return {
    ...service,
    status,
    desiredCount,
    taskDefinition,
    deployments,
    backoff,
    countedStops,
    events: [...events, ...service.events].slice(0, MAX_EVENTS),
  };
}
