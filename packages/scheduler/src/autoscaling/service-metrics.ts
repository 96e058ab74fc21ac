/**
 * The leader's in-memory metrics per service (issue 21): each task's latest utilisation
 * sample (CPU and memory against its reservation, from the agents' ReportTaskStats) and a
 * bounded series of one-minute aggregates per service. Nothing durable: after a failover the
 * new leader rebuilds it from the agents' next reports. Bounded: samples older than
 * `retainMs` and tasks past `maxTasks` are dropped, and at most `minutes` buckets are kept
 * per service. Never reads the clock: callers pass `now`.
 */

import { MetricSeries } from './metric-series.js';

export interface Utilisation {
  /** Percent of the task's CPU reservation (can exceed 100 when CPU is not capped). */
  readonly cpu: number;
  /** Percent of the task's memory reservation. */
  readonly memory: number;
}

/** An average and how many tasks it covers. */
export interface Average extends Utilisation {
  readonly tasks: number;
}

interface TaskSample extends Utilisation {
  readonly service: string;
  readonly at: number;
}

/** One minute of a service: sums over every sample that fell in it. */
export interface MinuteAggregate {
  /** Start of the minute (ms). */
  readonly minute: number;
  readonly samples: number;
  readonly cpuAvg: number;
  readonly memoryAvg: number;
  readonly cpuMax: number;
}

interface Bucket {
  minute: number;
  samples: number;
  cpuSum: number;
  memSum: number;
  cpuMax: number;
}

export interface ServiceMetricsOptions {
  readonly retainMs?: number;
  readonly maxTasks?: number;
  readonly minutes?: number;
}

export const serviceId = (cluster: string, service: string): string => `${cluster}/${service}`;

export class ServiceMetrics {
  /** Ten-second statistics for alarms and GetMetricStatistics. */
  readonly series = new MetricSeries();
  readonly #tasks = new Map<string, TaskSample>();
  readonly #series = new Map<string, Bucket[]>();
  readonly #retainMs: number;
  readonly #maxTasks: number;
  readonly #minutes: number;

  constructor(o: ServiceMetricsOptions = {}) {
    this.#retainMs = o.retainMs ?? 5 * 60_000;
    this.#maxTasks = o.maxTasks ?? 50_000;
    this.#minutes = o.minutes ?? 60;
  }

  /** Records one task's sample (`service` as serviceId gives it). */
  record(now: number, taskId: string, service: string, u: Utilisation): void {
    if (!Number.isFinite(u.cpu) || !Number.isFinite(u.memory)) return;
    this.series.record(now, service, u);
    this.#tasks.delete(taskId);
    this.#tasks.set(taskId, { ...u, service, at: now });
    while (this.#tasks.size > this.#maxTasks) {
      const oldest = this.#tasks.keys().next().value as string;
      this.#tasks.delete(oldest);
    }
    const minute = now - (now % 60_000);
    let series = this.#series.get(service);
    if (!series) this.#series.set(service, (series = []));
    let b = series[series.length - 1];
    if (!b || b.minute !== minute) {
      b = { minute, samples: 0, cpuSum: 0, memSum: 0, cpuMax: 0 };
      series.push(b);
      if (series.length > this.#minutes) series.shift();
    }
    b.samples++;
    b.cpuSum += u.cpu;
    b.memSum += u.memory;
    b.cpuMax = Math.max(b.cpuMax, u.cpu);
  }

  /** Drops samples older than the retention (call now and then). */
  prune(now: number): void {
    this.series.prune(now);
    for (const [id, s] of this.#tasks) if (now - s.at > this.#retainMs) this.#tasks.delete(id);
    for (const [svc, series] of this.#series) {
      const last = series[series.length - 1];
      if (!last || now - last.minute > this.#minutes * 60_000) this.#series.delete(svc);
    }
  }

  /**
   * The average utilisation of `taskIds` over their samples newer than `freshMs`; undefined
   * when none of them has one (missing data: the scaler must not act on it).
   */
  average(taskIds: readonly string[], now: number, freshMs: number): Average | undefined {
    let n = 0;
    let cpu = 0;
    let memory = 0;
    for (const id of taskIds) {
      const s = this.#tasks.get(id);
      if (!s || now - s.at > freshMs) continue;
      n++;
      cpu += s.cpu;
      memory += s.memory;
    }
    return n === 0 ? undefined : { cpu: cpu / n, memory: memory / n, tasks: n };
  }

  /** The service's one-minute aggregates, oldest first. */
  minutes(service: string): MinuteAggregate[] {
    return (this.#series.get(service) ?? []).map((b) => ({
      minute: b.minute,
      samples: b.samples,
      cpuAvg: b.cpuSum / b.samples,
      memoryAvg: b.memSum / b.samples,
      cpuMax: b.cpuMax,
    }));
  }

  /** Services with a series. */
  services(): string[] {
    return [...this.#series.keys()];
  }
}
