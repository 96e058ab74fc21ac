/**
 * What a task runner needs from the agent (RunnerContext) and what it tells the agent
 * (RunnerEvent). Types only.
 */

import type { ContainerRuntime, PullProgress } from './adapters/container-runtime.js';
import type { PullBehavior } from './core/pull-policy.js';
import type { TaskState } from './core/task-state.js';
import type { ReportQueue } from './report-queue.js';
import type { TaskSecretsAnswer } from './task-secrets.js';

/** What a runner needs from the agent. */
export interface RunnerContext {
  readonly runtime: ContainerRuntime;
  readonly reports: ReportQueue;
  readonly pullBehavior: PullBehavior;
  /** Whether this agent pulled `image` before (for `once`). */
  pulledBefore(image: string): boolean;
  /** Records that a task used (and maybe pulled) `image`. */
  imageUsed(image: string, pulled: boolean): void;
  /** Fetches the task's secrets and registry credentials from the scheduler (issue 20). */
  readonly secrets?: ((taskArn: string) => Promise<TaskSecretsAnswer>) | undefined;
  /** Library events, turned into logs and metrics by the daemon. */
  emit(event: RunnerEvent): void;
  now(): number;
}

/** What a runner tells the agent (and through it, the daemon's logs and metrics). */
export type RunnerEvent =
  | {
      readonly type: 'state';
      readonly taskArn: string;
      readonly state: TaskState;
      readonly reason?: string;
    }
  | {
      readonly type: 'pull';
      readonly taskArn: string;
      readonly image: string;
      readonly progress: PullProgress;
    }
  | {
      readonly type: 'pulled';
      readonly taskArn: string;
      readonly image: string;
      readonly ms: number;
      readonly cached: boolean;
    }
  | {
      readonly type: 'restart';
      readonly taskArn: string;
      readonly container: string;
      readonly restarts: number;
      readonly exitCode: number | undefined;
    }
  | {
      readonly type: 'no-restart';
      readonly taskArn: string;
      readonly container: string;
      readonly why: string;
    }
  | {
      readonly type: 'health';
      readonly taskArn: string;
      readonly container: string;
      readonly health: string;
    }
  | {
      readonly type: 'error';
      readonly taskArn: string;
      readonly op: string;
      readonly error: unknown;
    };
