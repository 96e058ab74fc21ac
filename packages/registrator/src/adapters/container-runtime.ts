/**
 * The narrow interface the registrator needs from a container runtime (Docker): a live event
 * stream, the list of running containers, and inspect. Implementations: docker-runtime.ts
 * (dockerode) and memory-runtime.ts (unit tests). Must never hold registration logic.
 */

import type { DockerEvent, DockerEventFollow, DockerEventHandlers } from '@berth/docker';
import type { ContainerInfo } from '../types.js';

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
export type RuntimeEvent = DockerEvent;

/**
 * Callbacks of a runtime watch: `connected` (first time and after every reconnect) means a
 * full listing taken now misses nothing; after `disconnected` the watch retries by itself.
 */
export type RuntimeWatchHandlers = DockerEventHandlers;

/** A running watch; close() stops it and any reconnect attempt. */
export type RuntimeWatch = DockerEventFollow;

/** What the registrator needs from Docker. */
export interface ContainerRuntime {
  /** Starts following container events; reconnects by itself until closed. */
  watch(handlers: RuntimeWatchHandlers): RuntimeWatch;
  /** IDs of the containers that run (running or paused). Throws when the runtime fails. */
  listRunning(): Promise<string[]>;
  /** One container, or undefined when it does not exist. Throws when the runtime fails. */
  inspect(id: string): Promise<ContainerInfo | undefined>;
}
