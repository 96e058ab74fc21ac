/**
 * Error classes of @berth/agent, each with a stable `code` that callers and tests match on.
 * Nothing here logs or exits. A task that cannot run is not an agent error: it is reported
 * STOPPED with an ECS-style reason (`CannotPullContainerError: ...`); these classes are for
 * bad options, bad task definitions and failed I/O.
 */

import { BerthError } from '@berth/daemon';

/** Base class of every agent error. */
export class AgentError extends BerthError {}

/** An option of startAgent / a flag of `berth agent` is invalid; names the flag. */
export class AgentOptionError extends AgentError {
  readonly flag: string;
  constructor(flag: string, message: string) {
    super('AGENT_BAD_OPTION', `${flag}: ${message}`);
    this.flag = flag;
  }
}

/**
 * A task definition the agent cannot turn into Docker containers (unknown volume, bad port,
 * unsupported network mode). The message names the field; the task is stopped with it.
 */
export class TaskConfigError extends AgentError {
  readonly field: string;
  constructor(field: string, message: string) {
    super('AGENT_BAD_TASK_DEFINITION', `${field}: ${message}`);
    this.field = field;
  }
}

/** Docker failed a call; `status` is the engine's HTTP status when it answered. */
export class RuntimeError extends AgentError {
  readonly status: number | undefined;
  constructor(message: string, status?: number, options?: { cause?: unknown }) {
    super(status === 404 ? 'AGENT_RUNTIME_NOT_FOUND' : 'AGENT_RUNTIME', message, options);
    this.status = status;
  }
}

/**
 * The scheduler did not answer or answered with a server error; `retryable` is false for an
 * ECS client error (`ClientException`, `InvalidParameterException`, ...), which a retry
 * cannot fix.
 */
export class SchedulerError extends AgentError {
  readonly retryable: boolean;
  /** The ECS error type (`__type`), when the scheduler answered with one. */
  readonly type: string | undefined;
  constructor(message: string, retryable: boolean, type?: string, options?: { cause?: unknown }) {
    super(retryable ? 'AGENT_SCHEDULER_UNREACHABLE' : 'AGENT_SCHEDULER_REJECTED', message, options);
    this.retryable = retryable;
    this.type = type;
  }
}

/** No AWS credentials were found in the environment or the shared credentials file. */
export class CredentialsError extends AgentError {
  constructor(message: string) {
    super('AGENT_NO_CREDENTIALS', message);
  }
}

/** The agent was closed while an operation waited. */
export class AgentClosedError extends AgentError {
  constructor() {
    super('AGENT_CLOSED', 'agent closed');
  }
}
