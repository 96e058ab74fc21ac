/**
 * A leader lock on one KV key with a Consul session (Consul's election recipe): session with
 * TTL, `?acquire=`, renew every TTL/2, followers follow the key with a blocking GET and retry
 * when it is free (lock-delay makes early retries fail), prompt notice when the lock is lost.
 * Must never report the lock held after it could have been lost: when in doubt, it gives up.
 */
import { EventEmitter } from 'node:events';
import { type BackoffOptions, backoffDelay, sleep } from '@berth/daemon';
import type { ConsulClient, KvReadEntry } from './adapters/client.js';
import {
  ConsulAbortedError,
  ConsulHttpError,
  ConsulOptionError,
  LockError,
  type LockErrorCode,
} from './errors.js';

/** Options of LeaderLock. */
export interface LeaderLockOptions {
  /** The KV key that is the lock, e.g. `berth/scheduler/leader`. */
  key: string;
  /** Value written when acquiring (e.g. this replica's address). Default ''. */
  value?: string;
  /** Session name. Default `berth-lock <key>`. */
  name?: string;
  /** Session TTL in ms, 10 s .. 24 h (default 15000). Renewed every TTL/2. */
  ttlMs?: number;
  /** Consul lock-delay in ms after an invalidation (default 15000, Consul's). */
  lockDelayMs?: number;
  /** Give the lock up when no renew succeeded for this long (default ttlMs). */
  lostAfterMs?: number;
  /** Blocking wait of the key watch in ms (default 60000). */
  waitMs?: number;
  backoff?: BackoffOptions;
}

/** Events: `acquired` (session ID), `lost` (LockError with the reason code), `failure` (a failed request). */
export interface LeaderLockEvents {
  acquired: [{ session: string }];
  lost: [LockError];
  failure: [{ error: Error; during: 'renew' | 'watch' | 'acquire' }];
  released: [];
}

/**
 * One contender for a lock. `acquire()` resolves when it holds the lock and returns an
 * AbortSignal that aborts (reason: a LockError) the moment the lock is lost or released.
 */
export class LeaderLock extends EventEmitter<LeaderLockEvents> {
  readonly key: string;
  readonly #c: ConsulClient;
  readonly #o: Required<Omit<LeaderLockOptions, 'backoff'>> & { backoff?: BackoffOptions };
  #session: string | undefined;
  #hold: AbortController | undefined;
  #renewLoop: AbortController | undefined;
  #lastRenew = 0;
  #closed = false;

  constructor(consul: ConsulClient, options: LeaderLockOptions) {
    super();
    if (!options.key || options.key.startsWith('/')) {
      throw new ConsulOptionError(
        `key: must be a non-empty KV key without a leading '/', got ${JSON.stringify(options.key)}`,
      );
    }
    const ttlMs = options.ttlMs ?? 15_000;
    if (!(ttlMs >= 10_000 && ttlMs <= 86_400_000)) {
      throw new ConsulOptionError(`ttlMs: Consul session TTLs are 10s..24h, got ${ttlMs}`);
    }
    const lockDelayMs = options.lockDelayMs ?? 15_000;
    if (!(lockDelayMs >= 0))
      throw new ConsulOptionError(`lockDelayMs: must be ≥0, got ${lockDelayMs}`);
    const lostAfterMs = options.lostAfterMs ?? ttlMs;
    if (!(lostAfterMs > 0))
      throw new ConsulOptionError(`lostAfterMs: must be >0, got ${lostAfterMs}`);
    this.key = options.key;
    this.#c = consul;
    this.#o = {
      key: options.key,
      value: options.value ?? '',
      name: options.name ?? `berth-lock ${options.key}`,
      ttlMs,
      lockDelayMs,
      lostAfterMs,
      waitMs: options.waitMs ?? 60_000,
      ...(options.backoff ? { backoff: options.backoff } : {}),
    };
  }

  /** True while this contender holds the lock. */
  get held(): boolean {
    return this.#hold !== undefined && !this.#hold.signal.aborted;
  }

  /** The session ID in use, if any. */
  get session(): string | undefined {
    return this.#session;
  }

  /**
   * Wait until the lock is ours. Follows the key with blocking GETs while another session
   * holds it, and retries through lock-delay. Rejects with ConsulAbortedError when `signal`
   * aborts or close() is called. Returns the hold signal (see class doc).
   */
  async acquire(signal?: AbortSignal): Promise<AbortSignal> {
    if (this.#hold && !this.#hold.signal.aborted) return this.#hold.signal;
    let attempt = 0;
    let index = 0n;
    for (;;) {
      if (this.#closed || signal?.aborted) throw new ConsulAbortedError('lock acquire aborted');
      try {
        if (await this.tryAcquire()) return (this.#hold as AbortController).signal;
        // Taken, or free but inside lock-delay: follow the key until its session goes.
        const r = await this.#c.kvRead(this.key, false, {
          index,
          waitMs: this.#o.waitMs,
          signal,
        });
        attempt = 0;
        const entry = r.body as KvReadEntry | undefined;
        const nextIndex = r.index ?? 0n;
        if (!entry?.Session) {
          // Free: acquire failed only because of lock-delay (or a race); retry soon.
          await sleep(Math.min(250, Math.max(10, this.#o.lockDelayMs / 10)), signal);
          index = 0n;
        } else {
          index = nextIndex < index ? 0n : nextIndex;
        }
      } catch (e) {
        if (e instanceof ConsulAbortedError || signal?.aborted || this.#closed) {
          throw new ConsulAbortedError('lock acquire aborted');
        }
        const error = e instanceof Error ? e : new Error(String(e));
        // Our session may have been invalidated while we waited: start a new one.
        if (e instanceof ConsulHttpError && e.status === 500) this.#dropSession();
        attempt++;
        index = 0n;
        this.emit('failure', { error, during: 'acquire' });
        await sleep(backoffDelay(attempt, this.#o.backoff), signal);
      }
    }
  }

  /** One acquire attempt; true when the lock is now held. */
  async tryAcquire(): Promise<boolean> {
    if (this.held) return true;
    const session = await this.#ensureSession();
    const ok = await this.#c.kvPut(this.key, this.#o.value, { acquire: session });
    if (!ok) return false;
    const hold = new AbortController();
    this.#hold = hold;
    this.#lastRenew = Date.now(); // a successful acquire proves the session alive
    this.emit('acquired', { session });
    void this.#watchKey(session, hold);
    return true;
  }

  /** Give the lock up (`?release=`) and destroy the session. Safe to call when not held. */
  async release(): Promise<void> {
    const session = this.#session;
    const wasHeld = this.held;
    this.#endHold('LOCK_RELEASED', 'lock released');
    this.#dropSession();
    if (!session) return;
    try {
      if (wasHeld) await this.#c.kvPut(this.key, this.#o.value, { release: session });
    } finally {
      await this.#c.sessionDestroy(session);
      this.emit('released');
    }
  }

  /** release() and refuse further acquires. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.release();
  }

  async #ensureSession(): Promise<string> {
    if (this.#session) return this.#session;
    const id = await this.#c.sessionCreate({
      Name: this.#o.name,
      TTL: `${Math.ceil(this.#o.ttlMs / 1000)}s`,
      LockDelay: `${Math.round(this.#o.lockDelayMs)}ms`,
      Behavior: 'release',
    });
    this.#session = id;
    this.#lastRenew = Date.now();
    const loop = new AbortController();
    this.#renewLoop = loop;
    void this.#renew(id, loop.signal);
    return id;
  }

  #dropSession(): void {
    this.#renewLoop?.abort();
    this.#renewLoop = undefined;
    this.#session = undefined;
  }

  #endHold(code: LockErrorCode, message: string, cause?: unknown): LockError | undefined {
    const hold = this.#hold;
    if (!hold || hold.signal.aborted) return undefined;
    const err = new LockError(code, `${this.key}: ${message}`, cause ? { cause } : undefined);
    this.#hold = undefined;
    hold.abort(err);
    return err;
  }

  #lose(code: LockErrorCode, message: string, cause?: unknown): void {
    const err = this.#endHold(code, message, cause);
    if (err) this.emit('lost', err);
  }

  async #renew(session: string, signal: AbortSignal): Promise<void> {
    let intervalMs = this.#o.ttlMs / 2;
    let failed = false;
    while (!signal.aborted) {
      // After a failure, retry quickly so a short blip does not cost the lock.
      await sleep(failed ? Math.min(1000, intervalMs) : intervalMs, signal);
      if (signal.aborted) return;
      try {
        const s = await this.#c.sessionRenew(session, signal);
        if (!s) {
          this.#lose('LOCK_SESSION_INVALIDATED', 'session expired or was destroyed (renew: 404)');
          if (this.#session === session) this.#dropSession();
          return;
        }
        failed = false;
        this.#lastRenew = Date.now();
        const ttl = parseTtlMs(s.TTL);
        // Consul may raise the TTL; renewing more often than needed is harmless, less is not.
        if (ttl !== undefined && ttl > this.#o.ttlMs) intervalMs = ttl / 2;
      } catch (e) {
        if (signal.aborted) return;
        failed = true;
        const error = e instanceof Error ? e : new Error(String(e));
        this.emit('failure', { error, during: 'renew' });
        if (Date.now() - this.#lastRenew >= this.#o.lostAfterMs) {
          this.#lose(
            'LOCK_CONSUL_UNREACHABLE',
            `no successful renew for ${this.#o.lostAfterMs} ms`,
            e,
          );
        }
      }
    }
  }

  async #watchKey(session: string, hold: AbortController): Promise<void> {
    let index = 0n;
    let attempt = 0;
    while (!hold.signal.aborted) {
      try {
        const r = await this.#c.kvRead(this.key, false, {
          index,
          waitMs: this.#o.waitMs,
          signal: hold.signal,
        });
        attempt = 0;
        const entry = r.body as KvReadEntry | undefined;
        if (!entry) return this.#lose('LOCK_KEY_TAKEN', 'lock key was deleted');
        if (entry.Session !== session) {
          return entry.Session
            ? this.#lose('LOCK_KEY_TAKEN', `lock key is held by session ${entry.Session}`)
            : this.#lose('LOCK_SESSION_INVALIDATED', 'lock key was released (session invalidated)');
        }
        // The key is still ours: the session was alive at this index.
        this.#lastRenew = Date.now();
        const next = r.index ?? 0n;
        index = next < index ? 0n : next;
      } catch (e) {
        if (hold.signal.aborted) return;
        attempt++;
        const error = e instanceof Error ? e : new Error(String(e));
        this.emit('failure', { error, during: 'watch' });
        if (Date.now() - this.#lastRenew >= this.#o.lostAfterMs) {
          return this.#lose(
            'LOCK_CONSUL_UNREACHABLE',
            `Consul unreachable for ${this.#o.lostAfterMs} ms`,
            e,
          );
        }
        index = 0n;
        await sleep(backoffDelay(attempt, this.#o.backoff), hold.signal);
      }
    }
  }
}

/** Parse Consul's session TTL text ('15s', '1m0s', '') to ms. */
export function parseTtlMs(ttl: string | undefined): number | undefined {
  if (!ttl) return undefined;
  let total = 0;
  let rest = ttl;
  const units: Record<string, number> = {
    h: 3_600_000,
    m: 60_000,
    s: 1000,
    ms: 1,
    us: 0.001,
    ns: 1e-6,
  };
  while (rest) {
    const m = /^(\d+(?:\.\d+)?)(ms|us|ns|h|m|s)/.exec(rest);
    if (!m) return undefined;
    total += Number(m[1]) * (units[m[2] as string] ?? 0);
    rest = rest.slice(m[0].length);
  }
  return total;
}
