/**
 * What a failed Docker Engine call means: the engine's own message when it gave one, the HTTP
 * status it answered with, and `DockerError` carrying both. Pure; it must never retry or log.
 */

import { BerthError } from '@berth/daemon';

/** The engine's HTTP status in a dockerode error, when the engine answered. */
export function dockerStatusOf(err: unknown): number | undefined {
  const s = (err as { statusCode?: unknown } | undefined)?.statusCode;
  return typeof s === 'number' ? s : undefined;
}

/** The engine's own message when it gave one (dockerode puts it in `json.message`). */
export function describeDockerError(err: unknown): string {
  const json = (err as { json?: { message?: unknown } } | undefined)?.json;
  if (json && typeof json.message === 'string') return json.message;
  if (err instanceof BerthError) return err.message;
  if (err instanceof Error) {
    const code = (err as NodeJS.ErrnoException).code;
    return code ? `${code}: ${err.message}` : err.message;
  }
  return String(err);
}

/** A Docker call failed; `status` is the engine's HTTP status when it answered. */
export class DockerError extends BerthError {
  readonly status: number | undefined;

  constructor(message: string, status?: number, options?: { cause?: unknown }) {
    super(status === 404 ? 'DOCKER_NOT_FOUND' : 'DOCKER_FAILED', message, options);
    this.status = status;
  }

  /** `<what>: <the engine's message>`, with the engine's status. */
  static from(what: string, err: unknown): DockerError {
    return new DockerError(`${what}: ${describeDockerError(err)}`, dockerStatusOf(err), {
      cause: err,
    });
  }
}
