/**
 * Error classes of @berth/consul, each with a stable `code` callers may switch on.
 * Must never carry secrets (tokens) in messages or fields.
 */

import { BerthError } from '@berth/daemon';

/** Base class of every error thrown or emitted by @berth/consul (a BerthError). */
export class ConsulClientError extends BerthError {}

/** An option passed to a @berth/consul function is invalid; the message names it. */
export class ConsulOptionError extends ConsulClientError {
  constructor(message: string) {
    super('CONSUL_BAD_OPTION', message);
  }
}

/** Consul could not be reached (connection refused, reset, timeout). */
export class ConsulUnreachableError extends ConsulClientError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('CONSUL_UNREACHABLE', message, options);
  }
}

/** Consul answered with a non-2xx status. */
export class ConsulHttpError extends ConsulClientError {
  readonly status: number;
  readonly body: unknown;
  constructor(status: number, message: string, body: unknown, options?: { cause?: unknown }) {
    super('CONSUL_HTTP_STATUS', `HTTP ${status}: ${message}`, options);
    this.status = status;
    this.body = body;
  }
}

/** A blocking query answered without an X-Consul-Index header or with index 0. */
export class ConsulIndexError extends ConsulClientError {
  constructor(message: string) {
    super('CONSUL_BAD_INDEX', message);
  }
}

/** The operation was aborted through its AbortSignal or by close(). */
export class ConsulAbortedError extends ConsulClientError {
  constructor(message = 'aborted') {
    super('CONSUL_ABORTED', message);
  }
}

/** An atomic transaction was given more operations than one Consul transaction accepts. */
export class TxnTooLargeError extends ConsulClientError {
  readonly ops: number;
  readonly max: number;
  constructor(ops: number, max: number) {
    super(
      'CONSUL_TXN_TOO_LARGE',
      `transaction has ${ops} operations; an atomic transaction holds at most ${max} ` +
        '(use txn() to split into batches that are each atomic)',
    );
    this.ops = ops;
    this.max = max;
  }
}

/** One error Consul reported for a rolled-back transaction. */
export interface TxnOpError {
  /** Index into the ops array passed by the caller (not into the batch). */
  readonly opIndex: number;
  readonly what: string;
}

/** Consul rolled a transaction (batch) back (HTTP 409). Earlier batches stay applied. */
export class TxnFailedError extends ConsulClientError {
  readonly errors: readonly TxnOpError[];
  /** How many batches were committed before the failing one (0 for txnAtomic). */
  readonly committedBatches: number;
  /** How many operations those committed batches held. */
  readonly committedOps: number;
  constructor(errors: readonly TxnOpError[], committedBatches: number, committedOps: number) {
    const first = errors[0];
    super(
      'CONSUL_TXN_FAILED',
      `transaction rolled back${first ? ` at op ${first.opIndex}: ${first.what}` : ''}` +
        (committedBatches > 0
          ? ` (${committedBatches} earlier batch(es), ${committedOps} ops, stay committed)`
          : ''),
    );
    this.errors = errors;
    this.committedBatches = committedBatches;
    this.committedOps = committedOps;
  }
}

/** A leader lock could not be acquired or was lost; `reason` says which. */
export class LockError extends ConsulClientError {
  constructor(code: LockErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/** Stable codes of LockError. */
export type LockErrorCode =
  | 'LOCK_SESSION_INVALIDATED'
  | 'LOCK_KEY_TAKEN'
  | 'LOCK_CONSUL_UNREACHABLE'
  | 'LOCK_RELEASED'
  | 'LOCK_NOT_HELD';
