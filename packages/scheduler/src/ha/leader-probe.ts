/**
 * A follower's fast failover: probe the leader's URL every `intervalMs`; after `failures`
 * probes without any HTTP answer, destroy the leader's session (if the lock key still names
 * it) so the lock frees now rather than after Consul's 2×TTL. Must never touch the session of
 * a leader that answers, nor probe while this replica leads.
 */
import { every } from '@berth/daemon';
import { request } from 'node:http';
import type { ConsulClient, KvEntry } from '@berth/consul';

export interface LeaderProbeOptions {
  readonly consul: ConsulClient;
  /** The leader lock's KV key. */
  readonly leaderKey: string;
  /** This replica's own URL (never probed). */
  readonly advertiseUrl: string;
  /** Probe this often (ms); 0 disables the probe. */
  readonly intervalMs: number;
  /** Consecutive failed probes before the leader's session is destroyed. */
  readonly failures: number;
  readonly signal: AbortSignal;
  /** The leader as this replica knows it now; undefined while this replica leads. */
  readonly leader: () => { url: string | undefined; session: string | undefined } | undefined;
  readonly onFailover: (detail: { session: string; leaderUrl: string | undefined }) => void;
  readonly onWarn: (detail: { message: string; error?: unknown }) => void;
}

/** Runs until `signal` aborts. */
export async function probeLeader(o: LeaderProbeOptions): Promise<void> {
  const interval = o.intervalMs;
  if (interval <= 0) return;
  let failures = 0;
  let watched: string | undefined;
  const probe = async (): Promise<void> => {
    const known = o.leader();
    const url = known?.url;
    const session = known?.session;
    if (!known || !url || !session || url === o.advertiseUrl) {
      failures = 0;
      return;
    }
    if (session !== watched) {
      watched = session;
      failures = 0;
    }
    if (await alive(url, Math.max(1000, interval * 2))) {
      failures = 0;
      return;
    }
    failures++;
    if (failures < o.failures) return;
    failures = 0;
    // The leader does not answer at all: end its session so the lock frees now.
    const entry: KvEntry | undefined = await o.consul.kv.get(o.leaderKey).catch(() => undefined);
    if (entry?.session === session) {
      o.onFailover({ session, leaderUrl: url });
      await o.consul
        .sessionDestroy(session)
        .catch((error: unknown) =>
          o.onWarn({ message: 'destroying the dead leader session failed', error }),
        );
    }
  };
  await every(interval, probe, {
    signal: o.signal,
    onError: (error) => o.onWarn({ message: 'leader probe failed', error }),
  });
}

/** True when something answers HTTP at `url` within `timeoutMs` (any status). */
function alive(url: string, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request(`${url}/health`, { method: 'GET', timeout: timeoutMs }, (res) => {
      res.resume();
      resolve(true);
    });
    req.on('timeout', () => {
      req.destroy();
      resolve(false);
    });
    req.on('error', () => resolve(false));
    req.end();
  });
}
