/**
 * The CLI's errors: each carries a stable `code` scripts can rely on. Only the commands turn
 * them into messages and exit codes.
 */

import { BerthError } from '@berth/daemon';

/** A user-facing failure of a verb (bad argument, nothing to connect to, a task failed). */
export class CliError extends BerthError {
  constructor(code: string, message: string) {
    super(code, message);
    this.name = 'CliError';
  }
}

/** A docker-compose.yml berth cannot turn into task definitions. */
export class ComposeError extends CliError {
  constructor(message: string) {
    super('COMPOSE_INVALID', message);
    this.name = 'ComposeError';
  }
}
