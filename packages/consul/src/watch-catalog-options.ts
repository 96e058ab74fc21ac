/**
 * The options of watchCatalog (catalog-watch.ts) and their checked, defaulted form. Pure.
 */
import type { BackoffOptions } from '@berth/daemon';
import { ConsulOptionError } from './errors.js';

/** Options of watchCatalog. */
export interface WatchCatalogOptions {
  /** Stops the watch when aborted (same as close()). */
  signal?: AbortSignal;
  /** Consul `wait` of the two long-polls in ms (default 60000). */
  waitMs?: number;
  /** How long to wait after a wake-up for the other long-poll to wake too (default 10 ms). */
  settleMs?: number;
  /** Full per-node resync period in ms (default 300000; 0 disables). */
  resyncIntervalMs?: number;
  /** Parallel per-service / per-node fetches (default 8). */
  concurrency?: number;
  backoff?: BackoffOptions;
  /** Random source for backoff jitter. */
  random?: () => number;
  /** Datacenter name when Consul's answers carry none (default ''). */
  datacenter?: string;
}

/** The options with their defaults filled in (the signal is the watch's own business). */
export type ResolvedWatchOptions = Required<
  Omit<WatchCatalogOptions, 'signal' | 'backoff' | 'random'>
> &
  Pick<WatchCatalogOptions, 'backoff' | 'random'>;

function positive(name: string, v: number, allowZero = false): number {
  if (!Number.isFinite(v) || v < 0 || (!allowZero && v === 0)) {
    throw new ConsulOptionError(
      `${name}: must be a ${allowZero ? 'non-negative' : 'positive'} number, got ${v}`,
    );
  }
  return v;
}

/** Checks `options` (ConsulOptionError naming the bad one) and fills in the defaults. */
export function resolveWatchOptions(options: WatchCatalogOptions): ResolvedWatchOptions {
  return {
    waitMs: positive('waitMs', options.waitMs ?? 60_000),
    settleMs: positive('settleMs', options.settleMs ?? 10, true),
    resyncIntervalMs: positive('resyncIntervalMs', options.resyncIntervalMs ?? 300_000, true),
    concurrency: positive('concurrency', options.concurrency ?? 8),
    datacenter: options.datacenter ?? '',
    backoff: options.backoff,
    random: options.random,
  };
}
