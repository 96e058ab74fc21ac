/**
 * How the reconciler reads one task: live or not, healthy or not (container health, then ELB
 * target health past the grace period), and the deployment bounds in task counts. Pure
 * predicates over the reconciler's input; must never decide what to do.
 */
import type { DeploymentConfiguration, ServiceState, ServiceTask, TargetHealth } from './types.js';

/** The task counts a deployment must stay within. */
export interface Bounds {
  desired: number;
  /** At most this many tasks not STOPPED (maximumPercent of desired, rounded down). */
  maxTasks: number;
  /** At least this many healthy tasks (minimumHealthyPercent of desired, rounded up). */
  minHealthy: number;
}

/** ECS's rounding: maximum down, minimum up. */
export function deploymentBounds(desired: number, cfg: DeploymentConfiguration): Bounds {
  return {
    desired,
    maxTasks: Math.floor((desired * cfg.maximumPercent) / 100),
    minHealthy: Math.ceil((desired * cfg.minimumHealthyPercent) / 100),
  };
}

/** Not STOPPED: the task holds resources and counts toward maxTasks. */
export const isOccupying = (t: ServiceTask): boolean => t.lastStatus !== 'STOPPED';

/** Not STOPPED and still wanted. */
export const isLive = (t: ServiceTask): boolean =>
  t.lastStatus !== 'STOPPED' && t.desiredStatus === 'RUNNING';

/** Reads one task's health against the service's load balancers and grace period. */
export class TaskHealth {
  private readonly state: ServiceState;
  private readonly now: number;
  private readonly graceMs: number;
  private readonly groups: string[];
  /** Per task object: the input is immutable for the run, so health is computed once. */
  private readonly memo = new WeakMap<ServiceTask, boolean>();

  constructor(state: ServiceState, now: number) {
    this.state = state;
    this.now = now;
    this.graceMs = (state.service.healthCheckGracePeriodSeconds ?? 0) * 1000;
    this.groups = uniqueTargetGroups(state);
  }

  /** The target entries of a task, per target group of the service. */
  targets(t: ServiceTask): { targetGroupArn: string; health: TargetHealth | undefined }[] {
    if (this.groups.length === 0) return [];
    const byTg = this.state.targetHealth?.[t.taskArn];
    return this.groups.map((tg) => ({ targetGroupArn: tg, health: byTg?.[tg] }));
  }

  /** Container health passed (or none is defined). */
  containerOk(t: ServiceTask): boolean {
    return t.healthChecked ? t.healthStatus === 'HEALTHY' : t.healthStatus !== 'UNHEALTHY';
  }

  /** Within healthCheckGracePeriodSeconds of reaching RUNNING. */
  inGrace(t: ServiceTask): boolean {
    return t.startedAt !== undefined && this.now < t.startedAt + this.graceMs;
  }

  /** When the grace period ends (undefined when not in it). */
  graceEnds(t: ServiceTask): number | undefined {
    return this.inGrace(t) && t.startedAt !== undefined ? t.startedAt + this.graceMs : undefined;
  }

  /** Deregistration started: the task is on its way out whatever else holds. */
  draining(t: ServiceTask): boolean {
    return this.targets(t).some((x) => x.health?.state === 'draining');
  }

  /** RUNNING, container health passed, and healthy in every target group. */
  healthy(t: ServiceTask): boolean {
    const known = this.memo.get(t);
    if (known !== undefined) return known;
    const ok =
      isLive(t) &&
      t.lastStatus === 'RUNNING' &&
      this.containerOk(t) &&
      this.targets(t).every((x) => x.health?.state === 'healthy');
    this.memo.set(t, ok);
    return ok;
  }

  /** Why a RUNNING task past its grace period must be replaced, if it must. */
  unhealthyReason(
    t: ServiceTask,
  ): { kind: 'container' } | { kind: 'elb'; targetGroupArn: string } | undefined {
    if (!isLive(t) || t.lastStatus !== 'RUNNING' || this.inGrace(t)) return undefined;
    if (t.healthStatus === 'UNHEALTHY') return { kind: 'container' };
    const bad = this.targets(t).find((x) => x.health?.state === 'unhealthy');
    return bad ? { kind: 'elb', targetGroupArn: bad.targetGroupArn } : undefined;
  }
}

/** The service's target groups, each once. */
export function uniqueTargetGroups(state: ServiceState): string[] {
  return [...new Set(state.service.loadBalancers.map((lb) => lb.targetGroupArn))];
}
