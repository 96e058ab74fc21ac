/**
 * State reports on their way to the scheduler: queued per task, sent in order, and retried
 * with backoff until acknowledged, so no transition is lost while the scheduler is down.
 * Tasks do not wait for each other. A report the scheduler rejects as invalid (a client
 * error a retry cannot fix) is dropped with a 'drop' event. It must never reorder the reports
 * of one task or give up on a retryable failure.
 */

import { EventEmitter } from 'node:events';
import { withRetry } from '@berth/daemon';
import type { ContainerReport, TaskStateChange } from '@berth/protocol';
import { AgentClosedError, SchedulerError } from './errors.js';
import type { SchedulerClient } from './adapters/scheduler-client.js';

/** One report: a task state change or a single container's. */
export type Report =
  | { readonly kind: 'task'; readonly change: TaskStateChange }
  | { readonly kind: 'container'; readonly change: ContainerReport };

/** Events of a ReportQueue. */
export interface ReportQueueEvents {
  ack: [report: Report, attempts: number];
  retry: [report: Report, attempt: number, delayMs: number, error: unknown];
  drop: [report: Report, error: unknown];
}

/** Options of ReportQueue. */
export interface ReportQueueOptions {
  /** First retry delay (ms, default 100), doubling up to `retryMaxMs` (default 5000). */
  readonly retryBaseMs?: number;
  readonly retryMaxMs?: number;
}

interface Item {
  readonly report: Report;
  readonly done: () => void;
}

/** Per-task ordered, retried reports. */
export class ReportQueue extends EventEmitter<ReportQueueEvents> {
  readonly #client: SchedulerClient;
  readonly #baseMs: number;
  readonly #maxMs: number;
  readonly #queues = new Map<string, Item[]>();
  readonly #abort = new AbortController();
  #pending = 0;
  #idle: (() => void)[] = [];

  constructor(client: SchedulerClient, options: ReportQueueOptions = {}) {
    super();
    this.#client = client;
    this.#baseMs = options.retryBaseMs ?? 100;
    this.#maxMs = options.retryMaxMs ?? 5000;
  }

  /** Reports waiting for an acknowledgment. */
  get pending(): number {
    return this.#pending;
  }

  /** Queues a report; resolves once it was acknowledged (or dropped, or the queue closed). */
  push(report: Report): Promise<void> {
    return new Promise((done) => {
      if (this.#abort.signal.aborted) return done();
      const key = report.change.task;
      const queue = this.#queues.get(key);
      this.#pending++;
      const item = { report, done };
      if (queue) {
        queue.push(item);
        return;
      }
      this.#queues.set(key, [item]);
      void this.#pump(key);
    });
  }

  /** Resolves when no report is pending. */
  idle(): Promise<void> {
    if (this.#pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  async #send(report: Report): Promise<void> {
    const signal = this.#abort.signal;
    if (report.kind === 'task') await this.#client.reportTask(report.change, signal);
    else await this.#client.reportContainer(report.change, signal);
  }

  async #pump(key: string): Promise<void> {
    const queue = this.#queues.get(key) as Item[];
    while (queue.length > 0) {
      const item = queue[0] as Item;
      try {
        // Until acknowledged: a report is never given up while the scheduler may take it.
        await withRetry(
          'report',
          async (attempt) => {
            await this.#send(item.report);
            this.emit('ack', item.report, attempt);
          },
          {
            retries: -1,
            baseMs: this.#baseMs,
            maxMs: this.#maxMs,
            signal: this.#abort.signal,
            retryable: (err) =>
              !(err instanceof AgentClosedError) &&
              !(err instanceof SchedulerError && !err.retryable),
            onRetry: (attempt, delay, err) => this.emit('retry', item.report, attempt, delay, err),
          },
        );
      } catch (err) {
        if (this.#abort.signal.aborted || !(err instanceof SchedulerError)) return;
        this.emit('drop', item.report, err); // the scheduler refused it: retrying cannot help
      }
      queue.shift();
      this.#pending--;
      item.done();
    }
    this.#queues.delete(key);
    if (this.#pending === 0) for (const f of this.#idle.splice(0)) f();
  }

  /** Stops sending; pending reports are abandoned (their promises resolve). */
  close(): void {
    this.#abort.abort();
    for (const queue of this.#queues.values()) for (const item of queue) item.done();
    this.#queues.clear();
    this.#pending = 0;
    for (const f of this.#idle.splice(0)) f();
  }
}
