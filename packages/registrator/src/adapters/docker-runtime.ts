/**
 * ContainerRuntime on the Docker Engine API (@berth/docker and dockerode): a container event stream that
 * reconnects with backoff (and replays the last seconds with `since`, so nothing falls between
 * subscribe and list), running-container listing and inspect. The only file that talks to
 * Docker; it must never decide what to register.
 */

import {
  DEFAULT_RECONNECT,
  DockerError,
  followDockerEvents,
  inspectContainer,
} from '@berth/docker';
import Docker from 'dockerode';
import {
  CONTAINER_ACTIONS,
  type ContainerRuntime,
  type RuntimeWatch,
  type RuntimeWatchHandlers,
} from './container-runtime.js';
import { containerInfoOf } from './docker-container.js';
import { RuntimeError } from '../errors.js';
import type { ContainerInfo } from '../types.js';

/** Options of DockerRuntime. */
export interface DockerRuntimeOptions {
  /** A dockerode client; default one built from `socketPath` or DOCKER_HOST. */
  readonly docker?: Docker;
  /** Unix socket of the engine (default: dockerode's, i.e. DOCKER_HOST or /var/run/docker.sock). */
  readonly socketPath?: string;
  /** First reconnect delay in ms (default 100), doubling up to `reconnectMaxMs` (default 5000). */
  readonly reconnectBaseMs?: number;
  readonly reconnectMaxMs?: number;
  /** Seconds of events replayed on (re)connect (default 2). */
  readonly replaySeconds?: number;
}

function fail(what: string, err: unknown): RuntimeError {
  const message = err instanceof DockerError ? err.message : DockerError.from(what, err).message;
  return new RuntimeError(message, { cause: err });
}

/** The Docker Engine as a ContainerRuntime. */
export class DockerRuntime implements ContainerRuntime {
  readonly docker: Docker;
  readonly #baseMs: number;
  readonly #maxMs: number;
  readonly #replay: number;

  constructor(options: DockerRuntimeOptions = {}) {
    this.docker =
      options.docker ??
      new Docker(options.socketPath ? { socketPath: options.socketPath } : undefined);
    this.#baseMs = options.reconnectBaseMs ?? DEFAULT_RECONNECT.baseMs;
    this.#maxMs = options.reconnectMaxMs ?? DEFAULT_RECONNECT.maxMs;
    this.#replay = options.replaySeconds ?? 2;
  }

  watch(handlers: RuntimeWatchHandlers): RuntimeWatch {
    // Replaying a few seconds closes the gap between subscribing and listing; the full
    // resync after every (re)connect covers anything older.
    return followDockerEvents(
      this.docker,
      {
        filters: { event: CONTAINER_ACTIONS },
        replaySeconds: this.#replay,
        reconnect: { baseMs: this.#baseMs, maxMs: this.#maxMs },
      },
      handlers,
    );
  }

  async listRunning(): Promise<string[]> {
    try {
      const list = await this.docker.listContainers({
        filters: { status: ['running', 'paused'] },
      });
      return list.map((c) => c.Id);
    } catch (err) {
      throw fail('cannot list containers', err);
    }
  }

  async inspect(id: string): Promise<ContainerInfo | undefined> {
    try {
      const c = await inspectContainer(this.docker, id);
      return c && containerInfoOf(c);
    } catch (err) {
      throw fail(`cannot inspect container ${id.slice(0, 12)}`, err);
    }
  }
}
