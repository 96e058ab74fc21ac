/**
 * Task scale-in protection as the reconciler reads it: a task protected until a future time
 * is never chosen to stop for a scale-in, a deployment's replacement or a rebalance (ECS:
 * "protect your tasks from being terminated by scale-in events from either service auto
 * scaling or deployments"). Draining instances, failed health checks and DeleteService still
 * stop it. Pure; must never decide anything else.
 */
import type { ServiceTask } from './types.js';

/** Whether `t` is protected at `now`. */
export function isProtected(t: ServiceTask, now: number): boolean {
  return t.protectedUntil !== undefined && t.protectedUntil > now;
}
