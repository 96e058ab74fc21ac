/**
 * ECS container restart policy (`restartPolicy` of a container definition), decided by the
 * agent rather than Docker so that each restart is seen, counted and reported. Pure: the
 * caller passes the clock.
 *
 * ECS semantics: with `enabled`, a container that exits is restarted unless its exit code is
 * in `ignoredExitCodes`, the task is being stopped, or it ran for less than
 * `restartAttemptPeriod` seconds (default 300) since it last started — a container that
 * cannot stay up that long is not restarted, and the task then follows `essential`.
 * It must never restart a container of a task that is stopping.
 */

import type { ContainerRestartPolicy } from '@berth/protocol';

/** ECS's default restartAttemptPeriod, in seconds. */
export const DEFAULT_RESTART_ATTEMPT_PERIOD_S = 300;

/** What the decision needs to know about the exit. */
export interface ExitFacts {
  readonly policy: ContainerRestartPolicy | undefined;
  readonly exitCode: number | undefined;
  /** When the run that just ended started (ms since epoch); undefined if it never started. */
  readonly startedAtMs: number | undefined;
  readonly nowMs: number;
  /** The task is being stopped (kill, essential exit, shutdown of the task). */
  readonly taskStopping: boolean;
}

/** The verdict and, when no restart, why not (for logs and reports). */
export interface RestartDecision {
  readonly restart: boolean;
  readonly why: string;
}

/** Decides whether a container that exited is restarted. */
export function shouldRestart(facts: ExitFacts): RestartDecision {
  const { policy } = facts;
  if (!policy?.enabled) return { restart: false, why: 'restart policy not enabled' };
  if (facts.taskStopping) return { restart: false, why: 'task is stopping' };
  if (facts.exitCode === undefined) return { restart: false, why: 'exit code unknown' };
  if (policy.ignoredExitCodes?.includes(facts.exitCode)) {
    return { restart: false, why: `exit code ${facts.exitCode} is ignored` };
  }
  if (facts.startedAtMs === undefined) return { restart: false, why: 'container never started' };
  const periodS = policy.restartAttemptPeriod ?? DEFAULT_RESTART_ATTEMPT_PERIOD_S;
  const ranMs = facts.nowMs - facts.startedAtMs;
  if (ranMs < periodS * 1000) {
    return {
      restart: false,
      why: `ran ${(ranMs / 1000).toFixed(1)}s, less than restartAttemptPeriod ${periodS}s`,
    };
  }
  return { restart: true, why: `exit code ${facts.exitCode}` };
}
