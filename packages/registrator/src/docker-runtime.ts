/**
 * ContainerRuntime on the Docker Engine API (dockerode): a container event stream that
 * reconnects with backoff (and replays the last seconds with `since`, so nothing falls between
 * subscribe and list), running-container listing and inspect. The only file that talks to
 * Docker; it must never decide what to register.
 */

import { backoffDelay } from '@berth/consul';
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
    let closed = false;
    let stream: NodeJS.ReadableStream | undefined;
    let timer: NodeJS.Timeout | undefined;
    let failures = 0;

    const retry = (error: unknown): void => {
      if (closed) return;
      stream = undefined;
      handlers.disconnected(error);
      failures++;
      const delay = backoffDelay(failures, { baseMs: this.#baseMs, maxMs: this.#maxMs });
      timer = setTimeout(connect, delay);
    };

    const connect = (): void => {
      timer = undefined;
      if (closed) return;
      // Replaying a few seconds closes the gap between subscribing and listing; the full
      // resync after every (re)connect covers anything older.
      const since = Math.floor(Date.now() / 1000) - this.#replay;
      this.docker
        .getEvents({
          since,
          filters: { type: ['container'], event: [...CONTAINER_ACTIONS] },
        })
        .then(
          (s) => {
            if (closed) {
              (s as unknown as { destroy(): void }).destroy();
              return;
            }
            stream = s;
            let buffer = '';
            let ended = false;
            const end = (error: unknown): void => {
              if (ended) return;
              ended = true;
              s.removeAllListeners('data');
              retry(error);
            };
            s.on('data', (chunk: Buffer | string) => {
              buffer += chunk.toString();
              let nl: number;
              while ((nl = buffer.indexOf('\n')) >= 0) {
                const line = buffer.slice(0, nl).trim();
                buffer = buffer.slice(nl + 1);
                if (!line) continue;
                const event = parseDockerEvent(line);
                if (!event) continue;
                handlers.event(event);
              }
            });
            s.on('error', (err: unknown) =>
              end(new RuntimeError(`Docker event stream failed: ${describe(err)}`, { cause: err })),
            );
            s.on('end', () => end(new RuntimeError('Docker event stream ended')));
            s.on('close', () => end(new RuntimeError('Docker event stream closed')));
            failures = 0;
            handlers.connected();
          },
          (err: unknown) =>
            retry(
              new RuntimeError(`cannot follow Docker events: ${describe(err)}`, { cause: err }),
            ),
        );
    };

    connect();
    return {
      close: () => {
        closed = true;
        if (timer) clearTimeout(timer);
        if (stream) (stream as unknown as { destroy(): void }).destroy();
      },
    };
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
