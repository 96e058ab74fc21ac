/**
 * The plain-data records the state store holds and the operations that change it. Records are
 * never mutated once stored (a write replaces the object), so readers may hold them freely.
 * Operations are JSON-serialisable: they are what the write-ahead log stores and replays.
 * ACL and prepared-query records live in acl/types.ts and prepared-query/types.ts.
 */
import type { CheckStatus, ConsulKvVerb } from '@berth/protocol';
import type { AclOp } from './acl/types.js';
import type { QueryOp } from './prepared-query/types.js';

export type * from './acl/types.js';
export type * from './prepared-query/types.js';

export type { CheckStatus };

export interface NodeRec {
  readonly id: string;
  readonly node: string;
  readonly address: string;
  readonly taggedAddresses: Readonly<Record<string, string>>;
  readonly meta: Readonly<Record<string, string>>;
  readonly createIndex: number;
  readonly modifyIndex: number;
}

export interface ServiceRec {
  readonly node: string;
  readonly id: string;
  readonly service: string;
  readonly tags: readonly string[];
  readonly address: string;
  readonly port: number;
  readonly meta: Readonly<Record<string, string>>;
  readonly taggedAddresses: Readonly<Record<string, unknown>> | null;
  readonly weights: { readonly passing: number; readonly warning: number };
  readonly enableTagOverride: boolean;
  readonly kind: string;
  readonly proxy: unknown;
  readonly connect: unknown;
  readonly createIndex: number;
  readonly modifyIndex: number;
}

/** How a check is run by the catalog (absent for checks nobody runs: maintenance, serf...). */
export interface CheckDefinition {
  readonly kind: 'http' | 'tcp' | 'ttl' | 'script' | 'none';
  readonly http: string;
  readonly method: string;
  readonly header: Readonly<Record<string, readonly string[]>> | null;
  readonly body: string;
  readonly tlsSkipVerify: boolean;
  readonly tlsServerName: string;
  readonly tcp: string;
  readonly intervalNs: number;
  readonly timeoutNs: number;
  readonly ttlNs: number;
  readonly deregisterCriticalServiceAfterNs: number;
  /** Script checks: the command (`Args`), or a shell line (`Script`, Consul 0.x). */
  readonly args?: readonly string[];
  readonly script?: string;
  readonly dockerContainerId?: string;
  readonly shell?: string;
}

export interface CheckRec {
  readonly node: string;
  readonly checkId: string;
  readonly name: string;
  readonly status: CheckStatus;
  readonly notes: string;
  readonly output: string;
  readonly serviceId: string;
  readonly serviceName: string;
  readonly serviceTags: readonly string[];
  readonly type: string;
  readonly definition: CheckDefinition | null;
  /** Wall-clock ms since which the check has been critical (0 when not critical). */
  readonly criticalSince: number;
  readonly createIndex: number;
  readonly modifyIndex: number;
}

export interface KvEntry {
  readonly key: string;
  /** Base64 of the stored bytes, or null for an empty value. */
  readonly value: string | null;
  /** uint64 as decimal digits. */
  readonly flags: string;
  readonly lockIndex: number;
  readonly session: string;
  readonly createIndex: number;
  readonly modifyIndex: number;
}

export interface SessionRec {
  readonly id: string;
  readonly name: string;
  readonly node: string;
  readonly lockDelayNs: number;
  readonly behavior: 'release' | 'delete';
  readonly ttl: string;
  readonly nodeChecks: readonly string[];
  readonly serviceChecks: readonly string[] | null;
  readonly createIndex: number;
  readonly modifyIndex: number;
}

/** Service fields as given to a register operation (indexes are assigned by the store). */
export type ServiceInput = Omit<ServiceRec, 'node' | 'createIndex' | 'modifyIndex'>;

/** Check fields as given to a register operation. */
export interface CheckInput {
  readonly checkId: string;
  readonly name: string;
  readonly status: CheckStatus;
  /** False when the registration gave no Status: an existing check then keeps its own. */
  readonly statusGiven: boolean;
  readonly notes: string;
  readonly output: string;
  readonly serviceId: string;
  readonly type: string;
  readonly definition: CheckDefinition | null;
}

export interface NodeInput {
  readonly id: string;
  readonly node: string;
  readonly address: string;
  readonly taggedAddresses: Readonly<Record<string, string>>;
  readonly meta: Readonly<Record<string, string>>;
}

/** A KV operation of a transaction (logged without `kind` before catalog operations existed). */
export interface TxnKvOp {
  readonly kind?: 'kv';
  readonly verb: ConsulKvVerb;
  readonly key: string;
  readonly value: string | null;
  readonly flags: string;
  readonly index: number;
  readonly session: string;
}

/** Verbs of Node, Service and Check transaction operations. */
export type CatalogVerb = 'set' | 'cas' | 'get' | 'delete' | 'delete-cas';

export interface TxnNodeOp {
  readonly kind: 'node';
  readonly verb: CatalogVerb;
  /** `id` may be '': the node keeps its ID, or gets `fallbackId` when new. */
  readonly node: NodeInput;
  readonly fallbackId: string;
  /** ModifyIndex for cas/delete-cas. */
  readonly index: number;
}

export interface TxnServiceOp {
  readonly kind: 'service';
  readonly verb: CatalogVerb;
  readonly node: string;
  readonly service: ServiceInput;
  readonly index: number;
}

export interface TxnCheckOp {
  readonly kind: 'check';
  readonly verb: CatalogVerb;
  readonly node: string;
  readonly check: CheckInput;
  readonly index: number;
}

/** One operation of `PUT /v1/txn`. */
export type TxnOp = TxnKvOp | TxnNodeOp | TxnServiceOp | TxnCheckOp;

export type Op =
  | {
      readonly t: 'kv-set';
      readonly key: string;
      readonly value: string | null;
      readonly flags: string;
      readonly cas?: number;
      readonly acquire?: string;
      readonly release?: string;
    }
  | {
      readonly t: 'kv-delete';
      readonly key: string;
      readonly recurse: boolean;
      readonly cas?: number;
    }
  | { readonly t: 'txn'; readonly ops: readonly TxnOp[] }
  | {
      /** `catalog/register`: node (unless null), service and checks as one write. */
      readonly t: 'catalog-register';
      readonly node: NodeInput | null;
      readonly nodeName: string;
      readonly service: ServiceInput | null;
      readonly checks: readonly CheckInput[];
    }
  | { readonly t: 'node-register'; readonly node: NodeInput }
  | { readonly t: 'node-deregister'; readonly node: string }
  | {
      readonly t: 'service-register';
      readonly node: string;
      readonly service: ServiceInput;
      readonly checks: readonly CheckInput[];
      readonly replaceChecks: boolean;
    }
  | { readonly t: 'service-deregister'; readonly node: string; readonly id: string }
  | { readonly t: 'check-register'; readonly node: string; readonly check: CheckInput }
  | { readonly t: 'check-deregister'; readonly node: string; readonly id: string }
  | {
      readonly t: 'check-status';
      readonly node: string;
      readonly id: string;
      readonly status: CheckStatus;
      readonly output: string;
    }
  | {
      readonly t: 'session-create';
      readonly session: Omit<SessionRec, 'createIndex' | 'modifyIndex'>;
    }
  | { readonly t: 'session-destroy'; readonly id: string }
  | AclOp
  | QueryOp;

/** The tables a change can touch; blocked queries subscribe to these. */
export type Table = 'nodes' | 'services' | 'checks' | 'kv' | 'sessions' | 'acl' | 'queries';

/** What one applied operation changed: used to wake blocked queries and to sync runners. */
export interface Change {
  readonly index: number;
  readonly tables: ReadonlySet<Table>;
  readonly kvKeys: readonly string[];
  readonly serviceNames: ReadonlySet<string>;
  readonly sessionsDestroyed: readonly string[];
  readonly sessionsCreated: readonly string[];
  /** `node\0checkId` of every check added, changed or removed. */
  readonly checks: readonly string[];
}

export interface TxnError {
  readonly OpIndex: number;
  readonly What: string;
}

/** One entry of a transaction's `Results`. */
export type TxnResult =
  | {
      readonly kind: 'kv';
      readonly entry: KvEntry;
      /** The Value is reported (get/get-tree/get-or-empty). */
      readonly withValue: boolean;
    }
  | { readonly kind: 'node'; readonly node: NodeRec }
  | { readonly kind: 'service'; readonly service: ServiceRec }
  | { readonly kind: 'check'; readonly check: CheckRec };

export interface TxnOutcome {
  readonly results: readonly TxnResult[];
  readonly errors: readonly TxnError[];
}
