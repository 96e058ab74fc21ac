/**
 * Helpers for tests of berth packages that need a Consul, imported as `@berth/catalog/testing`
 * (never from production code): an in-process catalog on a free loopback port with the
 * expiry timers scaled down, so session TTLs, critical-service reaping and check intervals
 * take milliseconds instead of Consul's seconds and minutes.
 */
import { startCatalog, type RunningCatalog, type StartCatalogOptions } from '../daemon/start.js';

/**
 * Consul's timers scaled for tests: sessions expire after 0.05 × TTL (Consul: 2 ×), critical
 * services are reaped every 200 ms after at least 500 ms (Consul: 30 s, 1 min), checks may
 * run every 50 ms (Consul: 1 s).
 */
export const FAST_TIMERS = {
  sessionTtlMultiplier: 0.05,
  deregisterMinMs: 500,
  reapIntervalMs: 200,
  checkMinIntervalMs: 50,
} as const satisfies Partial<StartCatalogOptions>;

/**
 * Starts a catalog on 127.0.0.1:0 named `node1` (what the Consul clients' suites expect);
 * `options` override anything, `FAST_TIMERS` included.
 */
export function startTestCatalog(options: StartCatalogOptions = {}): Promise<RunningCatalog> {
  return startCatalog({ listen: '127.0.0.1:0', node: 'node1', ...options });
}

export type { RunningCatalog, StartCatalogOptions };
