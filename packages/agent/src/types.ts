/**
 * The agent engine's options, events and introspection views. Types only.
 */

import type { PullView } from './image-pull.js';
import type { PullBehavior } from './core/pull-policy.js';
import type { Report } from './report-queue.js';
import type { RunnerEvent } from './runner-context.js';

/**
 * Options of the agent engine. The keys are named as the daemon's flags (`--cleanup-wait` is
 * `cleanupWait`), in the config's units (durations in ms), so `berth agent` passes its config
 * through; the engine validates them (resolveAgentOptions) and errors name the flag.
 */
export interface AgentOptions {
  readonly cluster: string;
  /** Default: the one in the data dir, else a new `i-...`. */
  readonly instanceId?: string | undefined;
  readonly advertiseIp: string;
  readonly availabilityZone?: string | undefined;
  /** Custom attributes: `k=v` texts (`--attribute`, repeatable) or a record. */
  readonly attribute?: readonly string[] | Readonly<Record<string, string>>;
  /** TCP ports tasks may not take: numbers or their texts. */
  readonly reservedPorts?: readonly (number | string)[];
  /** Memory not offered to tasks (MiB). */
  readonly reservedMemory?: number;
  readonly dataDir: string;
  /** How long a stopped task's containers stay (ms, default 10 minutes). */
  readonly cleanupWait?: number;
  readonly imagePullBehavior?: PullBehavior | string;
  readonly containerDns?: string | undefined;
  /** Long-poll wait (ms, 1 to 60 s; default 20 s). */
  readonly pollWait?: number;
  /** /health turns degraded when the scheduler has been unreachable this long (ms, 30 s). */
  readonly degradedAfter?: number;
  /** Image cleanup starts when the Docker disk is this full (percent, default 85). */
  readonly imageGcThreshold?: number;
  /** Images used more recently than this are kept (ms, default 1 hour). */
  readonly imageGcMinAge?: number;
  /** `docker stop` timeout when a container names none (ms, default 30 s). */
  readonly stopTimeout?: number;
  /** Host address ports are published on ('' = all, the default). */
  readonly hostIp?: string;
  /** Period of cleanup and image checks (ms, default 10 s; no flag). */
  readonly housekeepingIntervalMs?: number;
  /** Period of the full Docker resync (ms, default 60 s; no flag). */
  readonly resyncIntervalMs?: number;
  /** Labels added to every container and volume (tests mark theirs). */
  readonly extraLabels?: Readonly<Record<string, string>>;
  /** First retry delay of scheduler calls (ms, default 100; doubles up to retryMaxMs 5000). */
  readonly retryBaseMs?: number;
  readonly retryMaxMs?: number;
  readonly agentVersion?: string;
}

/**
 * What the engine runs on: AgentOptions validated, with units made explicit (resolveAgentOptions
 * in core/agent-settings.ts builds it).
 */
export interface AgentSettings {
  readonly cluster: string;
  /** Default: the one in the data dir, else a new `i-...`. */
  readonly instanceId?: string;
  readonly advertiseIp: string;
  readonly availabilityZone?: string;
  readonly attributes?: Readonly<Record<string, string>>;
  readonly reservedPorts?: readonly number[];
  readonly reservedMemoryMiB?: number;
  readonly dataDir: string;
  /** How long a stopped task's containers stay (ms, default 10 minutes). */
  readonly cleanupWaitMs?: number;
  readonly imagePullBehavior?: PullBehavior;
  readonly containerDns?: string;
  /** Long-poll wait (s, default 20). */
  readonly pollWaitSeconds?: number;
  /** /health turns degraded when the scheduler has been unreachable this long (ms, 30 s). */
  readonly degradedAfterMs?: number;
  /** Image cleanup starts when the Docker disk is this full (percent, default 85). */
  readonly imageGcThresholdPercent?: number;
  /** Images used more recently than this are kept (ms, default 1 hour). */
  readonly imageGcMinAgeMs?: number;
  /** Period of cleanup and image checks (ms, default 10 s). */
  readonly housekeepingIntervalMs?: number;
  /** Period of the full Docker resync (ms, default 60 s). */
  readonly resyncIntervalMs?: number;
  /** `docker stop` timeout when a container names none (s, default 30). */
  readonly stopTimeoutS?: number;
  /** Host address ports are published on ('' = all, the default). */
  readonly hostIp?: string;
  /** Labels added to every container and volume (tests mark theirs). */
  readonly extraLabels?: Readonly<Record<string, string>>;
  /** First retry delay of scheduler calls (ms, default 100; doubles up to retryMaxMs 5000). */
  readonly retryBaseMs?: number;
  readonly retryMaxMs?: number;
  readonly agentVersion?: string;
}

/** A container as introspection shows it. */
export interface ContainerView {
  readonly name: string;
  readonly dockerId: string | undefined;
  readonly dockerName: string;
  readonly status: string;
  readonly ports: readonly {
    containerPort: number;
    protocol: string;
    hostPort: number;
    hostIp: string;
  }[];
  readonly volumes: readonly { dockerName?: string; source: string; destination: string }[];
  readonly health: string | undefined;
  readonly healthSince: number | undefined;
  readonly exitCode: number | undefined;
  readonly restarts: number;
}

/** A task as introspection shows it. */
export interface TaskView {
  readonly arn: string;
  readonly family: string;
  readonly version: string;
  readonly desiredStatus: string;
  readonly knownStatus: string;
  readonly state: string;
  readonly containers: readonly ContainerView[];
  /** The task's image pull (progress while it runs, then how the image was obtained). */
  readonly pull?: PullView | undefined;
}

/** Events of the agent. */
export interface AgentEvents {
  registered: [arn: string, reRegistered: boolean];
  scheduler: [reachable: boolean, error?: unknown];
  docker: [connected: boolean, error?: unknown];
  runner: [event: RunnerEvent];
  report: [report: Report, attempts: number];
  'report-retry': [report: Report, attempt: number, delayMs: number, error: unknown];
  'report-drop': [report: Report, error: unknown];
  cleanup: [taskArn: string, containers: number];
  'image-removed': [ref: string, usedPercent: number];
  health: [reasons: readonly string[]];
  warning: [message: string, error?: unknown];
}
