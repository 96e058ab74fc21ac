/**
 * The last hour of numbers behind the small charts: request counters per route from the
 * routers' `/metrics` and running counts per service, kept as bounded series in memory, and
 * turned into rates. Pure data structures (time is always passed in); must never fetch.
 */
import type { Series } from './view-types.js';

/** One sample line of Prometheus' text format. */
export interface MetricSample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/** Parses Prometheus' text format (comments skipped, malformed lines ignored). */
export function parseMetrics(text: string, only?: string): MetricSample[] {
  const out: MetricSample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = LINE.exec(line);
    if (!m) continue;
    const name = m[1] as string;
    if (only !== undefined && name !== only) continue;
    const value = Number(m[4]);
    if (!Number.isFinite(value)) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[3] ?? '').matchAll(LABEL)) {
      labels[l[1] as string] = (l[2] as string).replace(/\\(.)/g, (_, c: string) =>
        c === 'n' ? '\n' : c,
      );
    }
    out.push({ name, labels, value });
  }
  return out;
}

/** Requests and 5xx answers per route, summed over every router's `/metrics` text. */
export function routeCounters(
  texts: readonly string[],
): Map<string, { requests: number; errors: number }> {
  const out = new Map<string, { requests: number; errors: number }>();
  for (const text of texts) {
    for (const s of parseMetrics(text, 'berth_router_requests_total')) {
      const route = s.labels['route'] ?? '';
      if (route === '') continue;
      const c = out.get(route) ?? { requests: 0, errors: 0 };
      c.requests += s.value;
      if ((s.labels['status'] ?? '').startsWith('5')) c.errors += s.value;
      out.set(route, c);
    }
  }
  return out;
}

/**
 * Per-second rates between consecutive samples of a counter; a counter that went down (a
 * restarted router) counts from zero again.
 */
export function rates(counter: Series): Series {
  const out: [number, number][] = [];
  for (let i = 1; i < counter.length; i++) {
    const [t0, v0] = counter[i - 1] as readonly [number, number];
    const [t1, v1] = counter[i] as readonly [number, number];
    const dt = (t1 - t0) / 1000;
    if (dt <= 0) continue;
    const delta = v1 >= v0 ? v1 - v0 : v1;
    out.push([t1, Math.round((delta / dt) * 100) / 100]);
  }
  return out;
}

/** Adds series point by point on matching times (rates of several routes into one service). */
export function sumSeries(list: readonly Series[]): Series {
  const byTime = new Map<number, number>();
  for (const s of list) for (const [t, v] of s) byTime.set(t, (byTime.get(t) ?? 0) + v);
  return [...byTime.entries()].sort((a, b) => a[0] - b[0]);
}

/** Named series bounded by age: what the console remembers of the last hour. */
export class SeriesStore {
  readonly #series = new Map<string, [number, number][]>();
  readonly #keepMs: number;
  readonly #maxPoints: number;

  constructor(keepMs = 3_600_000, maxPoints = 720) {
    this.#keepMs = keepMs;
    this.#maxPoints = maxPoints;
  }

  /** Appends a point (a point at the same time as the last one replaces it). */
  add(key: string, time: number, value: number): void {
    let s = this.#series.get(key);
    if (!s) this.#series.set(key, (s = []));
    const last = s[s.length - 1];
    if (last && last[0] === time) last[1] = value;
    else if (!last || last[0] < time) s.push([time, value]);
    while (
      s.length > this.#maxPoints ||
      (s.length > 0 && (s[0] as [number, number])[0] < time - this.#keepMs)
    ) {
      s.shift();
    }
  }

  /** The points of the last `keepMs` before `now`. */
  get(key: string, now: number): Series {
    const s = this.#series.get(key) ?? [];
    return s.filter(([t]) => t >= now - this.#keepMs).map(([t, v]) => [t, v] as const);
  }

  /** Keys starting with `prefix`. */
  keys(prefix: string): string[] {
    return [...this.#series.keys()].filter((k) => k.startsWith(prefix));
  }
}
