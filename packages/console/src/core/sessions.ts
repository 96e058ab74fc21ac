/**
 * Server-side sessions of signed-in people: an opaque id (the HttpOnly cookie) mapped to the
 * person's key pair, a CSRF token and the time of their last request; a session unused for
 * `idleMs` is gone. The key pair never leaves the server. Time and randomness are passed in so
 * this stays testable; it must never do I/O. Every way a session leaves (sign-out, eviction,
 * idle expiry) reports it to `onRemove`, so what the engine holds per session goes with it.
 */
/** The key pair a person signed in with. */
export interface KeyPair {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

export interface Session {
  readonly id: string;
  readonly csrfToken: string;
  readonly credentials: KeyPair;
  readonly createdAt: number;
  lastSeen: number;
}

/** Compares two strings in time independent of where they differ. */
export function sameText(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

export class SessionStore {
  readonly #sessions = new Map<string, Session>();

  constructor(
    readonly idleMs: number,
    readonly maxSessions: number,
    readonly randomToken: () => string,
    readonly onRemove: (id: string) => void = () => {},
  ) {}

  #remove(id: string): void {
    if (this.#sessions.delete(id)) this.onRemove(id);
  }

  /** A new session; the oldest idle one makes room when the store is full. */
  create(credentials: KeyPair, now: number): Session {
    this.sweep(now);
    if (this.#sessions.size >= this.maxSessions) {
      const oldest = [...this.#sessions.values()].sort((a, b) => a.lastSeen - b.lastSeen)[0];
      if (oldest) this.#remove(oldest.id);
    }
    const s: Session = {
      id: this.randomToken(),
      csrfToken: this.randomToken(),
      credentials,
      createdAt: now,
      lastSeen: now,
    };
    this.#sessions.set(s.id, s);
    return s;
  }

  /** The live session with this id; `touch` counts the request as activity. */
  get(id: string | undefined, now: number, touch = true): Session | undefined {
    if (!id) return undefined;
    const s = this.#sessions.get(id);
    if (!s) return undefined;
    if (now - s.lastSeen > this.idleMs) {
      this.#remove(id);
      return undefined;
    }
    if (touch) s.lastSeen = now;
    return s;
  }

  /** Whether the request's CSRF token is the session's. */
  checkCsrf(s: Session, token: string | undefined): boolean {
    return typeof token === 'string' && sameText(token, s.csrfToken);
  }

  delete(id: string): void {
    this.#remove(id);
  }

  /** Drops idle sessions; returns their ids. */
  sweep(now: number): string[] {
    const gone: string[] = [];
    for (const s of this.#sessions.values()) {
      if (now - s.lastSeen > this.idleMs) gone.push(s.id);
    }
    for (const id of gone) this.#remove(id);
    return gone;
  }

  /** The most recently used session, if any (for the background sampler without its own keys). */
  latest(now: number): Session | undefined {
    this.sweep(now);
    return [...this.#sessions.values()].sort((a, b) => b.lastSeen - a.lastSeen)[0];
  }

  get size(): number {
    return this.#sessions.size;
  }
}
