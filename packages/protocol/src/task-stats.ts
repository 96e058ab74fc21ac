/**
 * `BerthAgentV1.ReportTaskStats` (issue 21): what an agent measured of its running tasks from
 * Docker's stats, for the scheduler's auto scaling. Raw usage, not percentages: the scheduler
 * divides by the reservation it placed the task with, so both sides never disagree on it.
 * Types and constants only.
 */

/** The X-Amz-Target action (under BERTH_AGENT_TARGET_PREFIX). */
export const REPORT_TASK_STATS_ACTION = 'ReportTaskStats';

/** One task's usage, summed over its running containers. */
export interface TaskStatsSample {
  readonly taskArn: string;
  /** CPU used, in ECS CPU units (1024 = one core busy). */
  readonly cpuUnits: number;
  /** Memory used, MiB (Docker's usage minus page cache, as `docker stats` shows). */
  readonly memoryMiB: number;
}

/** One report: every task the agent could measure at `sampledAt`. */
export interface TaskStatsReport {
  readonly cluster: string;
  readonly containerInstance: string;
  /** When the samples were taken (ms since the epoch). */
  readonly sampledAt: number;
  readonly tasks: readonly TaskStatsSample[];
}
