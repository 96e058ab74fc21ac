/**
 * An in-memory ContainerRuntime for unit tests of the reconciler: containers are plain data the
 * test sets, events are emitted by the test, and the stream can be broken and restored.
 * Must never be used outside tests and must stay free of timers.
 */

import type {
  ContainerRuntime,
  RuntimeEvent,
  RuntimeWatch,
  RuntimeWatchHandlers,
} from '../adapters/container-runtime.js';
import { RuntimeError } from '../errors.js';
import type { ContainerInfo } from '../types.js';

/** An in-memory container runtime. */
export class MemoryRuntime implements ContainerRuntime {
  readonly containers = new Map<string, ContainerInfo>();
  /** When true, listRunning and inspect throw RuntimeError (Docker down). */
  failing = false;
  /** How many times inspect was called. */
  inspects = 0;
  readonly #watchers = new Set<RuntimeWatchHandlers>();
  #connected = true;

  watch(handlers: RuntimeWatchHandlers): RuntimeWatch {
    this.#watchers.add(handlers);
    if (this.#connected) queueMicrotask(() => handlers.connected());
    return { close: () => void this.#watchers.delete(handlers) };
  }

  async listRunning(): Promise<string[]> {
    if (this.failing) throw new RuntimeError('memory runtime is failing');
    return [...this.containers.values()]
      .filter((c) => c.state === 'running' || c.state === 'paused')
      .map((c) => c.id);
  }

  async inspect(id: string): Promise<ContainerInfo | undefined> {
    this.inspects++;
    if (this.failing) throw new RuntimeError('memory runtime is failing');
    return this.containers.get(id);
  }

  /** Sets a container's data without an event (as if the event was missed). */
  set(container: ContainerInfo): void {
    this.containers.set(container.id, container);
  }

  /** Emits an event to every watcher (when connected); `time` defaults to now. */
  emit(
    action: string,
    id: string,
    attributes: Record<string, string> = {},
    time = Date.now(),
  ): void {
    if (!this.#connected) return;
    const event: RuntimeEvent = { action, id, time, attributes };
    for (const w of this.#watchers) w.event(event);
  }

  /** Breaks the event stream: watchers see `disconnected`, events are lost until reconnect(). */
  disconnect(error: unknown = new RuntimeError('stream closed')): void {
    this.#connected = false;
    for (const w of this.#watchers) w.disconnected(error);
  }

  /** Restores the event stream: watchers see `connected`. */
  reconnect(): void {
    this.#connected = true;
    for (const w of this.#watchers) w.connected();
  }
}
