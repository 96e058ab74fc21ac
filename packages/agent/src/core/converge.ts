/**
 * Converging this host to the scheduler's assignment list: a pure function from the list and
 * what the agent knows locally to the decisions to carry out. The list is level-triggered
 * (every task not yet reported STOPPED), so the same list twice yields nothing new.
 *
 * It must never start a task twice: a task known locally is never started again, a task the
 * scheduler believes RUNNING that this host does not know has vanished (reported STOPPED),
 * and a task finished and cleaned up here is never restarted from a stale list.
 */

import type { Assignment } from '@berth/protocol';
import { type TaskState, isStopping } from './task-state.js';

/** What the agent knows of one task. */
export interface LocalTask {
  readonly state: TaskState;
  /** Containers found at start whose task definition is not known yet. */
  readonly awaitingAdoption: boolean;
}

/** One thing to do. */
export type Decision =
  /** New task: create and start it. */
  | { readonly kind: 'start'; readonly assignment: Assignment }
  /** Containers found at start belong to this assignment: take them over (then maybe kill). */
  | { readonly kind: 'adopt'; readonly assignment: Assignment; readonly kill?: string }
  /** Stop a task this host runs. */
  | { readonly kind: 'kill'; readonly taskArn: string; readonly reason: string }
  /** The scheduler believes it runs here but nothing does: report STOPPED with `reason`. */
  | { readonly kind: 'vanished'; readonly assignment: Assignment; readonly reason: string }
  /** Containers found at start that the scheduler no longer lists. */
  | { readonly kind: 'orphan'; readonly taskArn: string };

export const REASON_NOT_ASSIGNED = 'Task is no longer assigned to this container instance';
export const REASON_VANISHED = 'Task containers vanished while the agent was not watching them';
export const REASON_STOP_DEFAULT = 'Task stopped by the scheduler';

/** ECS statuses that mean the task got to RUNNING (so it must have containers here). */
const RAN: ReadonlySet<string> = new Set(['RUNNING', 'DEACTIVATING', 'STOPPING', 'DEPROVISIONING']);

/** Decides what to do for `list` given the local tasks and the tasks finished here. */
export function converge(
  list: readonly Assignment[],
  local: ReadonlyMap<string, LocalTask>,
  finished: ReadonlySet<string>,
): Decision[] {
  const out: Decision[] = [];
  const listed = new Set<string>();
  for (const a of list) {
    listed.add(a.taskArn);
    const mine = local.get(a.taskArn);
    const stopReason = a.stoppedReason || REASON_STOP_DEFAULT;
    if (mine?.awaitingAdoption) {
      out.push({
        kind: 'adopt',
        assignment: a,
        ...(a.desiredStatus === 'STOPPED' ? { kill: stopReason } : {}),
      });
      continue;
    }
    if (a.desiredStatus === 'STOPPED') {
      if (!mine) out.push({ kind: 'vanished', assignment: a, reason: stopReason });
      else if (!isStopping(mine.state)) {
        out.push({ kind: 'kill', taskArn: a.taskArn, reason: stopReason });
      }
      continue;
    }
    if (mine) continue;
    if (finished.has(a.taskArn) || RAN.has(a.lastStatus ?? '')) {
      out.push({ kind: 'vanished', assignment: a, reason: REASON_VANISHED });
    } else {
      out.push({ kind: 'start', assignment: a });
    }
  }
  for (const [arn, mine] of local) {
    if (listed.has(arn)) continue;
    if (mine.awaitingAdoption) out.push({ kind: 'orphan', taskArn: arn });
    else if (!isStopping(mine.state)) {
      out.push({ kind: 'kill', taskArn: arn, reason: REASON_NOT_ASSIGNED });
    }
  }
  return out;
}
