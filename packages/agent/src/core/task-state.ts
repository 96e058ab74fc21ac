/**
 * The task lifecycle as a state machine: the states, the events that move a task between
 * them, and the actions the task runner must take. Pure: no Docker, no clocks, no I/O. The
 * runner (task-runner.ts) performs the actions and feeds their outcomes back as events.
 *
 * It must never let a task move backwards (PENDING → RUNNING → STOPPED, as ECS reports it), and
 * it keeps *kill* (the scheduler wants the task stopped) apart from *shutdown* (the agent is
 * going away): a kill stops containers and reports STOPPED; a shutdown only detaches, so the
 * containers keep running and a restarted agent adopts them from their labels.
 *
 * ```
 *          assign            pulled              created             started
 *   NONE ────────▶ PULLING ────────▶ CREATING ────────▶ CREATED ────────▶ RUNNING ◀─┐
 *    │               │                  │                  │                │  │     │ restart
 *    │kill           │fail, kill        │fail, kill        │fail, kill      │  └─────┘ (policy)
 *    │vanished       ▼                  ▼                  ▼                ▼ kill, essential exit,
 *    │            ┌───────────────────────── STOPPING ◀──────────────────────┘ vanished container
 *    │            │                             │ all-stopped
 *    ▼            ▼                             ▼
 *  STOPPED ◀──────────────────────────────── STOPPED     (shutdown: any state, no change: detach)
 *
 *   adopted (NONE only, a restarted agent): running → RUNNING (report again); exited →
 *   RUNNING, partly-exited → CREATED (the runner then feeds each exit); incomplete → PULLING
 *   (the runner then feeds `pulled`: creating by name is idempotent).
 * ```
 */

import type { BackendStatus, ContainerHealthStatus } from '@berth/protocol';

/** Where a task is on this agent. */
export type TaskState =
  'NONE' | 'PULLING' | 'CREATING' | 'CREATED' | 'RUNNING' | 'STOPPING' | 'STOPPED';

/** Every task state, in lifecycle order. */
export const TASK_STATES: readonly TaskState[] = [
  'NONE',
  'PULLING',
  'CREATING',
  'CREATED',
  'RUNNING',
  'STOPPING',
  'STOPPED',
];

/** What happens to a task. */
export type TaskEvent =
  /** The scheduler wants it RUNNING and the agent has not started it. */
  | { readonly type: 'assign' }
  /** Every image is present. */
  | { readonly type: 'pulled' }
  /** Every container (and task volume) exists. */
  | { readonly type: 'created' }
  /** Every container has been started. */
  | { readonly type: 'started' }
  /** Pull, create or start failed; `reason` is ECS-style (`CannotPullContainerError: ...`). */
  | { readonly type: 'failed'; readonly reason: string }
  /** The scheduler wants it STOPPED (or no longer assigns it). */
  | { readonly type: 'kill'; readonly reason: string }
  /** A container exited; `restart` is the restart policy's verdict. */
  | {
      readonly type: 'container-exited';
      readonly container: string;
      readonly essential: boolean;
      readonly restart: boolean;
      readonly reason: string;
    }
  /** Every container has stopped (or was never created). */
  | { readonly type: 'all-stopped' }
  /** Its containers are gone (removed behind the agent's back, or while it was down). */
  | { readonly type: 'vanished'; readonly reason: string }
  /** The agent is shutting down: leave the containers as they are. */
  | { readonly type: 'shutdown' }
  /** A restarted agent found containers of the task (from their labels) showing `found`. */
  | { readonly type: 'adopted'; readonly found: AdoptedAs };

/**
 * What a restarted agent finds of a task: every container running; every container there and
 * some exited; some missing and some exited; or none exited and some never created (the
 * previous run died while creating).
 */
export type AdoptedAs = 'running' | 'exited' | 'partly-exited' | 'incomplete';

/** What the runner must do after a transition, in order. */
export type TaskAction =
  | 'pull'
  | 'create'
  | 'start'
  | 'stop'
  | 'restart-container'
  | 'report'
  | 'report-container'
  | 'detach';

/** The outcome of one event. */
export interface Transition {
  readonly state: TaskState;
  readonly actions: readonly TaskAction[];
  /** Set when this transition decides why the task stops (the first reason wins). */
  readonly stopReason?: string;
}

/** The status the scheduler is told for a task state. */
export function backendStatus(state: TaskState): BackendStatus {
  switch (state) {
    case 'RUNNING':
    case 'STOPPING':
      return 'RUNNING';
    case 'STOPPED':
      return 'STOPPED';
    default:
      return 'PENDING';
  }
}

/** Whether the task has started its way down (kill or exit seen). */
export function isStopping(state: TaskState): boolean {
  return state === 'STOPPING' || state === 'STOPPED';
}

const stay = (state: TaskState): Transition => ({ state, actions: [] });

function adoption(found: AdoptedAs): Transition {
  switch (found) {
    case 'running':
      // Re-report: the report may have been lost with the previous run (idempotent).
      return { state: 'RUNNING', actions: ['report'] };
    case 'exited':
      return { state: 'RUNNING', actions: [] };
    case 'partly-exited':
      return { state: 'CREATED', actions: [] };
    case 'incomplete':
      return { state: 'PULLING', actions: [] };
  }
}

/**
 * The pure transition function: the next state and the actions for `event` in `state`.
 * Events that do not apply in a state change nothing (idempotent: a repeated assignment or
 * kill is a no-op).
 */
export function transition(state: TaskState, event: TaskEvent): Transition {
  if (event.type === 'shutdown') return { state, actions: ['detach'] };
  if (event.type === 'adopted') return state === 'NONE' ? adoption(event.found) : stay(state);
  if (state === 'STOPPED') return stay(state);

  if (state === 'STOPPING') {
    switch (event.type) {
      // A step that was in flight when the kill came finished: stop what it made.
      case 'pulled':
      case 'created':
      case 'started':
      case 'failed':
        return { state, actions: ['stop'] };
      case 'all-stopped':
        return { state: 'STOPPED', actions: ['report'] };
      case 'vanished':
        return { state: 'STOPPED', actions: ['report'] };
      default:
        return stay(state);
    }
  }

  switch (event.type) {
    case 'assign':
      return state === 'NONE' ? { state: 'PULLING', actions: ['pull'] } : stay(state);
    case 'pulled':
      return state === 'PULLING' ? { state: 'CREATING', actions: ['create'] } : stay(state);
    case 'created':
      return state === 'CREATING' ? { state: 'CREATED', actions: ['start'] } : stay(state);
    case 'started':
      return state === 'CREATED' ? { state: 'RUNNING', actions: ['report'] } : stay(state);
    case 'failed':
    case 'kill':
      if (state === 'NONE') {
        return { state: 'STOPPED', actions: ['report'], stopReason: event.reason };
      }
      return { state: 'STOPPING', actions: ['stop'], stopReason: event.reason };
    case 'container-exited':
      if (event.restart) return { state, actions: ['restart-container'] };
      if (event.essential) {
        return { state: 'STOPPING', actions: ['stop'], stopReason: event.reason };
      }
      return { state, actions: state === 'RUNNING' ? ['report-container'] : [] };
    case 'all-stopped':
      // Every container stopped without a kill (e.g. all non-essential ones exited).
      if (state === 'RUNNING' || state === 'CREATED') {
        return { state: 'STOPPED', actions: ['report'], stopReason: 'All containers exited' };
      }
      return stay(state);
    case 'vanished':
      return { state: 'STOPPED', actions: ['report'], stopReason: event.reason };
  }
}

/** Docker's health status in ECS's words (undefined without a health check). */
export function ecsHealthStatus(docker: string | undefined): ContainerHealthStatus | undefined {
  if (docker === undefined) return undefined;
  if (docker === 'healthy') return 'HEALTHY';
  if (docker === 'unhealthy') return 'UNHEALTHY';
  return 'UNKNOWN';
}
