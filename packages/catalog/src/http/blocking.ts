/**
 * Blocking queries (consul-api.md §3): `?index` + `?wait` with Consul's defaults, clamp and
 * jitter. A blocked request registers one waiter in the hub and one deadline timer; it is
 * re-evaluated only when a change concerns it. Never poll, and never answer X-Consul-Index 0.
 */
import { parseGoDuration } from '../duration.js';
import { BadRequestError } from '../errors.js';
import type { Change, Table } from '../types.js';
import type { Ctx, Reply } from './context.js';

export const DEFAULT_WAIT_MS = 5 * 60_000;
export const MAX_WAIT_MS = 10 * 60_000;

/** One blocking-capable read: what it reads, and how to evaluate it now. */
export interface Query {
  readonly tables: readonly Table[];
  readonly concerns: (change: Change) => boolean;
  /** Evaluates the query; `index` is the per-query index (≥ 1). */
  readonly run: () => Reply & { index: number };
}

/** Parses `?index` and `?wait` (400 `Invalid index` / `Invalid wait time`). */
export function parseBlocking(ctx: Ctx): { minIndex: number; waitMs: number } {
  const minIndex = ctx.uint('index', 'Invalid index') ?? 0;
  let waitMs = DEFAULT_WAIT_MS;
  const w = ctx.get('wait');
  if (w !== undefined && w !== '') {
    const ns = parseGoDuration(w);
    if (ns === undefined) throw new BadRequestError('Invalid wait time');
    if (ns > 0) waitMs = Math.min(ns / 1e6, MAX_WAIT_MS);
  }
  return { minIndex, waitMs };
}

/** Runs a query, blocking while its index is not above `?index`. */
export function blocking(ctx: Ctx, q: Query): Reply | Promise<Reply> {
  const { minIndex, waitMs } = parseBlocking(ctx);
  const first = q.run();
  const hub = ctx.catalog.hub;
  // A requested index beyond the store's (the store was reset) answers at once so the client
  // resets instead of waiting out its timeout.
  if (minIndex === 0 || first.index > minIndex || minIndex > ctx.catalog.store.index) {
    return first;
  }
  return new Promise<Reply>((resolve) => {
    let done = false;
    const finish = (r: Reply): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      hub.remove(waiter);
      ctx.res.off('close', onClose);
      resolve(r);
    };
    const waiter = {
      tables: q.tables,
      concerns: q.concerns,
      wake: (): boolean => {
        const r = q.run();
        if (r.index <= minIndex) return false;
        finish(r);
        return true;
      },
    };
    const onClose = (): void => finish({ status: 499 });
    const jitter = Math.random() * (waitMs / 16);
    const timer = setTimeout(() => finish(q.run()), waitMs + jitter);
    ctx.res.once('close', onClose);
    hub.add(waiter);
  });
}
