/**
 * Which recursors a forward may try now. A recursor that failed `failuresBeforeSkip` times in
 * a row is skipped for a growing, jittered time (the shared backoff of @berth/daemon); when
 * that time is over, one query probes it (the others keep skipping it) and a success lets it
 * back. Pure: the clock and the random source come in; it never touches a socket.
 */
import { backoffDelay, type BackoffOptions } from '@berth/daemon';

/** Settings of RecursorHealth. */
export interface RecursorHealthOptions {
  /** Failures in a row before a recursor is skipped (default 3). */
  readonly failuresBeforeSkip?: number;
  /** How long it is skipped: attempt n is the n-th skip in a row (default 1 s doubling to 30 s). */
  readonly backoff?: BackoffOptions;
  readonly random?: () => number;
}

/** The state of one recursor, as shown in logs and tests. */
export interface RecursorState {
  /** Failures in a row. */
  readonly failures: number;
  /** Skips in a row (each one longer). */
  readonly skips: number;
  /** Skipped until this time (ms); 0 when not skipped. */
  readonly skipUntil: number;
  /** A probe query is in flight. */
  readonly probing: boolean;
}

interface Mutable {
  failures: number;
  skips: number;
  skipUntil: number;
  probing: boolean;
}

const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 1000, maxMs: 30_000, jitter: 'equal' };

/** Health of a list of recursors, by index. */
export class RecursorHealth {
  readonly #states: Mutable[];
  readonly #threshold: number;
  readonly #backoff: BackoffOptions;
  readonly #random: () => number;

  constructor(count: number, options: RecursorHealthOptions = {}) {
    this.#states = Array.from({ length: count }, () => ({
      failures: 0,
      skips: 0,
      skipUntil: 0,
      probing: false,
    }));
    this.#threshold = Math.max(1, options.failuresBeforeSkip ?? 3);
    this.#backoff = options.backoff ?? DEFAULT_BACKOFF;
    this.#random = options.random ?? Math.random;
  }

  /**
   * Whether recursor `i` may be tried now. When its skip is over this claims the one probe:
   * the caller must then report `succeeded` or `failed` (or `release` if it did not try).
   */
  claim(i: number, now: number): boolean {
    const s = this.#states[i];
    if (!s) return false;
    if (s.failures < this.#threshold) return true;
    if (s.probing || now < s.skipUntil) return false;
    s.probing = true;
    return true;
  }

  /** Recursor `i` gave a usable reply: it is healthy again. */
  succeeded(i: number): void {
    const s = this.#states[i];
    if (!s) return;
    s.failures = 0;
    s.skips = 0;
    s.skipUntil = 0;
    s.probing = false;
  }

  /**
   * Recursor `i` failed (timeout, refused, error, garbage). Returns the skip that starts now
   * in ms, or 0. Failures of queries sent before a skip began do not lengthen it.
   */
  failed(i: number, now: number): number {
    const s = this.#states[i];
    if (!s) return 0;
    s.failures++;
    s.probing = false;
    if (s.failures < this.#threshold || now < s.skipUntil) return 0;
    s.skips++;
    const ms = backoffDelay(s.skips, this.#backoff, this.#random);
    s.skipUntil = now + ms;
    return ms;
  }

  /** A claimed probe was not tried after all. */
  release(i: number): void {
    const s = this.#states[i];
    if (s) s.probing = false;
  }

  /** The state of recursor `i`. */
  state(i: number): RecursorState | undefined {
    const s = this.#states[i];
    return s && { ...s };
  }
}
