/**
 * The registrator's first full sync as a promise: it resolves after the first successful
 * reconcile and rejects once startup failed more than `--retry-attempts` times (never with -1)
 * or the engine closed first. It must never reject after it resolved, and a caller that never
 * awaits it must not see an unhandled rejection.
 */

import { RetryExhaustedError } from '@berth/daemon';
import { RegistratorClosedError } from './errors.js';

/** State of the first sync. */
export class FirstSync {
  /** Resolves after the first successful full reconcile; rejects when startup gave up. */
  readonly promise: Promise<void>;
  readonly #retryAttempts: number;
  #done = false;
  #failures = 0;
  #resolve!: () => void;
  #reject!: (e: unknown) => void;

  constructor(retryAttempts: number) {
    this.#retryAttempts = retryAttempts;
    this.promise = new Promise<void>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    this.promise.catch(() => {});
  }

  /** Whether the first sync succeeded. */
  get done(): boolean {
    return this.#done;
  }

  /** Failures before the first sync. */
  get failures(): number {
    return this.#failures;
  }

  succeeded(): void {
    if (this.#done) return;
    this.#done = true;
    this.#resolve();
  }

  /** One more startup failure; gives up when the attempts are used. */
  failed(error: unknown): void {
    if (this.#done) return;
    this.#failures++;
    const max = this.#retryAttempts;
    // A RetryExhaustedError has used up the attempts already (inside one Consul call).
    if (max >= 0 && (error instanceof RetryExhaustedError || this.#failures > max)) {
      this.#reject(
        error instanceof RetryExhaustedError
          ? error
          : new RetryExhaustedError('first sync', this.#failures, error),
      );
    }
  }

  closed(): void {
    if (!this.#done) this.#reject(new RegistratorClosedError());
  }
}
