/**
 * Blocking queries (consul-api.md §3): `?index` + `?wait` with Consul's defaults, clamp and
 * jitter. A blocked request registers one waiter in the hub and one deadline timer; it is
 * re-evaluated only when a change concerns it. Never poll, and never answer X-Consul-Index 0.
 */
import { parseGoDuration } from '../../core/go-duration.js';
import { BadRequestError } from '../../errors.js';
import type { Change, Table } from '../../core/types.js';
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
  if (minIndex === 0 || first.index > minIndex) return first;
  // An index ahead of the store's: Consul blocks until the timeout, and so do we when our
  // index never goes back (data dir or seeded index). An unseeded memory-only store restarts
  // at 1, so a client ahead of it comes from before a restart: answer at once so it resets
  // instead of stalling for a whole wait.
  if (minIndex > ctx.catalog.store.index && ctx.catalog.indexMayReset) return first;
  return block(ctx, q, waitMs, (r) => r.index > minIndex);
}

/**
 * Hash-based blocking (`agent/service/:id?hash=`): blocks while the reply's content hash is
 * still `?hash`; `hashOf` reads it from a reply.
 */
export function hashBlocking(
  ctx: Ctx,
  q: Query,
  hashOf: (r: Reply) => string | undefined,
): Reply | Promise<Reply> {
  const { waitMs } = parseBlocking(ctx);
  const want = ctx.get('hash');
  const first = q.run();
  if (want === undefined || want === '' || hashOf(first) !== want) return first;
  return block(ctx, q, waitMs, (r) => hashOf(r) !== want);
}

function block(
  ctx: Ctx,
  q: Query,
  waitMs: number,
  fresh: (r: Reply & { index: number }) => boolean,
): Promise<Reply> {
  const hub = ctx.catalog.hub;
  return new Promise<Reply>((resolve, reject) => {
    let done = false;
    const finish = (r: Reply | Error): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      hub.remove(waiter);
      ctx.res.off('close', onClose);
      if (r instanceof Error) reject(r);
      else resolve(r);
    };
    const run = (): (Reply & { index: number }) | Error => {
      try {
        return q.run();
      } catch (err) {
        return err instanceof Error ? err : new Error(String(err));
      }
    };
    const waiter = {
      tables: q.tables,
      concerns: q.concerns,
      wake: (): boolean => {
        const r = run();
        if (!(r instanceof Error) && !fresh(r)) return false;
        finish(r);
        return true;
      },
    };
    const onClose = (): void => finish({ status: 499 });
    const jitter = Math.random() * (waitMs / 16);
    const timer = setTimeout(() => finish(run()), waitMs + jitter);
    ctx.res.once('close', onClose);
    hub.add(waiter);
  });
}
