/**
 * Graceful shutdown: close steps registered during start run in reverse order on the first
 * SIGTERM/SIGINT, within one bounded total wait. A second signal exits at once. This module
 * never calls process.exit itself; the entry point passes `exit`.
 */

import { EventEmitter } from 'node:events';

export type CloseStep = () => Promise<void> | void;

export interface ShutdownEvents {
  step: [name: string, ms: number];
  stepError: [name: string, error: unknown];
  timeout: [pending: string];
}

export interface ShutdownResult {
  /** True when every step finished without error inside the bound. */
  readonly clean: boolean;
  readonly ms: number;
}

/** Ordered close steps with a total time bound. */
export class Shutdown extends EventEmitter<ShutdownEvents> {
  readonly timeoutMs: number;
  #steps: { name: string; fn: CloseStep }[] = [];
  #running: Promise<ShutdownResult> | undefined;

  constructor(timeoutMs = 10_000) {
    super();
    this.timeoutMs = timeoutMs;
  }

  get started(): boolean {
    return this.#running !== undefined;
  }

  /** Registers a close step; steps run last-added first. */
  add(name: string, fn: CloseStep): void {
    this.#steps.push({ name, fn });
  }

  /** Runs every step once (later calls return the same promise). */
  run(): Promise<ShutdownResult> {
    this.#running ??= this.#runSteps();
    return this.#running;
  }

  async #runSteps(): Promise<ShutdownResult> {
    const start = Date.now();
    const deadline = start + this.timeoutMs;
    let clean = true;
    for (const { name, fn } of [...this.#steps].reverse()) {
      const left = deadline - Date.now();
      if (left <= 0) {
        this.emit('timeout', name);
        return { clean: false, ms: Date.now() - start };
      }
      const stepStart = Date.now();
      let timer: NodeJS.Timeout | undefined;
      const outcome = await Promise.race([
        Promise.resolve()
          .then(fn)
          .then(
            () => 'done' as const,
            (err: unknown) => {
              this.emit('stepError', name, err);
              return 'failed' as const;
            },
          ),
        new Promise<'timeout'>((resolve) => {
          timer = setTimeout(() => resolve('timeout'), left);
        }),
      ]);
      clearTimeout(timer);
      if (outcome === 'timeout') {
        this.emit('timeout', name);
        return { clean: false, ms: Date.now() - start };
      }
      if (outcome === 'failed') clean = false;
      else this.emit('step', name, Date.now() - stepStart);
    }
    return { clean, ms: Date.now() - start };
  }
}
