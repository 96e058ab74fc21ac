/**
 * The options and events of one scheduler replica (the engine, `Replica`). Types only; never
 * any code.
 */
import type { ConsulClient } from '@berth/consul';
import type { ElbTargets } from '@berth/elb';
import type { ArnScope } from './core/arn.js';
import type { EventHub } from './events/event-hub.js';
import type { KvLayout } from './state/records.js';

export interface ReplicaOptions {
  readonly consul: ConsulClient;
  readonly layout: KvLayout;
  readonly scope: ArnScope;
  /** URL other replicas forward to (`http://host:port`). */
  readonly advertiseUrl: string;
  readonly agentGraceMs: number;
  readonly lostAfterMs: number;
  /** Session TTL of the leader lock (≥10 s). */
  readonly lockTtlMs: number;
  /** Followers probe the leader this often (ms); 0 disables fast failover. */
  readonly probeIntervalMs: number;
  /** Consecutive failed probes before the leader's session is destroyed. */
  readonly probeFailures: number;
  readonly stoppedTaskTtlMs: number;
  readonly maxPollMs: number;
  readonly txnInFlight: number;
  readonly random?: () => number;
  /** Where task and service events go (the /v1/events stream, the webhook). */
  readonly events?: EventHub | undefined;
  /** ELB for services with load balancers. */
  readonly elb?: ElbTargets | undefined;
  /** Service loop knobs. */
  readonly serviceIntervalMs?: number;
  readonly deregistrationDelayMs?: number | undefined;
  /** Drain a task from Consul this long before stopping it (0: off). */
  readonly discoveryDrainMs?: number | undefined;
}

export interface ReplicaEvents {
  leading: [{ loadMs: number; tasks: number; instances: number }];
  following: [{ leaderUrl: string | undefined }];
  steppedDown: [{ reason: string }];
  failover: [{ session: string; leaderUrl: string | undefined }];
  warn: [{ message: string; error?: unknown }];
}
