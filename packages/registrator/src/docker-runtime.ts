/**
 * ContainerRuntime on the Docker Engine API (dockerode): a container event stream that
 * reconnects with backoff (and replays the last seconds with `since`, so nothing falls between
 * subscribe and list), running-container listing and inspect. The only file that talks to
 * Docker; it must never decide what to register.
 */

import { backoffDelay } from '@berth/consul';
import { followLines } from '@berth/daemon';
import Docker from 'dockerode';
import {
  CONTAINER_ACTIONS,
  type ContainerRuntime,
  type RuntimeEvent,
  type RuntimeWatch,
  type RuntimeWatchHandlers,
} from './container-runtime.js';
import { type DockerInspect, containerFromInspect } from './docker-container.js';
import { RuntimeError } from './errors.js';
import type { ContainerInfo } from './types.js';

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

function statusOf(err: unknown): number | undefined {
  const s = (err as { statusCode?: unknown })?.statusCode;
  return typeof s === 'number' ? s : undefined;
}

function describe(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as NodeJS.ErrnoException).code;
    return code ? `${code}: ${err.message}` : err.message;
  }
  return String(err);
}

interface DockerEventMessage {
  Type?: string;
  Action?: string;
  status?: string;
  id?: string;
  time?: number;
  timeNano?: number;
  Actor?: { ID?: string; Attributes?: Record<string, string> };
}

/** Parses one line of Docker's event stream; undefined for anything but a container event. */
export function parseDockerEvent(line: string): RuntimeEvent | undefined {
  let msg: DockerEventMessage;
  try {
    msg = JSON.parse(line) as DockerEventMessage;
  } catch {
    return undefined;
  }
  if (msg.Type !== undefined && msg.Type !== 'container') return undefined;
  const id = msg.Actor?.ID ?? msg.id;
  const action = (msg.Action ?? msg.status ?? '').split(':', 1)[0] ?? '';
  if (!id || !action) return undefined;
  const time =
    typeof msg.timeNano === 'number'
      ? msg.timeNano / 1e6
      : typeof msg.time === 'number'
        ? msg.time * 1000
        : Date.now();
  return { action, id, time, attributes: { ...(msg.Actor?.Attributes ?? {}) } };
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
    this.#baseMs = options.reconnectBaseMs ?? 100;
    this.#maxMs = options.reconnectMaxMs ?? 5000;
    this.#replay = options.replaySeconds ?? 2;
  }

  watch(handlers: RuntimeWatchHandlers): RuntimeWatch {
    return followLines(
      {
        // Replaying a few seconds closes the gap between subscribing and listing; the full
        // resync after every (re)connect covers anything older.
        open: () =>
          this.docker.getEvents({
            since: Math.floor(Date.now() / 1000) - this.#replay,
            filters: { type: ['container'], event: [...CONTAINER_ACTIONS] },
          }),
        retryDelayMs: (failures) =>
          backoffDelay(failures, { baseMs: this.#baseMs, maxMs: this.#maxMs }),
        describeError: (what, cause) =>
          what === 'open'
            ? new RuntimeError(`cannot follow Docker events: ${describe(cause)}`, { cause })
            : what === 'error'
              ? new RuntimeError(`Docker event stream failed: ${describe(cause)}`, { cause })
              : new RuntimeError(`Docker event stream ${what === 'end' ? 'ended' : 'closed'}`),
      },
      {
        line: (line) => {
          const event = parseDockerEvent(line);
          if (event) handlers.event(event);
        },
        connected: () => handlers.connected(),
        disconnected: (error) => handlers.disconnected(error),
      },
    );
  }

  async listRunning(): Promise<string[]> {
    try {
      const list = await this.docker.listContainers({
        filters: { status: ['running', 'paused'] },
      });
      return list.map((c) => c.Id);
    } catch (err) {
      throw new RuntimeError(`cannot list containers: ${describe(err)}`, { cause: err });
    }
  }

  async inspect(id: string): Promise<ContainerInfo | undefined> {
    try {
      const info = await this.docker.getContainer(id).inspect();
      return containerFromInspect(info as unknown as DockerInspect);
    } catch (err) {
      if (statusOf(err) === 404) return undefined;
      throw new RuntimeError(`cannot inspect container ${id.slice(0, 12)}: ${describe(err)}`, {
        cause: err,
      });
    }
  }
}
