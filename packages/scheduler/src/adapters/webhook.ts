/**
 * Posts every event of an EventHub to a webhook URL (`--webhook`), one JSON event per POST,
 * in order, each retried with exponential back-off (bounded attempts) until the receiver
 * answers 2xx. The queue is bounded: when it overflows the oldest events are dropped and
 * counted. Never logs; failures go to `onError`.
 */
import { RetryExhaustedError, withRetry } from '@berth/daemon';
import { WebhookError } from '../errors.js';
import type { BerthEvent, EventHub } from '../events/event-hub.js';

export interface WebhookOptions {
  readonly url: string;
  /** Attempts per event (default 8), back-off from `baseDelayMs` (200) doubling, cap 10 s. */
  readonly attempts?: number;
  readonly baseDelayMs?: number;
  readonly timeoutMs?: number;
  /** Queue bound (default 10 000). */
  readonly maxQueue?: number;
  readonly onError?: (error: WebhookError) => void;
}

/** A running webhook sender. */
export class Webhook {
  readonly #o: WebhookOptions;
  readonly #queue: BerthEvent[] = [];
  readonly #closed = new AbortController();
  #unsubscribe: () => void;
  #pump: Promise<void> | undefined;
  delivered = 0;
  dropped = 0;

  constructor(hub: EventHub, options: WebhookOptions) {
    this.#o = options;
    this.#unsubscribe = hub.subscribe((e) => this.#enqueue(e));
  }

  #enqueue(e: BerthEvent): void {
    if (this.#closed.signal.aborted) return;
    this.#queue.push(e);
    if (this.#queue.length > (this.#o.maxQueue ?? 10_000)) {
      this.#queue.shift();
      this.dropped++;
    }
    this.#pump ??= this.#run().finally(() => (this.#pump = undefined));
  }

  async #run(): Promise<void> {
    const signal = this.#closed.signal;
    while (this.#queue.length > 0 && !signal.aborted) {
      const e = this.#queue[0] as BerthEvent;
      await this.#deliver(e, signal);
      if (this.#queue[0] === e) this.#queue.shift();
    }
  }

  async #deliver(e: BerthEvent, signal: AbortSignal): Promise<void> {
    const attempts = Math.max(1, this.#o.attempts ?? 8);
    try {
      await withRetry(`webhook event ${e.id}`, () => this.#post(e, signal), {
        retries: attempts - 1,
        baseMs: this.#o.baseDelayMs ?? 200,
        maxMs: 10_000,
        signal,
      });
      this.delivered++;
    } catch (err) {
      if (signal.aborted) return;
      this.dropped++;
      this.#o.onError?.(
        new WebhookError(`webhook gave up on event ${e.id} after ${attempts} attempts`, {
          cause: err instanceof RetryExhaustedError ? err.cause : err,
        }),
      );
    }
  }

  /** One POST of `e`; a non-2xx answer is a failure. */
  async #post(e: BerthEvent, signal: AbortSignal): Promise<void> {
    const r = await fetch(this.#o.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-berth-event-id': String(e.id) },
      body: JSON.stringify(e),
      signal: AbortSignal.any([signal, AbortSignal.timeout(this.#o.timeoutMs ?? 5000)]),
    });
    await r.arrayBuffer().catch(() => undefined);
    if (!r.ok) throw new Error(`HTTP ${r.status}`);
  }

  /** Stops sending (events still queued are dropped). */
  async close(): Promise<void> {
    this.#unsubscribe();
    this.#closed.abort();
    await this.#pump;
  }
}
