/**
 * Error classes of @berth/scheduler, each with a stable `code`. `EcsError` is the one that
 * reaches clients: it carries the ECS exception name (`__type`) and the HTTP status.
 * Must never put secrets (secret keys, signatures of other requests) in a message.
 */
import { BerthError } from '@berth/daemon';

/** Base class of every scheduler error. */
export class SchedulerError extends BerthError {}

/** A bad option of startScheduler / `berth scheduler`; the message names it. */
export class SchedulerOptionError extends SchedulerError {
  readonly option: string;
  constructor(option: string, message: string) {
    super('BERTH_SCHEDULER_OPTION', `${option}: ${message}`);
    this.option = option;
  }
}

/** The shared-credentials file cannot be read or holds no key pair. */
export class CredentialsFileError extends SchedulerError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('BERTH_SCHEDULER_CREDENTIALS', message, options);
  }
}

/**
 * An error answered to an ECS client as `{"__type": type, "message": message}` with `status`.
 * `type` is an ECS/AWS exception name such as `ClientException`.
 */
export class EcsError extends SchedulerError {
  readonly type: string;
  readonly status: number;
  constructor(type: string, message: string, status = 400, options?: { cause?: unknown }) {
    super('BERTH_SCHEDULER_ECS', message, options);
    this.type = type;
    this.status = status;
  }
}

/** The client's request is wrong in a way ECS reports as ClientException. */
export const clientError = (message: string): EcsError => new EcsError('ClientException', message);

/** A parameter is wrong; ECS reports InvalidParameterException naming the field. */
export const invalidParameter = (message: string): EcsError =>
  new EcsError('InvalidParameterException', message);

/** The named cluster does not exist. */
export const clusterNotFound = (): EcsError =>
  new EcsError('ClusterNotFoundException', 'Cluster not found.');

/** A server fault (500): Consul unreachable, lost leadership mid-write, a bug. */
export const serverError = (message: string, cause?: unknown): EcsError =>
  new EcsError('ServerException', message, 500, cause === undefined ? undefined : { cause });

/** The write could not be made durable; nothing was acknowledged. */
export class PersistError extends SchedulerError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('BERTH_SCHEDULER_PERSIST', message, options);
  }
}

/** This replica stopped leading while the request was in flight. */
export class NotLeaderError extends SchedulerError {
  constructor(message = 'this scheduler replica is not the leader') {
    super('BERTH_SCHEDULER_NOT_LEADER', message);
  }
}

/** Stored state under the KV prefix cannot be read back. */
export class StateLoadError extends SchedulerError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('BERTH_SCHEDULER_STATE', message, options);
  }
}

/** The webhook could not take an event after its retries. */
export class WebhookError extends SchedulerError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('BERTH_SCHEDULER_WEBHOOK', message, options);
  }
}
