/**
 * Prepared query lookups (`NAME.query[.<dc>].<domain>`) for the engine: executes the query
 * through a QueryExecutor, caches each name's compiled answers for at most their TTL (an
 * answer with TTL 0 for `zeroTtlMs`, an unknown query for `negativeMs`), at most
 * `maxEntries` names (least recently used out first), joins concurrent lookups of one name
 * into one call, and keeps at most `maxInFlight` calls open. A failure is never cached and
 * never answered from an older result: SERVFAIL. Must never answer from an entry past its
 * expiry, nor block a query on anything but its own name's call.
 */
import type { DnsTable, WireName } from './core/compile-table.js';
import type { Query } from './core/parse-query.js';
import { compileQueryAnswer, queryTtlSeconds } from './core/query-answer.js';
import { parseQueryName, type QueryName } from './core/query-name.js';
import { answerName, type Chase } from './core/resolve.js';
import { writeEmpty, writeNegative } from './core/respond.js';
import { fragmentContext } from './core/fragment-builder.js';
import type { ZoneOptions } from './core/zone-options.js';
import { CLASS_ANY, CLASS_IN, RCODE, TYPE } from './core/wire.js';
import type { QueryExecutor } from './adapters/prepared-query-client.js';
import { DnsQueryError } from './errors.js';

/** Bounds of the cache and of the calls. */
export interface QueryLookupSettings {
  /** Most names cached (answers and unknown queries alike); 0: nothing is cached. */
  readonly maxEntries: number;
  /** Most execute calls open at once; past it lookups get SERVFAIL. */
  readonly maxInFlight: number;
  /** How long an answer whose TTL is 0 is reused, ms. */
  readonly zeroTtlMs: number;
  /** How long "no such query" is reused, ms. */
  readonly negativeMs: number;
}

/** Counters of the lookups (read by /metrics and tests). */
export interface QueryLookupStats {
  /** Names cached now. */
  readonly entries: number;
  /** Execute calls open now. */
  readonly inFlight: number;
  /** Lookups waiting on a call another lookup of the same name started. */
  readonly waiting: number;
  readonly executes: number;
  readonly notFound: number;
  readonly failures: number;
  readonly hits: number;
  readonly coalesced: number;
  readonly overload: number;
}

/** A cached result: compiled answers, or undefined for a query the catalog does not know. */
interface Cached {
  readonly expires: number;
  readonly entry: WireName | undefined;
}

const NOAUTH = { aa: false, ra: false };
const NOAUTH_RA = { aa: false, ra: true };
const AUTH = { aa: true, ra: false };
const AUTH_RA = { aa: true, ra: true };

export class QueryLookup {
  readonly #executor: QueryExecutor;
  readonly #zone: ZoneOptions;
  readonly #settings: QueryLookupSettings;
  readonly #now: () => number;
  readonly #onError: (e: DnsQueryError) => void;
  readonly #cache = new Map<string, Cached>();
  readonly #inFlight = new Map<string, Promise<Cached | undefined>>();
  readonly #abort = new AbortController();
  #waiting = 0;
  #executes = 0;
  #notFound = 0;
  #failures = 0;
  #hits = 0;
  #coalesced = 0;
  #overload = 0;

  constructor(
    executor: QueryExecutor,
    zone: ZoneOptions,
    settings: QueryLookupSettings,
    onError: (e: DnsQueryError) => void = () => undefined,
    now: () => number = () => performance.now(),
  ) {
    this.#onError = onError;
    this.#executor = executor;
    this.#zone = zone;
    this.#settings = settings;
    this.#now = now;
  }

  get stats(): QueryLookupStats {
    return {
      entries: this.#cache.size,
      inFlight: this.#inFlight.size,
      waiting: this.#waiting,
      executes: this.#executes,
      notFound: this.#notFound,
      failures: this.#failures,
      hits: this.#hits,
      coalesced: this.#coalesced,
      overload: this.#overload,
    };
  }

  /** The query name `q` asks for when it is one this lookup answers, else undefined. */
  match(q: Query): QueryName | undefined {
    if (q.oddLabel || q.ednsVersion > 0 || q.qtype === TYPE.OPT) return undefined;
    if (q.qtype === TYPE.AXFR || q.qtype === TYPE.IXFR) return undefined;
    if (q.qclass !== CLASS_IN && q.qclass !== CLASS_ANY) return undefined;
    if (!q.name.includes('query.')) return undefined;
    return parseQueryName(q.name, this.#zone.domains);
  }

  /** The reply to `q`, which asks for `qn`: at once from the cache, or after one call. */
  reply(
    table: DnsTable,
    qn: QueryName,
    q: Query,
    msg: Buffer,
    limit: number,
    forwarding: boolean,
  ): Buffer | Chase | Promise<Buffer | Chase> {
    const dc = table.datacenter.toLowerCase();
    const write = (c: Cached | undefined, msg: Buffer): Buffer | Chase => {
      if (c === undefined)
        return writeEmpty(msg, q, forwarding ? NOAUTH_RA : NOAUTH, RCODE.SERVFAIL);
      if (c.entry) return answerName(table, c.entry, q, msg, limit, forwarding);
      const flags = forwarding ? AUTH_RA : AUTH;
      return writeNegative(msg, q, table, qn.domain, flags, RCODE.NXDOMAIN);
    };
    // One datacenter: another one has no queries (nor services), as the table answers.
    if (qn.dc !== '' && qn.dc !== dc) return write({ expires: 0, entry: undefined }, msg);
    const key = `${qn.domain}:${qn.query}`;
    const hit = this.#cache.get(key);
    if (hit !== undefined) {
      this.#cache.delete(key);
      if (hit.expires > this.#now()) {
        this.#hits++;
        this.#cache.set(key, hit);
        return write(hit, msg);
      }
    }
    let call = this.#inFlight.get(key);
    if (call) this.#coalesced++;
    else {
      if (this.#inFlight.size >= this.#settings.maxInFlight) {
        this.#overload++;
        return write(undefined, msg);
      }
      call = this.#execute(key, qn, fragmentContext(this.#zone, table.datacenter).dcPart);
    }
    // The listener may reuse `msg` once this returns: the reply is written from a copy.
    const copy = Buffer.from(msg);
    this.#waiting++;
    return call.then((c) => {
      this.#waiting--;
      return write(c, copy);
    });
  }

  async #execute(key: string, qn: QueryName, dcPart: string): Promise<Cached | undefined> {
    const done = this.#run(qn, dcPart);
    this.#inFlight.set(key, done);
    try {
      const c = await done;
      if (c !== undefined && !this.#abort.signal.aborted) {
        this.#cache.set(key, c);
        for (const old of this.#cache.keys()) {
          if (this.#cache.size <= this.#settings.maxEntries) break;
          this.#cache.delete(old);
        }
      }
      return c;
    } finally {
      this.#inFlight.delete(key);
    }
  }

  async #run(qn: QueryName, dcPart: string): Promise<Cached | undefined> {
    this.#executes++;
    // Expiry counts from before the call: the answer is never older than its TTL.
    const started = this.#now();
    let e;
    try {
      e = await this.#executor.execute(qn.query, this.#abort.signal);
    } catch (err) {
      this.#failures++;
      if (!this.#abort.signal.aborted) {
        this.#onError(
          err instanceof DnsQueryError ? err : new DnsQueryError(String(err), { cause: err }),
        );
      }
      return undefined;
    }
    const now = started;
    if (e === undefined) {
      this.#notFound++;
      return { expires: now + this.#settings.negativeMs, entry: undefined };
    }
    const ttl = queryTtlSeconds(e, this.#zone);
    const entry = compileQueryAnswer(e, this.#zone, qn.domain, dcPart, ttl);
    return { expires: now + (ttl > 0 ? ttl * 1000 : this.#settings.zeroTtlMs), entry };
  }

  /** Ends every open call (their lookups get SERVFAIL) and drops the cache. */
  close(): void {
    this.#abort.abort();
    this.#cache.clear();
  }
}
