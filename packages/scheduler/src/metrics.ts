/**
 * The scheduler's Prometheus metrics: requests by action and status, request latency, role,
 * tasks and instances in the view, KV transactions. Values are read at scrape time where
 * possible, so the request path only touches one counter and one histogram.
 */
import { Counter, Gauge, Histogram, type Registry } from '@berth/daemon';
import type { Replica } from './engine.js';

/** Registers the metrics; returns the per-request hook. */
export function bindSchedulerMetrics(
  registry: Registry,
  replica: Replica,
): (action: string, status: number, seconds: number) => void {
  const requests = new Counter({
    name: 'berth_scheduler_requests_total',
    help: 'API requests by action and HTTP status',
    labelNames: ['action', 'status'],
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'berth_scheduler_request_duration_seconds',
    help: 'API request duration by action (forwarded requests included)',
    labelNames: ['action'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 30, 60],
    registers: [registry],
  });
  new Gauge({
    name: 'berth_scheduler_leader',
    help: '1 while this replica leads',
    registers: [registry],
    collect() {
      this.set(replica.isLeader ? 1 : 0);
    },
  });
  new Gauge({
    name: 'berth_scheduler_tasks',
    help: 'Tasks in the leader view by last status',
    labelNames: ['status'],
    registers: [registry],
    collect() {
      this.reset();
      const ctx = replica.context;
      if (!ctx) return;
      const counts: Record<string, number> = {};
      for (const t of ctx.state.tasks.values()) {
        counts[t.rec.lastStatus] = (counts[t.rec.lastStatus] ?? 0) + 1;
      }
      for (const [status, n] of Object.entries(counts)) this.set({ status }, n);
    },
  });
  new Gauge({
    name: 'berth_scheduler_container_instances',
    help: 'Container instances in the leader view',
    registers: [registry],
    collect() {
      this.set(replica.context?.state.instances.size ?? 0);
    },
  });
  const kv = (name: string, help: string, key: 'txns' | 'ops' | 'failures'): void => {
    let last = 0;
    new Counter({
      name,
      help,
      registers: [registry],
      collect() {
        const v = replica.stats()[key];
        if (v > last) this.inc(v - last);
        last = v;
      },
    });
  };
  kv('berth_scheduler_kv_txns_total', 'KV transactions committed', 'txns');
  kv('berth_scheduler_kv_ops_total', 'KV operations committed (fence excluded)', 'ops');
  kv(
    'berth_scheduler_kv_failures_total',
    'KV transactions that failed (each ends a leadership)',
    'failures',
  );
  return (action, status, seconds) => {
    requests.inc({ action, status: String(status) });
    latency.observe({ action }, seconds);
  };
}
