/**
 * Where the leader's in-memory metrics are found by the handlers of its term: the scaling
 * loop registers them with the term's SchedulerState, and the report handlers (agents' task
 * stats, routers' request counts) and DescribeServiceMetrics look them up by the state their
 * context carries. Until the loop has registered them (just after a failover), there are none
 * and reports are acknowledged and dropped. A WeakMap: a past term's state takes them along.
 */
import type { SchedulerState } from '../state/scheduler-state.js';
import type { RequestMetrics } from './request-metrics.js';
import type { ServiceMetrics } from './service-metrics.js';

export interface LeaderMetrics {
  /** CPU and memory against the reservation (ReportTaskStats). */
  readonly usage: ServiceMetrics;
  /** Requests per target (ReportRequestCounts). */
  readonly requests: RequestMetrics;
}

const byState = new WeakMap<SchedulerState, LeaderMetrics>();

/** Makes `metrics` receive the reports handled with this leader state. */
export function registerLeaderMetrics(state: SchedulerState, metrics: LeaderMetrics): void {
  byState.set(state, metrics);
}

/** The metrics of this leader state (undefined until the scaler registered them). */
export function leaderMetricsOf(state: SchedulerState): LeaderMetrics | undefined {
  return byState.get(state);
}
