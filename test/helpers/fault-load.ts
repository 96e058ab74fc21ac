// The client side of the fault suite (issue 15): a bounded loop of HTTP requests through every
// simulated host's router and SRV lookups on every host's dns, recording each outcome with
// its time, so each fault's window can be read back (failed requests, failed lookups).
//
// It must never talk to anything but loopback, and it stops by itself: at stop(), after
// `maxMs`, or after `maxRequests` requests, whichever comes first.
import { Resolver } from 'node:dns/promises';

/** One request or lookup. */
export interface Outcome {
  /** When it ended (a request cut by a fault counts in the fault's window). */
  readonly at: number;
  readonly kind: 'http' | 'dns';
  /** The router or dns it went to. */
  readonly target: string;
  readonly ok: boolean;
  /** The answering container (HTTP), the record count (DNS), or why it failed. */
  readonly detail: string;
}

/** Counts over a window. */
export interface LoadWindow {
  readonly http: number;
  readonly httpFailed: number;
  readonly dns: number;
  readonly dnsFailed: number;
  /** A few failures, as `target: detail`, to tell what broke. */
  readonly examples: readonly string[];
  /** Failed requests per router. */
  readonly failedByTarget: Readonly<Record<string, number>>;
}

export interface ClientLoadOptions {
  /** Router base URLs (`http://127.0.0.2:9999`); each gets a request every `httpEveryMs`. */
  readonly routers: readonly string[];
  /** DNS servers (`127.0.0.2:8600`); each gets a lookup every `dnsEveryMs`. */
  readonly dns: readonly string[];
  readonly path?: string;
  readonly name?: string;
  readonly httpEveryMs?: number;
  readonly dnsEveryMs?: number;
  readonly maxMs?: number;
  readonly maxRequests?: number;
}

/** A running client loop. */
export class ClientLoad {
  readonly outcomes: Outcome[] = [];
  readonly #o: Required<ClientLoadOptions>;
  #timers: NodeJS.Timeout[] = [];
  #busy = new Set<string>();
  #requests = 0;
  #stopAt = 0;

  constructor(options: ClientLoadOptions) {
    this.#o = {
      path: '/hello',
      name: 'hello.service.consul',
      httpEveryMs: 50,
      dnsEveryMs: 500,
      maxMs: 15 * 60_000,
      maxRequests: 100_000,
      ...options,
    };
  }

  /** Requests per second the loop aims at (HTTP, all routers together). */
  get httpRate(): number {
    return (this.#o.routers.length * 1000) / this.#o.httpEveryMs;
  }

  start(): void {
    this.#stopAt = Date.now() + this.#o.maxMs;
    for (const router of this.#o.routers) {
      this.#timers.push(setInterval(() => void this.#http(router), this.#o.httpEveryMs));
    }
    for (const server of this.#o.dns) {
      const resolver = new Resolver({ timeout: 1000, tries: 1 });
      resolver.setServers([server]);
      this.#timers.push(setInterval(() => void this.#dns(server, resolver), this.#o.dnsEveryMs));
    }
  }

  stop(): void {
    for (const t of this.#timers) clearInterval(t);
    this.#timers = [];
  }

  /** Whether a request may go now (bounds); stops the loop once a bound is reached. */
  #allowed(key: string): boolean {
    if (Date.now() > this.#stopAt || this.#requests >= this.#o.maxRequests) {
      this.stop();
      return false;
    }
    // One request in flight per target: a stalled target must not pile up requests.
    if (this.#busy.has(key)) return false;
    this.#busy.add(key);
    this.#requests++;
    return true;
  }

  async #http(router: string): Promise<void> {
    const key = `http ${router}`;
    if (!this.#allowed(key)) return;
    try {
      const res = await fetch(`${router}${this.#o.path}`, { signal: AbortSignal.timeout(3000) });
      await res.arrayBuffer();
      const host = res.headers.get('x-berth-hostname') ?? '';
      const ok = res.status === 200 && host !== '';
      this.outcomes.push({
        at: Date.now(),
        kind: 'http',
        target: router,
        ok,
        detail: ok ? host : `status ${res.status}`,
      });
    } catch (err) {
      const e = err as { cause?: { code?: string }; name?: string; message?: string };
      this.outcomes.push({
        at: Date.now(),
        kind: 'http',
        target: router,
        ok: false,
        detail: e.cause?.code ?? e.name ?? String(e.message),
      });
    } finally {
      this.#busy.delete(key);
    }
  }

  async #dns(server: string, resolver: Resolver): Promise<void> {
    const key = `dns ${server}`;
    if (!this.#allowed(key)) return;
    try {
      const records = await resolver.resolveSrv(this.#o.name);
      this.outcomes.push({
        at: Date.now(),
        kind: 'dns',
        target: server,
        ok: records.length > 0,
        detail: String(records.length),
      });
    } catch (err) {
      this.outcomes.push({
        at: Date.now(),
        kind: 'dns',
        target: server,
        ok: false,
        detail: (err as { code?: string }).code ?? String(err),
      });
    } finally {
      this.#busy.delete(key);
    }
  }

  /** What happened between `from` and `to` (ms timestamps). */
  window(from: number, to = Date.now()): LoadWindow {
    let http = 0;
    let httpFailed = 0;
    let dns = 0;
    let dnsFailed = 0;
    const examples: string[] = [];
    const failedByTarget: Record<string, number> = {};
    for (const o of this.outcomes) {
      if (o.at < from || o.at > to) continue;
      if (o.kind === 'http') {
        http++;
        if (!o.ok) {
          httpFailed++;
          failedByTarget[o.target] = (failedByTarget[o.target] ?? 0) + 1;
        }
      } else {
        dns++;
        if (!o.ok) dnsFailed++;
      }
      if (!o.ok && examples.length < 5) examples.push(`${o.target}: ${o.detail}`);
    }
    return { http, httpFailed, dns, dnsFailed, examples, failedByTarget };
  }
}
