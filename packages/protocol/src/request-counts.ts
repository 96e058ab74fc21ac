/**
 * `BerthAgentV1.ReportRequestCounts` (issue 21): the requests a router proxied to each
 * upstream instance, for the scheduler's `ALBRequestCountPerTarget` target tracking. Sent
 * under the agent prefix because it is the same signed, leader-forwarded channel the agents'
 * ReportTaskStats uses. Types and constants only.
 *
 * Delivery without double counting: a router numbers its reports (`sequence`, rising) and
 * sends, per instance, every request since the last report the scheduler acknowledged
 * (`acknowledged`); a report that failed is folded into the next one. The scheduler keeps,
 * per router, the last report it applied: a report built on the same acknowledged base
 * carries that report's counts again, so only the difference is added; a report whose
 * sequence it already applied is ignored.
 */

/** The X-Amz-Target action (under BERTH_AGENT_TARGET_PREFIX). */
export const REPORT_REQUEST_COUNTS_ACTION = 'ReportRequestCounts';

/** One upstream instance's requests since the acknowledged report. */
export interface InstanceRequestCount {
  /** Consul service name. */
  readonly service: string;
  /** Consul service instance ID. */
  readonly instanceId: string;
  /** The instance's Meta `berth-container` (Docker container ID), '' when it has none. */
  readonly containerId: string;
  /** Requests the instance answered (0 is data: the router routes to it, nobody asked). */
  readonly requests: number;
}

/** One report of one router. */
export interface RequestCountsReport {
  /** Stable for the router process's life (a restarted router is a new router). */
  readonly routerId: string;
  /** Rises by one per report built (a resend of the same counts keeps it). */
  readonly sequence: number;
  /** The last sequence the scheduler acknowledged (0: none yet); counts start after it. */
  readonly acknowledged: number;
  /** Milliseconds the counts cover (since the acknowledged report was built). */
  readonly periodMs: number;
  readonly instances: readonly InstanceRequestCount[];
}

/** The scheduler's answer. */
export interface RequestCountsAnswer {
  /** Instances whose container is a service task the scheduler knows. */
  readonly recorded: number;
  /** True when this sequence had been applied already (nothing added). */
  readonly duplicate?: boolean;
}
