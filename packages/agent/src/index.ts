/**
 * @berth/agent: runs ECS tasks in Docker on every host, survives every restart, and reports
 * every state change to the scheduler. The public API: the daemon command, startAgent, the
 * engine, its two adapter interfaces with their implementations, and the pure cores.
 * Re-exports only; the in-memory fakes for tests are in `@berth/agent/testing`.
 */

export { command } from './daemon/command.js';
export { agentOptions, schedulerUrls, type AgentConfig } from './daemon/options.js';
export { resolveAgentOptions } from './core/agent-settings.js';
export {
  startAgent,
  AGENT_VERSION,
  type StartAgentOptions,
  type StartAgentDeps,
  type RunningAgent,
} from './daemon/start.js';
export {
  Agent,
  type AgentOptions,
  type AgentSettings,
  type AgentEvents,
  type TaskView,
  type ContainerView,
} from './engine.js';
export * from './errors.js';
export type * from './adapters/container-runtime.js';
export type * from './adapters/scheduler-client.js';
export {
  DockerRuntime,
  type DockerRuntimeOptions,
  containerInfoOf,
} from './adapters/docker-runtime.js';
export {
  HttpSchedulerClient,
  type HttpSchedulerClientOptions,
} from './adapters/http-scheduler-client.js';
export {
  loadCredentials,
  parseIni,
  credentialsFromIni,
  type AwsCredentials,
} from './adapters/aws-credentials.js';
export {
  planTask,
  applyOverride,
  type TaskPlan,
  type TaskPlanInput,
  type PlannedContainer,
  type PlannedVolume,
  type DockerCreateOptions,
} from './core/docker-config.js';
export {
  transition,
  backendStatus,
  TASK_STATES,
  type TaskState,
  type TaskEvent,
  type TaskAction,
  type Transition,
} from './core/task-state.js';
export { shouldRestart, type ExitFacts, type RestartDecision } from './core/restart-policy.js';
export {
  pullPlan,
  isValidImageReference,
  PULL_BEHAVIORS,
  type PullBehavior,
  type PullPlan,
} from './core/pull-policy.js';
export { converge, type Decision, type LocalTask } from './core/converge.js';
export { dueForCleanup, imagesToRemove } from './core/cleanup.js';
export { buildRegistration, parseAttribute } from './core/registration.js';
export * from './core/labels.js';
export {
  startIntrospection,
  tasksAnswer,
  taskResponse,
  versionString,
  EMPTY_TASK,
  type TaskResponse,
  type ContainerResponse,
  type MetadataResponse,
} from './adapters/introspection.js';
export { ReportQueue, type Report } from './report-queue.js';
export { TaskRunner, type RunnerEvent } from './task-runner.js';
