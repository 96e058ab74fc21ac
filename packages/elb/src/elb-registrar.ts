/**
 * Keeps one target registered in one target group while its owner serves (the router behind
 * an ELB): registers in the background and, when AWS stays unreachable beyond the SDK's own
 * retries, tries again with @berth/daemon's backoff until stopped; at stop it deregisters with
 * a bounded number of attempts. It must never stop its owner because AWS failed; it emits,
 * never logs.
 */

import { EventEmitter } from 'node:events';
import { type Jitter, RetryExhaustedError, withRetry } from '@berth/daemon';
import type { ElbTarget, TargetGroup } from './elb-targets.js';

/** Events of {@link ElbRegistrar}. */
export interface ElbRegistrarEvents {
  registered: [ElbTarget];
  deregistered: [ElbTarget];
  /** A failed call; the registrar retries after `delayMs` (-1: gave up). */
  error: [{ op: string; error: Error; attempt: number; delayMs: number }];
}

/** Back-off of the registrar. */
export interface RegistrarBackoff {
  readonly baseMs: number;
  readonly maxMs: number;
  /** Attempts of the deregistration at stop. */
  readonly deregisterAttempts: number;
  /** Default 'equal': routers that lost AWS together do not come back in lockstep. */
  readonly jitter?: Jitter;
}

/** The registrar's default back-off: 500 ms doubling to 30 s; 3 deregistration attempts. */
export const DEFAULT_REGISTRAR_BACKOFF: RegistrarBackoff = {
  baseMs: 500,
  maxMs: 30_000,
  deregisterAttempts: 3,
};

/** Registers one target, retrying with back-off, and deregisters it at stop. */
export class ElbRegistrar extends EventEmitter<ElbRegistrarEvents> {
  #registered = false;
  #abort: AbortController | undefined;
  #running: Promise<void> | undefined;

  constructor(
    readonly group: TargetGroup,
    readonly target: ElbTarget,
    readonly backoff: RegistrarBackoff = DEFAULT_REGISTRAR_BACKOFF,
  ) {
    super();
  }

  /** Whether the last registration succeeded and no deregistration followed. */
  get registered(): boolean {
    return this.#registered;
  }

  /** Starts registering (returns at once; retries in the background until stop()). */
  start(): void {
    if (this.#running !== undefined) return;
    const abort = new AbortController();
    this.#abort = abort;
    this.#running = withRetry('RegisterTargets', () => this.group.register(this.target), {
      ...this.#delays(),
      retries: -1,
      signal: abort.signal,
      onRetry: (attempt, delayMs, error) =>
        this.emit('error', { op: 'RegisterTargets', error: asError(error), attempt, delayMs }),
    }).then(
      () => {
        if (abort.signal.aborted) return;
        this.#registered = true;
        this.emit('registered', this.target);
      },
      () => {}, // aborted by stop(): nothing more to do
    );
  }

  /** Stops retrying and deregisters (bounded attempts). */
  async stop(): Promise<void> {
    this.#abort?.abort();
    await this.#running;
    this.#running = undefined;
    const attempts = Math.max(1, this.backoff.deregisterAttempts);
    try {
      await withRetry('DeregisterTargets', () => this.group.deregister(this.target), {
        ...this.#delays(),
        retries: attempts - 1,
        onRetry: (attempt, delayMs, error) =>
          this.emit('error', { op: 'DeregisterTargets', error: asError(error), attempt, delayMs }),
      });
      this.#registered = false;
      this.emit('deregistered', this.target);
    } catch (err) {
      const last = err instanceof RetryExhaustedError ? err.cause : err;
      this.emit('error', {
        op: 'DeregisterTargets',
        error: asError(last),
        attempt: attempts,
        delayMs: -1,
      });
    }
  }

  #delays(): { baseMs: number; maxMs: number; jitter: Jitter } {
    const { baseMs, maxMs, jitter = 'equal' } = this.backoff;
    return { baseMs, maxMs, jitter };
  }
}

function asError(e: unknown): Error {
  return e instanceof Error ? e : new Error(String(e));
}
