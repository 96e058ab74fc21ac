/**
 * What every action handler gets: the leader's state, the fenced writer, the KV layout and
 * the knobs (grace period, clock, randomness). Handlers are `(ctx, body) => response`.
 * Must never hold I/O beyond the Persister.
 */
import type { Persister } from '../state/persister.js';
import type { KvLayout } from '../state/records.js';
import type { SchedulerState } from '../state/scheduler-state.js';
import type { Body } from '../core/input.js';

export interface ApiContext {
  readonly state: SchedulerState;
  readonly persist: Persister;
  readonly layout: KvLayout;
  /** Agent grace period (ms): no contact for this long means disconnected. */
  readonly agentGraceMs: number;
  /** Longest PollAssignments wait (ms); default 60 s. */
  readonly maxPollMs: number;
  readonly now: () => number;
  readonly random: () => number;
  /** Aborted when this replica stops leading: long polls answer at once. */
  readonly signal: AbortSignal;
}

/** Who signed the request. */
export interface Caller {
  /** The IAM principal its access key stands for; undefined: the account's root. */
  readonly principalArn?: string | undefined;
}

/** One action's handler. */
export type Handler = (ctx: ApiContext, body: Body, caller?: Caller) => Promise<unknown>;
