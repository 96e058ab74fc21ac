/**
 * Ten-second statistics per service (issue 21), finer than ServiceMetrics' one-minute
 * aggregates, so alarms and GetMetricStatistics can use high-resolution periods (10 s, 30 s)
 * as well as multiples of a minute: per bucket the count, sum, minimum and maximum of the
 * tasks' CPU and memory utilisation samples. In memory, bounded (`minutes` of buckets per
 * service, default 60). Never reads the clock: callers pass the times.
 */
import type { Utilisation } from './service-metrics.js';

export const BUCKET_MS = 10_000;

export type SeriesMetric = 'cpu' | 'memory';

export interface Stats {
  readonly sampleCount: number;
  readonly sum: number;
  readonly minimum: number;
  readonly maximum: number;
}

/** One period's statistics (`start` in ms). */
export interface Datapoint extends Stats {
  readonly start: number;
  readonly average: number;
}

interface Bucket {
  readonly start: number;
  readonly cpu: { n: number; sum: number; min: number; max: number };
  readonly memory: { n: number; sum: number; min: number; max: number };
}

const empty = (): Bucket['cpu'] => ({ n: 0, sum: 0, min: Infinity, max: -Infinity });

export class MetricSeries {
  readonly #series = new Map<string, Bucket[]>();
  readonly #keep: number;

  constructor(minutes = 60) {
    this.#keep = (minutes * 60_000) / BUCKET_MS;
  }

  record(now: number, service: string, u: Utilisation): void {
    const start = now - (now % BUCKET_MS);
    let list = this.#series.get(service);
    if (!list) this.#series.set(service, (list = []));
    let b = list[list.length - 1];
    if (!b || b.start < start) {
      b = { start, cpu: empty(), memory: empty() };
      list.push(b);
      while (list.length > this.#keep) list.shift();
    } else if (b.start > start) {
      // A sample for an earlier bucket (clock skew between calls): find or skip it.
      b = list.find((x) => x.start === start);
      if (!b) return;
    }
    for (const [k, v] of [
      ['cpu', u.cpu],
      ['memory', u.memory],
    ] as const) {
      const s = b[k];
      s.n++;
      s.sum += v;
      s.min = Math.min(s.min, v);
      s.max = Math.max(s.max, v);
    }
  }

  prune(now: number): void {
    for (const [svc, list] of this.#series) {
      const last = list[list.length - 1];
      if (!last || now - last.start > this.#keep * BUCKET_MS) this.#series.delete(svc);
    }
  }

  /**
   * Datapoints of `metric` for `service` over [startMs, endMs), one per `periodS` window
   * aligned to the epoch (windows without samples are left out), oldest first.
   */
  datapoints(
    service: string,
    metric: SeriesMetric,
    startMs: number,
    endMs: number,
    periodS: number,
  ): Datapoint[] {
    const periodMs = periodS * 1000;
    const out = new Map<number, { n: number; sum: number; min: number; max: number }>();
    for (const b of this.#series.get(service) ?? []) {
      if (b.start < startMs || b.start >= endMs) continue;
      const s = b[metric];
      if (s.n === 0) continue;
      const w = b.start - (b.start % periodMs);
      const acc = out.get(w) ?? empty();
      acc.n += s.n;
      acc.sum += s.sum;
      acc.min = Math.min(acc.min, s.min);
      acc.max = Math.max(acc.max, s.max);
      out.set(w, acc);
    }
    return [...out.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([start, s]) => ({
        start,
        sampleCount: s.n,
        sum: s.sum,
        minimum: s.min,
        maximum: s.max,
        average: s.sum / s.n,
      }));
  }
}

/**
 * The series berth serves for a CloudWatch metric: `AWS/ECS` `CPUUtilization` or
 * `MemoryUtilization` with exactly the dimensions `ClusterName` and `ServiceName`; undefined
 * for any other metric (accepted, never with data).
 */
export function ecsMetric(
  namespace: string,
  metricName: string,
  dimensions: readonly { readonly name: string; readonly value: string }[],
): { service: string; metric: SeriesMetric } | undefined {
  if (namespace !== 'AWS/ECS') return undefined;
  const metric =
    metricName === 'CPUUtilization' ? 'cpu' : metricName === 'MemoryUtilization' ? 'memory' : '';
  if (!metric || dimensions.length !== 2) return undefined;
  const cluster = dimensions.find((d) => d.name === 'ClusterName')?.value;
  const service = dimensions.find((d) => d.name === 'ServiceName')?.value;
  if (!cluster || !service) return undefined;
  return { service: `${cluster}/${service}`, metric };
}

/** The statistic's value of a datapoint. */
export function statisticOf(
  d: Datapoint,
  s: 'Average' | 'Minimum' | 'Maximum' | 'SampleCount' | 'Sum',
): number {
  switch (s) {
    case 'Average':
      return d.average;
    case 'Minimum':
      return d.minimum;
    case 'Maximum':
      return d.maximum;
    case 'SampleCount':
      return d.sampleCount;
    case 'Sum':
      return d.sum;
  }
}
