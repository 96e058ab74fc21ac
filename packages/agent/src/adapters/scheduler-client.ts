/**
 * The agent's one narrow interface to the scheduler (the protocol of
 * /work/notes/agent-protocol.md: RegisterContainerInstance, BerthAgentV1.PollAssignments,
 * SubmitTaskStateChange, SubmitContainerStateChange, DeregisterContainerInstance).
 * http-scheduler-client.ts speaks it over signed AWS JSON 1.1; memory-scheduler.ts is the
 * in-memory one for unit tests. Failures are SchedulerError (`retryable` when it is worth
 * trying again). Types only.
 */

import type {
  RequestCountsAnswer,
  RequestCountsReport,
  TaskStatsReport,
  Assignments,
  ContainerReport,
  PollRequest,
  Registration,
  TaskStateChange,
} from '@berth/protocol';
import type { TaskSecretsAnswer, TaskSecretsRequest } from '../task-secrets.js';

/** The scheduler as the agent uses it; the cluster is part of the client. */
export interface SchedulerClient {
  /** Registers (or re-registers, with `containerInstanceArn`) this host. */
  register(
    registration: Registration,
    signal?: AbortSignal,
  ): Promise<{ containerInstanceArn: string }>;
  /** Long-polls the assignment list; answers at once when `version` is stale. */
  poll(request: PollRequest, signal?: AbortSignal): Promise<Assignments>;
  /** Resolves once the scheduler acknowledged the report. */
  reportTask(change: TaskStateChange, signal?: AbortSignal): Promise<void>;
  reportContainer(change: ContainerReport, signal?: AbortSignal): Promise<void>;
  deregister(containerInstance: string, force: boolean, signal?: AbortSignal): Promise<void>;
  /** A task's secrets and registry credentials (BerthAgentV1.GetTaskSecrets), if supported. */
  taskSecrets?(request: TaskSecretsRequest, signal?: AbortSignal): Promise<TaskSecretsAnswer>;
  /** Task CPU and memory usage for auto scaling (BerthAgentV1.ReportTaskStats), if supported. */
  reportTaskStats?(report: TaskStatsReport, signal?: AbortSignal): Promise<void>;
  /** A router's requests per instance (BerthAgentV1.ReportRequestCounts), if supported. */
  reportRequestCounts?(
    report: RequestCountsReport,
    signal?: AbortSignal,
  ): Promise<RequestCountsAnswer>;
}
