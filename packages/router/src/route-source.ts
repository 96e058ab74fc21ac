/**
 * The narrow interface between the router and whatever tells it about services: catalog
 * snapshots, the manual route text from KV, and whether the catalog is reachable. Plus an
 * in-memory source for tests. This module must never talk to Consul.
 */
import type { RouteSnapshot } from './snapshot-routes.js';

/** What a source reports to the router. */
export interface RouteSourceSink {
  /** A new full view of the catalog. */
  snapshot(snapshot: RouteSnapshot): void;
  /** The manual overrides (route language) changed; '' when none. */
  manual(text: string): void;
  /** The source lost the catalog at `since`; the last snapshot stays in use. */
  stale(since: number, error: Error): void;
  /** The source is in sync again. */
  fresh(): void;
}

/** Where routes come from. */
export interface RouteSource {
  start(sink: RouteSourceSink): void;
  close(): Promise<void>;
}

/** A source driven by hand, for tests and embedding. */
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
