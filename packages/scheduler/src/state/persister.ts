/**
 * Group commit of the leader's writes into Consul transactions. Each unit (the writes of one
 * request) lands atomically in one transaction together with a `check-session` on the leader
 * key, so a replica that lost the lock can never write (fencing). Units from concurrent
 * requests share transactions (≤63 ops + the fence, bounded bytes), several transactions may
 * be in flight, and two writes to the same key always commit in the order they were queued.
 * Must never acknowledge a unit before its transaction committed; on any failure it rejects
 * everything it holds and reports the failure once (the leader then steps down).
 */
import type { ConsulKv, TxnOp } from '@berth/consul';
import { PersistError } from '../errors.js';

/** The lock that fences every transaction. */
export interface Fence {
  readonly key: string;
  readonly session: string;
}

export interface PersisterOptions {
  /** Operations per transaction besides the fence (default 63: Consul ≤1.13 takes 64). */
  readonly maxOps?: number;
  /** Approximate request body bytes per transaction (default 400 KiB; Consul's limit is 512). */
  readonly maxBytes?: number;
  /** Transactions in flight at once (default 4). */
  readonly maxInFlight?: number;
  /** Called once, with the error, when a transaction fails. */
  readonly onFailure?: (error: Error) => void;
}

interface Unit {
  ops: TxnOp[];
  keys: string[];
  bytes: number;
  resolve: (index: number) => void;
  reject: (e: Error) => void;
}

/** Statistics for /metrics. */
export interface PersisterStats {
  txns: number;
  ops: number;
  units: number;
  failures: number;
}

const opBytes = (op: TxnOp): number =>
  op.key.length + 80 + ('value' in op ? Math.ceil((Buffer.byteLength(op.value) * 4) / 3) : 0);

/** Group-committing, fenced writer of KV operations. */
export class Persister {
  readonly #kv: ConsulKv;
  readonly #fence: Fence;
  readonly #maxOps: number;
  readonly #maxBytes: number;
  readonly #maxInFlight: number;
  readonly #onFailure: ((error: Error) => void) | undefined;
  #queue: Unit[] = [];
  #inFlight = 0;
  /** Keys of in-flight transactions, with a count. */
  readonly #busy = new Map<string, number>();
  #failed: Error | undefined;
  readonly stats: PersisterStats = { txns: 0, ops: 0, units: 0, failures: 0 };

  constructor(kv: ConsulKv, fence: Fence, options: PersisterOptions = {}) {
    this.#kv = kv;
    this.#fence = fence;
    this.#maxOps = options.maxOps ?? 63;
    this.#maxBytes = options.maxBytes ?? 400 * 1024;
    this.#maxInFlight = options.maxInFlight ?? 4;
    this.#onFailure = options.onFailure;
  }

  /** Units waiting or in flight. */
  get pending(): number {
    return this.#queue.length + this.#inFlight;
  }

  /**
   * Writes `ops` atomically (one transaction). Resolves with the transaction's Consul index
   * (the ModifyIndex of every key it set) once committed.
   */
  write(ops: readonly TxnOp[]): Promise<number> {
    if (this.#failed) return Promise.reject(this.#failed);
    if (ops.length === 0) return Promise.resolve(0);
    if (ops.length > this.#maxOps) {
      return Promise.reject(
        new PersistError(`one write of ${ops.length} operations exceeds ${this.#maxOps}`),
      );
    }
    return new Promise<number>((resolve, reject) => {
      const bytes = ops.reduce((n, op) => n + opBytes(op), 0);
      this.#queue.push({ ops: [...ops], keys: ops.map((o) => o.key), bytes, resolve, reject });
      this.#pump();
    });
  }

  /**
   * Writes `ops` in order as several atomic writes of at most maxOps each (not atomic as a
   * whole). For idempotent bulk changes only (force-deregistering an instance's tasks).
   */
  async writeMany(ops: readonly TxnOp[]): Promise<number> {
    let index = 0;
    for (let i = 0; i < ops.length; i += this.#maxOps) {
      index = Math.max(index, await this.write(ops.slice(i, i + this.#maxOps)));
    }
    return index;
  }

  /** Rejects everything queued and refuses further writes. */
  close(error: Error = new PersistError('persister closed')): void {
    this.#fail(error, false);
  }

  #pump(): void {
    while (this.#inFlight < this.#maxInFlight && this.#queue.length > 0 && !this.#failed) {
      const batch: Unit[] = [];
      const rest: Unit[] = [];
      const blocked = new Set<string>();
      let ops = 0;
      let bytes = 0;
      for (const u of this.#queue) {
        const conflict = u.keys.some((k) => this.#busy.has(k) || blocked.has(k));
        const fits =
          ops + u.ops.length <= this.#maxOps && (bytes + u.bytes <= this.#maxBytes || ops === 0);
        if (!conflict && fits) {
          batch.push(u);
          ops += u.ops.length;
          bytes += u.bytes;
        } else {
          rest.push(u);
          // A later write to the same key must not overtake this one.
          for (const k of u.keys) blocked.add(k);
        }
      }
      if (batch.length === 0) return;
      this.#queue = rest;
      void this.#send(batch);
    }
  }

  async #send(batch: Unit[]): Promise<void> {
    this.#inFlight++;
    const keys = batch.flatMap((u) => u.keys);
    for (const k of keys) this.#busy.set(k, (this.#busy.get(k) ?? 0) + 1);
    const ops: TxnOp[] = [
      { verb: 'check-session', key: this.#fence.key, session: this.#fence.session },
      ...batch.flatMap((u) => u.ops),
    ];
    try {
      const results = await this.#kv.txnAtomic(ops);
      let index = 0;
      for (const r of results)
        if (r.key !== this.#fence.key) index = Math.max(index, r.modifyIndex);
      this.stats.txns++;
      this.stats.ops += ops.length - 1;
      this.stats.units += batch.length;
      for (const u of batch) u.resolve(index);
    } catch (e) {
      const error = new PersistError(`KV transaction failed: ${(e as Error).message}`, {
        cause: e,
      });
      for (const u of batch) u.reject(error);
      this.#fail(error, true);
    } finally {
      this.#inFlight--;
      for (const k of keys) {
        const n = (this.#busy.get(k) ?? 1) - 1;
        if (n <= 0) this.#busy.delete(k);
        else this.#busy.set(k, n);
      }
      this.#pump();
    }
  }

  #fail(error: Error, report: boolean): void {
    if (this.#failed) return;
    this.#failed = error;
    if (report) this.stats.failures++;
    const queued = this.#queue;
    this.#queue = [];
    for (const u of queued) u.reject(error);
    if (report) this.#onFailure?.(error);
  }
}
