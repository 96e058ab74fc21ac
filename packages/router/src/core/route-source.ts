/**
 * The narrow interface between the router and whatever tells it about services: catalog
 * snapshots, the manual route text from KV, and whether the catalog is reachable. Types
 * only; the Consul source is in adapters/, an in-memory one in testing/.
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
