/**
 * The public surface of the responder startDns returns: its events, its status and the
 * DnsServer interface. Types only.
 */
import type { EventEmitter } from 'node:events';
import type { RecursorSkip } from './adapters/forwarder.js';
import type { DnsTable } from './core/compile-table.js';
import type { DnsStats } from './core/stats.js';
import type { DnsQueryError, DnsRecursorError, DnsTableError } from './errors.js';
import type { QueryLookupStats } from './query-lookup.js';

/** A bound socket. */
export interface DnsAddress {
  readonly protocol: 'udp' | 'tcp';
  readonly host: string;
  readonly port: number;
}

/** Payload of `table`: a new table is in use. */
export interface TableInfo {
  readonly index: bigint;
  readonly names: number;
  readonly buildMs: number;
  /** Names whose entries the build replaced (all of them on the first build). */
  readonly touched: number;
  /** Service fragments rebuilt or removed; the others were reused. */
  readonly servicesRebuilt: number;
}

/** Events of a DnsServer. */
export interface DnsServerEvents {
  table: [TableInfo];
  /**
   * Zone lines added and removed by the last rebuild (computed only when listened to, and
   * only over the names the rebuild touched: all of them for the first table).
   */
  diff: [{ readonly index: bigint; readonly added: string[]; readonly removed: string[] }];
  /** A snapshot could not be built; the previous table stays in use. */
  'table-error': [DnsTableError];
  /** One recursor attempt failed (the next one is tried). */
  'recursor-error': [DnsRecursorError];
  /** A recursor that keeps failing is skipped for a while. */
  'recursor-skip': [RecursorSkip];
  /** A skipped recursor answered its probe and is used again. */
  'recursor-back': [{ readonly recursor: string }];
  /** A socket error that did not stop the server. */
  'socket-error': [Error];
  /** The catalog source lost Consul: answers continue from the last table. */
  'catalog-unreachable': [{ readonly since: number; readonly error?: Error | undefined }];
  /** The catalog source is in sync again after `outageMs`. */
  'catalog-back': [{ readonly outageMs: number }];
  /** Executing a prepared query failed (its lookups got SERVFAIL). */
  'query-error': [DnsQueryError];
}

/** Facts for /health and /metrics. */
export interface DnsStatus {
  /** A table is in use (a first snapshot arrived). */
  readonly ready: boolean;
  readonly index: bigint | undefined;
  /** ms since the snapshot in use was fetched. */
  readonly snapshotAgeMs: number | undefined;
  /** ms since the source lost Consul, undefined while in sync. */
  readonly staleForMs: number | undefined;
  /** When the source lost Consul (wall-clock ms), undefined while in sync. */
  readonly staleSince?: number | undefined;
  /** When the snapshot in use was fetched (wall-clock ms). */
  readonly fetchedAt?: number | undefined;
  readonly names: number;
}

/** A running responder. */
export interface DnsServer extends EventEmitter<DnsServerEvents> {
  readonly addresses: readonly DnsAddress[];
  readonly stats: DnsStats;
  /** The table in use (undefined before the first snapshot). */
  readonly table: DnsTable | undefined;
  /** The canonical text form of the zone in use. */
  zoneLines(): string[];
  status(now?: number): DnsStatus;
  /** Number of open TCP connections. */
  readonly tcpConnections: number;
  /** Prepared query lookups (`NAME.query.<domain>`); undefined when they are off. */
  readonly queries: QueryLookupStats | undefined;
  close(): Promise<void>;
}
