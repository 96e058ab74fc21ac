/**
 * The scheduler's outgoing event stream: task state changes and service events, numbered in
 * order, fanned out to subscribers (the `/v1/events` Server-Sent Events stream, the webhook)
 * and kept in a small ring so a reconnecting client can resume with `Last-Event-ID`.
 * In-memory only; must never block a publisher (subscribers are called synchronously and
 * must queue their own I/O).
 */

/** One event as the stream and the webhook carry it. */
export interface BerthEvent {
  /** Increasing per scheduler process. */
  readonly id: number;
  /** Epoch milliseconds. */
  readonly time: number;
  /** `TaskStateChange` or `ServiceEvent` (or `DeploymentStateChange`). */
  readonly type: string;
  readonly detail: Readonly<Record<string, unknown>>;
}

/** Fan-out of events with a bounded replay buffer. */
export class EventHub {
  readonly #subs = new Set<(e: BerthEvent) => void>();
  readonly #ring: BerthEvent[] = [];
  readonly #keep: number;
  #next = 1;

  constructor(keep = 1000) {
    this.#keep = keep;
  }

  /** Publishes one event to every subscriber. */
  publish(type: string, detail: Readonly<Record<string, unknown>>, time = Date.now()): BerthEvent {
    const e: BerthEvent = { id: this.#next++, time, type, detail };
    this.#ring.push(e);
    if (this.#ring.length > this.#keep) this.#ring.shift();
    for (const fn of this.#subs) fn(e);
    return e;
  }

  /** Subscribes; returns the unsubscribe function. */
  subscribe(fn: (e: BerthEvent) => void): () => void {
    this.#subs.add(fn);
    return () => this.#subs.delete(fn);
  }

  /** Buffered events with an id above `afterId`. */
  since(afterId: number): BerthEvent[] {
    return this.#ring.filter((e) => e.id > afterId);
  }

  get subscribers(): number {
    return this.#subs.size;
  }
}
