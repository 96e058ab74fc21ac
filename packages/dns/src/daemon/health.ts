/**
 * The health verdict of berth dns from the responder's status: starting until the first
 * snapshot, degraded while Consul has been unreachable past --max-stale. Pure.
 */
import type { DnsStatus } from '../engine.js';

/** The health verdict for a status: `ok`, or the reasons it is not. */
export function healthOf(
  s: DnsStatus,
  maxStaleMs: number,
): { status: 'starting' | 'ok' | 'degraded'; reasons: string[] } {
  if (!s.ready) return { status: 'starting', reasons: ['waiting for the first catalog snapshot'] };
  if (s.staleForMs !== undefined && s.staleForMs > maxStaleMs) {
    const age =
      s.snapshotAgeMs === undefined ? '' : `, fetched ${Math.round(s.snapshotAgeMs / 1000)}s ago`;
    return {
      status: 'degraded',
      reasons: [
        `catalog unreachable for ${Math.round(s.staleForMs / 1000)}s; answering from the snapshot at index ${s.index}${age}`,
      ],
    };
  }
  return { status: 'ok', reasons: [] };
}
