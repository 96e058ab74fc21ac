/**
 * The narrow interface the registrator needs from a container runtime (Docker): a live event
 * stream, the list of running containers, and inspect. Implementations: docker-runtime.ts
 * (dockerode) and memory-runtime.ts (unit tests). Must never hold registration logic.
 */

import type { ContainerInfo } from './types.js';

/** Container actions that can change what a container registers (Docker event filter). */
export const CONTAINER_ACTIONS: readonly string[] = [
  'start',
  'die',
  'stop',
  'kill',
  'destroy',
  'pause',
  'unpause',
  'rename',
  // Docker reports `health_status: healthy|unhealthy` (this filter matches the prefix).
  'health_status',
];

/** One container event (Docker's `Action`, e.g. start, die, destroy, rename). */
export interface RuntimeEvent {
  readonly action: string;
  /** Full container ID. */
  readonly id: string;
  /** Event time in ms since the epoch (Docker's timeNano / 1e6). */
  readonly time: number;
  /** Docker's Actor.Attributes: name, image, exitCode, oldName, labels... */
  readonly attributes: Readonly<Record<string, string>>;
}

/** Callbacks of a runtime watch. */
export interface RuntimeWatchHandlers {
  /** A container event, in stream order. */
  event(event: RuntimeEvent): void;
  /**
   * The stream is live (first time and after every reconnect): events from now on are
   * delivered, so a full listing taken after this call misses nothing.
   */
  connected(): void;
  /** The stream broke or could not be opened; the watch retries by itself with backoff. */
  disconnected(error: unknown): void;
}

/** A running watch; close() stops it and any reconnect attempt. */
export interface RuntimeWatch {
  close(): void;
}

/** What the registrator needs from Docker. */
export interface ContainerRuntime {
  /** Starts following container events; reconnects by itself until closed. */
  watch(handlers: RuntimeWatchHandlers): RuntimeWatch;
  /** IDs of the containers that run (running or paused). Throws when the runtime fails. */
  listRunning(): Promise<string[]>;
  /** One container, or undefined when it does not exist. Throws when the runtime fails. */
  inspect(id: string): Promise<ContainerInfo | undefined>;
}
