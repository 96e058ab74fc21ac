/**
 * The agent's session with the scheduler: registering this host (again when the scheduler
 * forgot it), the long-poll loop that hands each assignment list to the engine, whether the
 * scheduler is reachable, and the /health reasons that follow from it. Every call is retried
 * with backoff until it succeeds or the agent closes. It must never converge tasks itself
 * (the engine does) and never log: it emits the agent's events.
 */

import type { EventEmitter } from 'node:events';
import { arch, cpus, totalmem } from 'node:os';
import { RetryAbortedError, backoffDelay, sleep, withRetry } from '@berth/daemon';
import type { Assignment } from '@berth/protocol';
import type { SchedulerClient } from './adapters/scheduler-client.js';
import { buildRegistration } from './core/registration.js';
import { AgentClosedError, SchedulerError } from './errors.js';
import type { AgentEvents, AgentSettings } from './types.js';

/** What the session needs from the engine. */
export interface SessionHost {
  readonly options: AgentSettings;
  readonly client: SchedulerClient;
  readonly events: EventEmitter<AgentEvents>;
  readonly signal: AbortSignal;
  readonly instanceId: () => string;
  readonly dockerVersion: () => string;
  readonly dockerConnected: () => boolean;
  /** Converges to an assignment list (throws when Docker failed). */
  readonly apply: (list: readonly Assignment[]) => Promise<void>;
  /** Saves the agent's state file (after a registration). */
  readonly save: () => Promise<void>;
}

/** Registration, long poll and reachability of the scheduler. */
export class SchedulerSession {
  readonly #h: SessionHost;
  instanceArn = '';
  reachable = false;
  /** ms since epoch of the last answer from the scheduler. */
  lastContact = 0;
  #version = 0;
  #health: readonly string[] = ['starting'];

  constructor(host: SessionHost) {
    this.#h = host;
  }

  /** Reasons /health is not ok (empty when it is). */
  get healthReasons(): readonly string[] {
    return this.#health;
  }

  /** The agent's retry delays (`retryBaseMs` doubling to `retryMaxMs`). */
  get backoff(): { baseMs: number; maxMs: number } {
    const o = this.#h.options;
    return { baseMs: o.retryBaseMs ?? 100, maxMs: o.retryMaxMs ?? 5000 };
  }

  /** Runs `fn` until it succeeds or the agent closes (then AgentClosedError). */
  async retry<T>(what: string, fn: () => Promise<T>, kind: 'docker' | 'scheduler'): Promise<T> {
    const events = this.#h.events;
    try {
      return await withRetry(what, fn, {
        ...this.backoff,
        retries: -1,
        signal: this.#h.signal,
        retryable: (err) => !(err instanceof AgentClosedError),
        onRetry: (attempt, _delayMs, err) => {
          if (kind === 'scheduler') this.lost(err);
          else events.emit('docker', false, err);
          events.emit('warning', `${what} failed (attempt ${attempt}), retrying`, err);
        },
      });
    } catch (err) {
      throw err instanceof RetryAbortedError ? new AgentClosedError() : err;
    }
  }

  /** Registers this host (again: with the ARN it had, so the scheduler keeps it). */
  async register(): Promise<void> {
    const o = this.#h.options;
    const previous = this.instanceArn;
    const registration = buildRegistration({
      cpus: cpus().length,
      totalMemoryBytes: totalmem(),
      reservedMemoryMiB: o.reservedMemoryMiB ?? 0,
      reservedPorts: o.reservedPorts ?? [22, 2375, 2376, 51678],
      arch: arch(),
      ...(o.availabilityZone ? { availabilityZone: o.availabilityZone } : {}),
      advertiseIp: o.advertiseIp,
      instanceId: this.#h.instanceId(),
      attributes: o.attributes ?? {},
      agentVersion: o.agentVersion ?? '0.1.0',
      dockerVersion: this.#h.dockerVersion(),
      ...(previous ? { containerInstanceArn: previous } : {}),
    });
    const { containerInstanceArn } = await this.retry(
      'register',
      () => this.#h.client.register(registration, this.#h.signal),
      'scheduler',
    );
    this.contact();
    this.instanceArn = containerInstanceArn;
    this.#h.events.emit('registered', containerInstanceArn, previous === containerInstanceArn);
    await this.#h.save();
  }

  /** The scheduler answered. */
  contact(): void {
    this.lastContact = Date.now();
    if (!this.reachable) {
      this.reachable = true;
      this.#h.events.emit('scheduler', true);
      this.updateHealth();
    }
  }

  /** A scheduler call failed. */
  lost(error: unknown): void {
    if (this.reachable) {
      this.reachable = false;
      this.#h.events.emit('scheduler', false, error);
    }
    this.updateHealth();
  }

  /** Recomputes the /health reasons; emits `health` when they changed. */
  updateHealth(): void {
    const reasons: string[] = [];
    const after = this.#h.options.degradedAfterMs ?? 30_000;
    if (!this.reachable && Date.now() - this.lastContact >= after) {
      reasons.push(
        this.lastContact
          ? `scheduler unreachable since ${new Date(this.lastContact).toISOString()}`
          : 'scheduler not reached yet',
      );
    }
    if (!this.#h.dockerConnected()) reasons.push('Docker event stream disconnected');
    if (reasons.join('|') === this.#health.join('|')) return;
    this.#health = reasons;
    this.#h.events.emit('health', reasons);
  }

  /** The long-poll loop; returns when the agent closes. */
  async poll(): Promise<void> {
    const { events, signal, client } = this.#h;
    let failures = 0;
    while (!signal.aborted) {
      try {
        const res = await client.poll(
          {
            containerInstance: this.instanceArn,
            version: this.#version,
            waitSeconds: this.#h.options.pollWaitSeconds ?? 20,
          },
          signal,
        );
        if (signal.aborted) return;
        failures = 0;
        this.contact();
        this.#version = res.version;
        try {
          await this.#h.apply(res.tasks);
        } catch (err) {
          // Docker failed while converging: ask again soon (an older version is answered at once).
          events.emit('warning', 'converging to the assignment list failed; retrying', err);
          if (this.#version > 0) this.#version--;
          if (!(await sleep(backoffDelay(++failures, this.backoff), signal))) return;
        }
      } catch (err) {
        if (signal.aborted || err instanceof AgentClosedError) return;
        failures++;
        this.lost(err);
        if (err instanceof SchedulerError && !err.retryable) {
          // The scheduler does not know this instance (e.g. it lost its state): register again.
          events.emit('warning', 'poll rejected; registering again', err);
          try {
            this.#version = 0;
            await this.register();
          } catch {
            return;
          }
          continue;
        }
        if (!(await sleep(backoffDelay(failures, this.backoff), signal))) return;
      }
    }
  }
}
