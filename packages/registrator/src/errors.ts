/**
 * Error classes of @berth/registrator, each with a stable `code` callers and tests match on.
 * Nothing here logs or exits. A malformed SERVICE_* value is never an error: it is a warning
 * (see container-to-services.ts); errors are for bad options and failed I/O.
 */

import { BerthError } from '@berth/daemon';

/** Base class of every registrator error. */
export class RegistratorError extends BerthError {}

/** An option of startRegistrator / a flag of `berth registrator` is invalid; names the flag. */
export class RegistratorOptionError extends RegistratorError {
  /** The flag at fault, e.g. `--ip`. */
  readonly flag: string;
  constructor(flag: string, message: string) {
    super('REGISTRATOR_BAD_OPTION', `${flag}: ${message}`);
    this.flag = flag;
  }
}

/** The registrator (or one of its adapters) was closed while an operation waited. */
export class RegistratorClosedError extends RegistratorError {
  constructor() {
    super('REGISTRATOR_CLOSED', 'registrator closed');
  }
}

/** The container runtime (Docker) failed a call that is not a plain "no such container". */
export class RuntimeError extends RegistratorError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('REGISTRATOR_RUNTIME', message, options);
  }
}

/** The service registry (Consul) failed a call; `retryable` when Consul was unreachable. */
export class RegistryError extends RegistratorError {
  readonly retryable: boolean;
  constructor(message: string, retryable: boolean, options?: { cause?: unknown }) {
    super(
      retryable ? 'REGISTRATOR_REGISTRY_UNREACHABLE' : 'REGISTRATOR_REGISTRY',
      message,
      options,
    );
    this.retryable = retryable;
  }
}

/** Whether an error means "try again later" rather than "this request is wrong". */
export function isRetryable(error: unknown): boolean {
  return error instanceof RegistryError ? error.retryable : true;
}
