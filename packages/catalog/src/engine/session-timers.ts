/**
 * Session TTL timers: a session with a TTL is destroyed when it is not renewed within TTL ×
 * multiplier (Consul's SessionTTLMultiplier, 2). Timers are unref'd and never keep the process
 * alive; the expiry itself is an ordinary `session-destroy` write.
 */
import { parseGoDuration } from '../core/go-duration.js';
import type { Op, SessionRec } from '../core/types.js';

export class SessionTimers {
  readonly #timers = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly multiplier: number,
    private readonly write: (op: Op) => Promise<unknown>,
    private readonly warn: (message: string) => void,
  ) {}

  /** (Re)starts the timer of `s` (no timer without a TTL). */
  arm(s: SessionRec): void {
    this.disarm(s.id);
    const ttlNs = s.ttl === '' ? 0 : (parseGoDuration(s.ttl) ?? 0);
    if (ttlNs <= 0) return;
    const timer = setTimeout(
      () => {
        this.#timers.delete(s.id);
        this.write({ t: 'session-destroy', id: s.id }).catch((err: Error) =>
          this.warn(`session ${s.id} expiry failed: ${err.message}`),
        );
      },
      (ttlNs * this.multiplier) / 1e6,
    );
    timer.unref();
    this.#timers.set(s.id, timer);
  }

  disarm(id: string): void {
    const t = this.#timers.get(id);
    if (t) clearTimeout(t);
    this.#timers.delete(id);
  }

  close(): void {
    for (const id of [...this.#timers.keys()]) this.disarm(id);
  }
}
