/**
 * The auto scaler's Prometheus gauges, read at scrape time from the leader's ServiceMetrics:
 * the latest one-minute aggregate per service (CPU and memory utilisation against the
 * reservation, samples) and the desired count the scaler last decided. Never records.
 */
import { Gauge, type Registry } from '@berth/daemon';
import type { CapacityDecision } from './decide-capacity.js';
import type { ServiceMetrics } from './service-metrics.js';

export function bindScalingMetrics(
  registry: Registry,
  metrics: ServiceMetrics,
  decisions: ReadonlyMap<string, CapacityDecision>,
): void {
  const latest = (
    name: string,
    help: string,
    pick: (a: { cpuAvg: number; memoryAvg: number; samples: number }) => number,
  ): void => {
    new Gauge({
      name,
      help,
      labelNames: ['service'],
      registers: [registry],
      collect() {
        this.reset();
        for (const service of metrics.services()) {
          const last = metrics.minutes(service).at(-1);
          if (last) this.set({ service }, pick(last));
        }
      },
    });
  };
  latest(
    'berth_scheduler_service_cpu_utilization',
    'Average CPU utilisation of the service tasks (percent of reservation), current minute',
    (a) => a.cpuAvg,
  );
  latest(
    'berth_scheduler_service_memory_utilization',
    'Average memory utilisation of the service tasks (percent of reservation), current minute',
    (a) => a.memoryAvg,
  );
  latest(
    'berth_scheduler_service_stat_samples',
    'Task stats samples received for the service, current minute',
    (a) => a.samples,
  );
  new Gauge({
    name: 'berth_scheduler_autoscaling_desired',
    help: 'Desired count the auto scaler last decided, by service (cluster/service)',
    labelNames: ['service'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [service, d] of decisions) this.set({ service }, d.desired);
    },
  });
}
