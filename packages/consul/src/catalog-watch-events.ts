/**
 * What a CatalogWatch (catalog-watch.ts) emits and counts: the events with their payloads and
 * the request counters. Types only.
 */
import type { CatalogSnapshot } from './core/snapshot.js';
import type { LinesDiff } from './core/snapshot-lines.js';
import type { WatchFailure } from './watch.js';

/** Payload of the `stale` event. */
export interface StaleInfo {
  readonly since: number;
  readonly error: Error;
}

/** Payload of the `fresh` event (the watch is in sync again). */
export interface FreshInfo {
  readonly staleSince: number;
  readonly staleForMs: number;
}

/** Payload of the `resync` event. */
export interface ResyncInfo {
  readonly reason: 'start' | 'unexplained-change' | 'recovered' | 'periodic' | 'retry';
  readonly nodes: number;
}

/** Counters of the requests the watch made besides its two long-polls. */
export interface CatalogWatchStats {
  /** /v1/health/service/:name fetches of changed services. */
  serviceFetches: number;
  /** Full per-node resyncs. */
  resyncs: number;
  /** /v1/catalog/node/:node fetches (during resyncs). */
  nodeFetches: number;
  /** /v1/catalog/nodes fetches. */
  nodeListFetches: number;
  /** Non-blocking /v1/health/state/any fetches (after each resync). */
  checkListFetches: number;
  /** Snapshots emitted. */
  snapshots: number;
  /** Rounds whose result equalled the current snapshot (no event). */
  unchanged: number;
}

/** Events of CatalogWatch. */
export interface CatalogWatchEvents {
  /** A new snapshot and its line diff against the previous one. */
  snapshot: [CatalogSnapshot, LinesDiff];
  /** The watch lost Consul; the last good snapshot stays current. */
  stale: [StaleInfo];
  /** The watch is in sync again after being stale. */
  fresh: [FreshInfo];
  /** One failed request (long-poll or fetch); the watch retries with backoff. */
  failure: [WatchFailure];
  /** A full per-node resync started. */
  resync: [ResyncInfo];
}
