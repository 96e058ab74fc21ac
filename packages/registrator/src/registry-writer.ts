/**
 * The registrator's one way to call Consul: each call with retries and backoff (from
 * `@berth/daemon`'s withRetry), tracking whether Consul is reachable and how many writes
 * started, so a probe can tell a stale listing. It carries out planned writes; it must never
 * decide what to write, and never retry past close (an aborted retry is RegistratorClosedError).
 */

import { RetryAbortedError, withRetry } from '@berth/daemon';
import type { ServiceRegistry } from './adapters/service-registry.js';
import { PAUSED_REASON } from './core/desired-services.js';
import type { Write } from './core/plan-writes.js';
import { RegistratorClosedError, isRetryable } from './errors.js';

/** How a RegistryWriter retries and whom it tells. */
export interface RegistryWriterOptions {
  readonly retryAttempts: number;
  readonly retryIntervalMs: number;
  readonly retryMaxMs: number;
  readonly signal: AbortSignal;
  onRetry(op: string, attempt: number, delayMs: number, error: unknown): void;
  /** Consul became unreachable, or reachable again after an outage. */
  onReachable(reachable: boolean, error?: unknown): void;
  /** Consul came back: what it holds may differ from what we believe (reconcile). */
  onRecovered(): void;
}

/** Calls a ServiceRegistry with retries, tracking reachability and writes. */
export class RegistryWriter {
  readonly #registry: ServiceRegistry;
  readonly #o: RegistryWriterOptions;
  #down = false;
  #started = 0;
  #inFlight = 0;

  constructor(registry: ServiceRegistry, options: RegistryWriterOptions) {
    this.#registry = registry;
    this.#o = options;
  }

  /** Whether the last Consul call succeeded. */
  get reachable(): boolean {
    return !this.#down;
  }

  /** Writes started so far. */
  get started(): number {
    return this.#started;
  }

  /** Writes running now. */
  get inFlight(): number {
    return this.#inFlight;
  }

  /** Makes one planned write. */
  send(w: Write): Promise<void> {
    const r = this.#registry;
    switch (w.op) {
      case 'deregister':
        return this.call(`deregister ${w.id}`, () => r.deregister(w.id));
      case 'register':
        return this.call(`register ${w.id}`, () => r.register(w.registration));
      case 'check':
        return this.call(`check ${w.checkId}`, () => r.updateCheck(w.checkId, w.status, w.output));
      case 'maintenance':
        return this.call(`maintenance ${w.id}`, () =>
          r.setMaintenance(w.id, w.enable, PAUSED_REASON),
        );
    }
  }

  /** Runs one registry call with retries; `write: false` for reads (a listing). */
  async call<T>(op: string, fn: () => Promise<T>, write = true): Promise<T> {
    if (write) {
      this.#started++;
      this.#inFlight++;
    }
    const o = this.#o;
    try {
      const out = await withRetry(
        op,
        async () => {
          try {
            return await fn();
          } catch (error) {
            if (isRetryable(error)) this.failed(error);
            throw error;
          }
        },
        {
          retries: o.retryAttempts,
          baseMs: o.retryIntervalMs,
          maxMs: Math.max(o.retryMaxMs, o.retryIntervalMs),
          signal: o.signal,
          retryable: isRetryable,
          onRetry: (attempt, delayMs, error) => o.onRetry(op, attempt, delayMs, error),
        },
      ).catch((error: unknown) => {
        throw error instanceof RetryAbortedError ? new RegistratorClosedError() : error;
      });
      // A recovery seen by a reconcile's own listing needs no second reconcile.
      this.recovered(write);
      return out;
    } finally {
      if (write) this.#inFlight--;
    }
  }

  /** Marks Consul unreachable. */
  failed(error: unknown): void {
    if (this.#down) return;
    this.#down = true;
    this.#o.onReachable(false, error);
  }

  /** Marks Consul reachable; after an outage, asks for a reconcile unless told not to. */
  recovered(reconcile = true): boolean {
    if (!this.#down) return false;
    this.#down = false;
    this.#o.onReachable(true);
    if (reconcile) this.#o.onRecovered();
    return true;
  }
}
