/**
 * Failure accounting of a service: which STOPPED tasks are new to it (recordStop), the
 * consecutive-failure count per deployment that feeds the circuit breaker (reset when a task
 * turns healthy), and the start back-off for tasks that never reached RUNNING (exponential,
 * capped). Pure: the counters come in, actions and effective counters go out; must never
 * count a stop twice (countedStops) or back off for tasks that did run.
 */
import { backoffDelay as doublingDelay } from '@berth/daemon';
import { isHealthCheckStop } from './messages.js';
import type { TaskHealth } from './task-view.js';
import type { Action, BackoffState, ReconcileOptions, ServiceState, ServiceTask } from './types.js';

/** ECS's circuit-breaker bounds: 0.5 × desired count, at least 3, at most 200. */
export const CIRCUIT_BREAKER_MIN = 3;
export const CIRCUIT_BREAKER_MAX = 200;
/** Back-off defaults: 1 s doubling per consecutive failure, capped at 1 minute. */
export const BACKOFF_BASE_MS = 1000;
export const BACKOFF_MAX_MS = 60_000;
/** From this many consecutive start failures on, the service reports start impairment. */
export const START_IMPAIRED_AFTER = 3;

/** The failure threshold of the circuit breaker for a desired count (0.5 × desired, rounded up). */
export function circuitBreakerThreshold(desiredCount: number): number {
  return Math.min(
    CIRCUIT_BREAKER_MAX,
    Math.max(CIRCUIT_BREAKER_MIN, Math.ceil(desiredCount * 0.5)),
  );
}

/**
 * The delay before the next start after `failures` consecutive start failures: @berth/daemon's
 * backoff without jitter, since the reconciler is a pure function of its input.
 */
export function backoffDelay(failures: number, options: ReconcileOptions = {}): number {
  if (failures <= 0) return 0;
  return doublingDelay(failures, {
    baseMs: options.backoffBaseMs ?? BACKOFF_BASE_MS,
    maxMs: options.backoffMaxMs ?? BACKOFF_MAX_MS,
    jitter: 'none',
  });
}

/** Whether a STOPPED task counts as a failure of its deployment (circuit breaker). */
export function isFailedTask(t: ServiceTask): boolean {
  if (t.stopCode === 'TaskFailedToStart' || t.stopCode === 'EssentialContainerExited') return true;
  return t.stopCode === 'ServiceSchedulerInitiated' && isHealthCheckStop(t.stoppedReason);
}

/** Whether a STOPPED task never reached RUNNING by its own fault (back-off). */
export function isStartFailure(t: ServiceTask): boolean {
  return t.startedAt === undefined && t.stopCode === 'TaskFailedToStart';
}

/** The counters after this run's new stops, and the actions that record them. */
export interface Accounting {
  actions: Action[];
  /** Consecutive failures per deployment id, after this run. */
  failedTasks: Map<string, number>;
  backoff: BackoffState;
  /** Consecutive start failures that are new in this run. */
  newStartFailures: number;
}

/** Accounts for stops the service has not seen yet and for tasks that turned healthy. */
export function accountFailures(state: ServiceState, health: TaskHealth, now: number): Accounting {
  const { service } = state;
  const counted = new Set(service.countedStops);
  const actions: Action[] = [];
  const failedTasks = new Map(service.deployments.map((d) => [d.id, d.failedTasks]));
  const lastFailure = new Map(service.deployments.map((d) => [d.id, d.lastFailureAt]));
  let backoff: BackoffState = { ...service.backoff };
  let newStartFailures = 0;
  const fresh = state.tasks
    .filter((t) => t.lastStatus === 'STOPPED' && !counted.has(t.taskArn))
    .sort((a, b) => (a.stoppedAt ?? now) - (b.stoppedAt ?? now));
  for (const t of fresh) {
    const at = t.stoppedAt ?? now;
    const failed = isFailedTask(t);
    const failedToStart = isStartFailure(t);
    actions.push({
      type: 'recordStop',
      taskArn: t.taskArn,
      deploymentId: t.deploymentId,
      failed,
      failedToStart,
      at,
    });
    if (failed && failedTasks.has(t.deploymentId)) {
      failedTasks.set(t.deploymentId, (failedTasks.get(t.deploymentId) ?? 0) + 1);
      lastFailure.set(t.deploymentId, Math.max(lastFailure.get(t.deploymentId) ?? 0, at));
    }
    if (failedToStart) {
      backoff = {
        failures: backoff.failures + 1,
        lastFailureAt: Math.max(backoff.lastFailureAt, at),
      };
      newStartFailures++;
    }
  }
  for (const d of service.deployments) {
    const n = failedTasks.get(d.id) ?? 0;
    const since = lastFailure.get(d.id) ?? 0;
    const recovered = state.tasks.some(
      (t) => t.deploymentId === d.id && health.healthy(t) && (t.startedAt ?? 0) > since,
    );
    if (n > 0 && recovered) {
      actions.push({ type: 'resetFailures', deploymentId: d.id });
      failedTasks.set(d.id, 0);
    }
  }
  const ran = state.tasks.some(
    (t) =>
      t.startedAt !== undefined &&
      t.startedAt > backoff.lastFailureAt &&
      t.lastStatus === 'RUNNING',
  );
  if (backoff.failures > 0 && ran) {
    actions.push({ type: 'resetBackoff' });
    backoff = { failures: 0, lastFailureAt: backoff.lastFailureAt };
  }
  return { actions, failedTasks, backoff, newStartFailures };
}
