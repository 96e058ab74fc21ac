/**
 * The router's request reporter (issue 21, `--scheduler`): every `intervalMs` it takes the
 * counts per upstream instance since the last take and sends everything not yet acknowledged
 * to the scheduler as `BerthAgentV1.ReportRequestCounts`, over the agents' signed, failing-over
 * client. Delivery (see @berth/protocol's request-counts.ts): reports are numbered; counts of a
 * report that failed stay pending and go with the next one, on the same acknowledged base, so
 * the scheduler never counts them twice. It must never block or slow the proxy and never hold
 * unbounded memory: one report in flight at a time, each with a deadline (`timeoutMs`); at
 * most `maxInstances` instances pending (further ones are dropped and counted), and a report
 * that keeps failing only ever re-sends that bounded map.
 */
import { randomUUID } from 'node:crypto';
import { every } from '@berth/daemon';
import type {
  InstanceRequestCount,
  RequestCountsAnswer,
  RequestCountsReport,
} from '@berth/protocol';
import { mergeCounts } from '../core/request-counts.js';

/** The one call the reporter makes (`@berth/agent/scheduler-client` has it). */
export interface RequestCountsClient {
  reportRequestCounts?(
    report: RequestCountsReport,
    signal?: AbortSignal,
  ): Promise<RequestCountsAnswer>;
}

export interface RequestReporterOptions {
  readonly client: RequestCountsClient;
  /** The counts since the last call (RequestCounts.take, or the workers' sum). */
  readonly collect: () => Promise<readonly InstanceRequestCount[]>;
  /** Between reports (ms, default 10000). */
  readonly intervalMs?: number;
  /** Deadline of one report request (ms, default min(interval, 5000)). */
  readonly timeoutMs?: number;
  /** Instances kept pending at most (default 5000, what the scheduler takes in a report). */
  readonly maxInstances?: number;
  readonly routerId?: string;
  readonly now?: () => number;
  readonly onReport?: (r: { sequence: number; instances: number; requests: number }) => void;
  readonly onError?: (e: { error: unknown; sequence: number; pending: number }) => void;
}

/** Runs until stop(). */
export class RequestReporter {
  readonly routerId: string;
  readonly #o: RequestReporterOptions;
  readonly #now: () => number;
  readonly #stop = new AbortController();
  readonly #pending = new Map<string, InstanceRequestCount>();
  #sequence = 0;
  #acknowledged = 0;
  #baseAt: number;
  #done: Promise<void> | undefined;
  /** Requests dropped because the pending map was full. */
  dropped = 0;
  /** Reports delivered and failed. */
  delivered = 0;
  failed = 0;

  constructor(o: RequestReporterOptions) {
    this.#o = o;
    this.#now = o.now ?? Date.now;
    this.routerId = o.routerId ?? randomUUID();
    this.#baseAt = this.#now();
  }

  /** Instances whose counts wait for delivery. */
  get pending(): number {
    return this.#pending.size;
  }

  start(): void {
    this.#done ??= every(intervalOf(this.#o), () => this.report(), {
      signal: this.#stop.signal,
      // report() reports its own failures; this only sees what escaped it.
      onError: (error) =>
        this.#o.onError?.({ error, sequence: this.#sequence, pending: this.#pending.size }),
    });
  }

  async stop(): Promise<void> {
    this.#stop.abort();
    await this.#done;
  }

  /** One round: collect, then send what is pending (exported for the loop and tests). */
  async report(): Promise<boolean> {
    const max = this.#o.maxInstances ?? 5000;
    try {
      this.dropped += mergeCounts(this.#pending, await this.#o.collect(), max);
    } catch (error) {
      this.#o.onError?.({ error, sequence: this.#sequence, pending: this.#pending.size });
    }
    const builtAt = this.#now();
    const report: RequestCountsReport = {
      routerId: this.routerId,
      sequence: ++this.#sequence,
      acknowledged: this.#acknowledged,
      periodMs: Math.max(0, builtAt - this.#baseAt),
      instances: [...this.#pending.values()],
    };
    const timeout = AbortSignal.timeout(this.#o.timeoutMs ?? Math.min(intervalOf(this.#o), 5000));
    try {
      if (!this.#o.client.reportRequestCounts) throw new Error('the client cannot report');
      await this.#o.client.reportRequestCounts(
        report,
        AbortSignal.any([timeout, this.#stop.signal]),
      );
    } catch (error) {
      this.failed++;
      this.#o.onError?.({ error, sequence: report.sequence, pending: this.#pending.size });
      return false;
    }
    this.#acknowledged = report.sequence;
    this.#baseAt = builtAt;
    this.#pending.clear();
    this.delivered++;
    this.#o.onReport?.({
      sequence: report.sequence,
      instances: report.instances.length,
      requests: report.instances.reduce((n, i) => n + i.requests, 0),
    });
    return true;
  }
}

const intervalOf = (o: RequestReporterOptions): number => o.intervalMs ?? 10_000;
