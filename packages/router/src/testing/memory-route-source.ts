/**
 * A route source driven by hand, for tests, benchmarks and embedding: snapshots and manual
 * route text are pushed in, catalog loss and recovery reported on demand. It must never talk
 * to Consul.
 */
import type { RouteSource, RouteSourceSink } from '../core/route-source.js';
import type { RouteSnapshot } from '../core/snapshot-routes.js';

/** A source driven by hand. */
export class MemoryRouteSource implements RouteSource {
  #sink: RouteSourceSink | undefined;
  #snapshot: RouteSnapshot | undefined;
  #manual = '';

  constructor(snapshot?: RouteSnapshot, manual = '') {
    this.#snapshot = snapshot;
    this.#manual = manual;
  }

  start(sink: RouteSourceSink): void {
    this.#sink = sink;
    if (this.#manual !== '') sink.manual(this.#manual);
    if (this.#snapshot !== undefined) sink.snapshot(this.#snapshot);
  }

  /** Publishes a new snapshot. */
  setSnapshot(snapshot: RouteSnapshot): void {
    this.#snapshot = snapshot;
    this.#sink?.snapshot(snapshot);
  }

  /** Publishes new manual route text. */
  setManual(text: string): void {
    this.#manual = text;
    this.#sink?.manual(text);
  }

  /** Reports the catalog lost since `since`. */
  fail(error: Error, since = Date.now()): void {
    this.#sink?.stale(since, error);
  }

  /** Reports the catalog back. */
  recover(): void {
    this.#sink?.fresh();
  }

  async close(): Promise<void> {
    this.#sink = undefined;
  }
}
