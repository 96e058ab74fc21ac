/**
 * The health verdict of berth dns from the responder's status: starting until the first
 * snapshot, degraded while Consul has been unreachable past --max-stale. The reasons name
 * fixed moments, not durations, so they stay the same while the outage lasts and the
 * verdict only changes (and is logged) when the state does. Pure.
 */
import type { DnsStatus } from '../engine-api.js';

/** The health verdict for a status: `ok`, or the reasons it is not. */
export function healthOf(
  s: DnsStatus,
  maxStaleMs: number,
  now = Date.now(),
): { status: 'starting' | 'ok' | 'degraded'; reasons: string[] } {
  if (!s.ready) return { status: 'starting', reasons: ['waiting for the first catalog snapshot'] };
  if (s.staleForMs !== undefined && s.staleForMs > maxStaleMs) {
    const at = (t: number): string => new Date(Math.floor(t / 1000) * 1000).toISOString();
    const since = at(s.staleSince ?? now - s.staleForMs);
    const fetchedAt =
      s.fetchedAt ?? (s.snapshotAgeMs === undefined ? undefined : now - s.snapshotAgeMs);
    const fetched = fetchedAt === undefined ? '' : `, fetched ${at(fetchedAt)}`;
    return {
      status: 'degraded',
      reasons: [
        `catalog unreachable since ${since}; answering from the snapshot at index ${s.index}${fetched}`,
      ],
    };
  }
  return { status: 'ok', reasons: [] };
}
