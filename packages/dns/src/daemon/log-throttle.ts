/**
 * LogThrottle: at most one log line per key per interval. The first event of a quiet key is
 * logged at once; the ones after it are only counted, and each interval's count comes out as
 * one line (`flush`, called often). So anyone able to send queries can make berth dns log at
 * most one line per recursor per interval, not one per query. Pure: the clock comes in.
 */

/** Events of one key that were counted instead of logged. */
export interface Suppressed {
  readonly key: string;
  /** How many events were not logged. */
  readonly count: number;
  /** The last one's message. */
  readonly last: string;
  /** The time they fell in, ms (about one interval). */
  readonly intervalMs: number;
}

interface Window {
  start: number;
  count: number;
  last: string;
}

/** One line per key per interval, with a count. */
export class LogThrottle {
  readonly intervalMs: number;
  readonly #windows = new Map<string, Window>();

  constructor(intervalMs: number) {
    this.intervalMs = intervalMs;
  }

  /** True when this event of `key` is to be logged now; false when it was only counted. */
  hit(key: string, message: string, now: number): boolean {
    const w = this.#windows.get(key);
    if (w) {
      w.count++;
      w.last = message;
      return false;
    }
    this.#windows.set(key, { start: now, count: 0, last: message });
    return true;
  }

  /**
   * The counts of keys whose interval is over, to log one line each; a key with a count
   * starts a new interval, a key without one is quiet again.
   */
  flush(now: number): Suppressed[] {
    const out: Suppressed[] = [];
    for (const [key, w] of this.#windows) {
      if (now - w.start < this.intervalMs) continue;
      if (w.count === 0) {
        this.#windows.delete(key);
        continue;
      }
      out.push({ key, count: w.count, last: w.last, intervalMs: now - w.start });
      w.start = now;
      w.count = 0;
    }
    return out;
  }
}
