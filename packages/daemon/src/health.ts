/**
 * The truth a daemon tells on `/health`: starting, ok, or degraded with reasons.
 * Only `ok` is healthy; load balancers and supervisors act on that.
 */

import { EventEmitter } from 'node:events';

export type HealthStatus = 'starting' | 'ok' | 'degraded' | 'stopping';

export interface HealthReport {
  readonly status: HealthStatus;
  readonly reasons: readonly string[];
  /** ISO time of the last status change. */
  readonly since: string;
  readonly details?: Readonly<Record<string, unknown>>;
}

/** Mutable health state of one daemon; emits 'change' with the new report. */
export class Health extends EventEmitter {
  #status: HealthStatus = 'starting';
  #reasons: readonly string[] = [];
  #since = new Date();
  #details: Readonly<Record<string, unknown>> | undefined;

  get status(): HealthStatus {
    return this.#status;
  }

  get reasons(): readonly string[] {
    return this.#reasons;
  }

  get healthy(): boolean {
    return this.#status === 'ok';
  }

  starting(): void {
    this.#set('starting', []);
  }

  ok(): void {
    this.#set('ok', []);
  }

  degraded(reasons: readonly string[]): void {
    this.#set('degraded', reasons.length ? reasons : ['degraded']);
  }

  stopping(): void {
    this.#set('stopping', ['shutting down']);
  }

  /** Extra facts shown in `/health` (e.g. snapshot age); does not change the status. */
  setDetails(details: Readonly<Record<string, unknown>> | undefined): void {
    this.#details = details;
  }

  toJSON(): HealthReport {
    return {
      status: this.#status,
      reasons: this.#reasons,
      since: this.#since.toISOString(),
      ...(this.#details ? { details: this.#details } : {}),
    };
  }

  #set(status: HealthStatus, reasons: readonly string[]): void {
    const same =
      status === this.#status &&
      reasons.length === this.#reasons.length &&
      reasons.every((r, i) => r === this.#reasons[i]);
    if (same) return;
    if (status !== this.#status) this.#since = new Date();
    this.#status = status;
    this.#reasons = Object.freeze([...reasons]);
    this.emit('change', this.toJSON());
  }
}
