/**
 * Follows Docker's container events: opens the engine's event stream (on @berth/daemon's
 * followLines), replays the last seconds with `since` so nothing falls between subscribing and
 * the caller's listing, reconnects with backoff, and tells the caller after every (re)connect
 * so it can resync. It only adapts the stream: it must never decide anything about containers.
 */

import { type BackoffOptions, backoffDelay, followLines } from '@berth/daemon';
import type Docker from 'dockerode';
import { DockerError } from './docker-error.js';
import { type DockerEvent, parseDockerEvent } from './parse-docker-event.js';

/** Options of followDockerEvents. */
export interface FollowDockerEventsOptions {
  /** Docker event filters added to `type=container`, e.g. `{ label: ['k=v'], event: ['start'] }`. */
  readonly filters?: Readonly<Record<string, readonly string[]>>;
  /** Seconds of events replayed on every (re)connect (default 2). */
  readonly replaySeconds?: number;
  /** Reconnect delays (default 100 ms doubling to 5 s, jittered). */
  readonly reconnect?: BackoffOptions;
}

/** Callbacks of a Docker event subscription. */
export interface DockerEventHandlers {
  /** A container event, in stream order. */
  event(event: DockerEvent): void;
  /**
   * The stream is live (first time and after every reconnect): events from now on are
   * delivered, so a full listing taken after this call misses nothing.
   */
  connected(): void;
  /** The stream broke or could not be opened (a DockerError); it reconnects by itself. */
  disconnected(error: unknown): void;
}

/** An open subscription; close() stops it and any reconnect attempt. */
export interface DockerEventFollow {
  close(): void;
}

/** The reconnect delays when none are given. */
export const DEFAULT_RECONNECT: Required<Pick<BackoffOptions, 'baseMs' | 'maxMs'>> = {
  baseMs: 100,
  maxMs: 5000,
};

/** Follows `docker`'s container events until closed. */
export function followDockerEvents(
  docker: Docker,
  options: FollowDockerEventsOptions,
  handlers: DockerEventHandlers,
): DockerEventFollow {
  const replay = options.replaySeconds ?? 2;
  const reconnect = { ...DEFAULT_RECONNECT, ...options.reconnect };
  const filters = { ...options.filters, type: ['container'] };
  return followLines(
    {
      open: () =>
        docker.getEvents({
          since: Math.floor(Date.now() / 1000) - replay,
          filters: filters as Record<string, string[]>,
        }),
      retryDelayMs: (failures) => backoffDelay(failures, reconnect),
      describeError: (what, cause) =>
        what === 'open'
          ? DockerError.from('cannot follow Docker events', cause)
          : what === 'error'
            ? DockerError.from('Docker event stream failed', cause)
            : new DockerError(`Docker event stream ${what === 'end' ? 'ended' : 'closed'}`),
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

/** Docker's `label` filter values for a label map (`k=v`). */
export function labelFilters(labels: Readonly<Record<string, string>>): string[] {
  return Object.entries(labels).map(([k, v]) => `${k}=${v}`);
}
