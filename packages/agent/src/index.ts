/**
 * @berth/agent: runs ECS tasks in Docker on every host, survives every restart, and reports
 * every state change to the scheduler. The public API: the daemon command, startAgent, the
 * engine, its two adapter interfaces with their implementations, and the pure cores.
 */

export { command } from './command.js';
export { agentOptions, optionsFromConfig, type AgentConfig } from './options.js';
export {
  startAgent,
  AGENT_VERSION,
  type StartAgentOptions,
  type StartAgentDeps,
  type RunningAgent,
} from './start-agent.js';
export {
  Agent,
  type AgentOptions,
  type AgentEvents,
  type TaskView,
  type ContainerView,
} from './agent.js';
export * from './errors.js';
export type * from './container-runtime.js';
export type * from './scheduler-client.js';
export { DockerRuntime, type DockerRuntimeOptions, containerInfoOf } from './docker-runtime.js';
export { MemoryRuntime } from './memory-runtime.js';
export { HttpSchedulerClient, type HttpSchedulerClientOptions } from './http-scheduler-client.js';
export { MemoryScheduler, type MemoryTask } from './memory-scheduler.js';
export {
  loadCredentials,
  parseIni,
  credentialsFromIni,
  type AwsCredentials,
} from './aws-credentials.js';
export {
  planTask,
  applyOverride,
  type TaskPlan,
  type TaskPlanInput,
  type PlannedContainer,
  type PlannedVolume,
  type DockerCreateOptions,
} from './docker-config.js';
export {
  transition,
  backendStatus,
  TASK_STATES,
  type TaskState,
  type TaskEvent,
  type TaskAction,
  type Transition,
} from './task-state.js';
export { shouldRestart, type ExitFacts, type RestartDecision } from './restart-policy.js';
export {
  pullPlan,
  isValidImageReference,
  PULL_BEHAVIORS,
  type PullBehavior,
  type PullPlan,
} from './pull-policy.js';
export { converge, type Decision, type LocalTask } from './converge.js';
export { dueForCleanup, imagesToRemove } from './cleanup.js';
export { buildRegistration, parseAttribute } from './registration.js';
export * from './labels.js';
export {
  startIntrospection,
  tasksAnswer,
  taskResponse,
  versionString,
  EMPTY_TASK,
  type TaskResponse,
  type ContainerResponse,
  type MetadataResponse,
} from './introspection.js';
export { ReportQueue, type Report } from './report-queue.js';
export { TaskRunner, type RunnerEvent } from './task-runner.js';
