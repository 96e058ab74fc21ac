/**
 * Runs the catalog's own health checks (HTTP, TCP, TTL, script) on timers and reports their results
 * to the store through one callback. Scheduling follows Consul's agent: a random first delay
 * in [0, interval), then one interval after each run ends, so runs of a check never overlap;
 * intervals under a minimum (1 s) are raised. Only changed results are reported, so a steady
 * check never touches the store. It must never throw from a timer, never report for a check
 * after it was removed or replaced, and never keep the process alive on its own (timers are
 * unref'd).
 */

import diagnostics_channel from 'node:diagnostics_channel';
import { CheckError } from './errors.js';
import { probeHttp } from './http-probe.js';
import type { ProbeOutcome } from './http-probe.js';
import { DEFAULT_SCRIPT_TIMEOUT_MS, probeScript } from './script-probe.js';
import { probeTcp } from './tcp-probe.js';
import type { CheckResult, CheckSpec, CheckStatus } from './types.js';

/** diagnostics_channel on which the runner publishes what the daemon should log. */
export const CHECKS_CHANNEL = 'berth:catalog:checks';
const channel = diagnostics_channel.channel(CHECKS_CHANNEL);

/** Consul's `MinInterval`. */
export const DEFAULT_MIN_INTERVAL_MS = 1000;
/** Consul's default HTTP and TCP check timeout. */
export const DEFAULT_TIMEOUT_MS = 10_000;

/** Options of a CheckRunner. */
export interface CheckRunnerOptions {
  /** Source of the first-run stagger, in [0, 1); default Math.random. */
  random?: () => number;
  /** Intervals below this are raised to it; default 1000 ms. */
  minIntervalMs?: number;
}

interface Entry {
  readonly spec: CheckSpec;
  timer: NodeJS.Timeout | undefined;
  readonly abort: AbortController;
  last: { status: CheckStatus; output: string } | undefined;
  /** The output of the last TTL update, quoted when the TTL expires. */
  ttlOutput: string;
}

const TTL_EXPIRED = 'TTL expired';

/** Runs HTTP, TCP, TTL and script checks and reports each change of result. */
export class CheckRunner {
  private readonly entries = new Map<string, Entry>();
  private readonly random: () => number;
  private readonly minIntervalMs: number;
  private closed = false;

  constructor(
    private readonly onResult: (r: CheckResult) => void,
    options: CheckRunnerOptions = {},
  ) {
    this.random = options.random ?? Math.random;
    this.minIntervalMs = options.minIntervalMs ?? DEFAULT_MIN_INTERVAL_MS;
  }

  /**
   * Starts running a check, replacing (and stopping) any check with the same ID.
   * @throws CheckError when the spec cannot be scheduled (no ID, unknown kind, no interval or
   *   TTL). A bad URL or address is no error: the check runs and reports critical.
   */
  add(spec: CheckSpec): void {
    if (this.closed) throw new CheckError(spec.checkId, 'the check runner is closed');
    validate(spec);
    this.remove(spec.checkId);
    const entry: Entry = {
      spec: { ...spec, header: copyHeader(spec.header) },
      timer: undefined,
      abort: new AbortController(),
      last: undefined,
      ttlOutput: '',
    };
    this.entries.set(spec.checkId, entry);
    if (spec.kind === 'ttl') {
      this.armTtl(entry);
      return;
    }
    const interval = this.intervalOf(spec);
    const first = Math.floor(Math.min(Math.max(this.random(), 0), 1) * interval);
    this.schedule(entry, Math.min(first, Math.max(interval - 1, 0)));
  }

  /** Stops a check; a run in flight is cancelled and its result dropped. Unknown IDs are ignored. */
  remove(checkId: string): void {
    const entry = this.entries.get(checkId);
    if (entry === undefined) return;
    this.entries.delete(checkId);
    clearTimeout(entry.timer);
    entry.abort.abort();
  }

  /**
   * Restarts a TTL check's timer after the store applied a pass/warn/fail/update. The next
   * expiry is reported even if the previous report was also an expiry.
   * @param output the update's output, quoted in the expiry message as Consul does.
   * @returns false when no TTL check has that ID.
   */
  ttlUpdate(checkId: string, output = ''): boolean {
    const entry = this.entries.get(checkId);
    if (entry === undefined || entry.spec.kind !== 'ttl') return false;
    entry.last = undefined;
    entry.ttlOutput = output;
    this.armTtl(entry);
    return true;
  }

  /** The IDs of the checks being run. */
  ids(): string[] {
    return [...this.entries.keys()];
  }

  /** Stops every check; later add() calls throw. */
  close(): void {
    this.closed = true;
    for (const id of [...this.entries.keys()]) this.remove(id);
  }

  private intervalOf(spec: CheckSpec): number {
    return Math.max(spec.intervalMs, this.minIntervalMs);
  }

  private armTtl(entry: Entry): void {
    clearTimeout(entry.timer);
    entry.timer = setTimeout(() => {
      entry.timer = undefined;
      if (!this.isCurrent(entry)) return;
      const output =
        entry.ttlOutput === ''
          ? TTL_EXPIRED
          : `${TTL_EXPIRED} (last output before timeout follows): ${entry.ttlOutput}`;
      this.report(entry, { status: 'critical', output });
    }, entry.spec.ttlMs);
    entry.timer.unref();
  }

  private schedule(entry: Entry, delayMs: number): void {
    entry.timer = setTimeout(() => {
      entry.timer = undefined;
      void this.run(entry);
    }, delayMs);
    entry.timer.unref();
  }

  private async run(entry: Entry): Promise<void> {
    if (!this.isCurrent(entry)) return;
    const outcome = await this.probe(entry);
    if (!this.isCurrent(entry)) return;
    this.report(entry, outcome);
    if (this.isCurrent(entry)) this.schedule(entry, this.intervalOf(entry.spec));
  }

  private probe(entry: Entry): Promise<ProbeOutcome> {
    const { spec } = entry;
    if (spec.kind === 'script') {
      const ms = spec.timeoutMs > 0 ? spec.timeoutMs : DEFAULT_SCRIPT_TIMEOUT_MS;
      return probeScript(spec.args ?? [], spec.script ?? '', ms, entry.abort.signal);
    }
    const timeoutMs = spec.timeoutMs > 0 ? spec.timeoutMs : DEFAULT_TIMEOUT_MS;
    if (spec.kind === 'tcp') return probeTcp(spec.tcp ?? '', timeoutMs, entry.abort.signal);
    return probeHttp(
      {
        url: spec.http ?? '',
        method: spec.method === undefined || spec.method === '' ? 'GET' : spec.method,
        header: spec.header ?? {},
        body: spec.body ?? '',
        tlsSkipVerify: spec.tlsSkipVerify ?? false,
        tlsServerName: spec.tlsServerName ?? '',
        timeoutMs,
      },
      entry.abort.signal,
    );
  }

  private isCurrent(entry: Entry): boolean {
    return this.entries.get(entry.spec.checkId) === entry;
  }

  private report(entry: Entry, outcome: ProbeOutcome): void {
    const last = entry.last;
    if (last !== undefined && last.status === outcome.status && last.output === outcome.output) {
      return;
    }
    entry.last = { status: outcome.status, output: outcome.output };
    try {
      this.onResult({ checkId: entry.spec.checkId, ...outcome });
    } catch (error) {
      // A throwing store callback must not kill the timer loop or the process.
      if (channel.hasSubscribers) {
        channel.publish({ event: 'result-handler-error', checkId: entry.spec.checkId, error });
      }
    }
  }
}

function validate(spec: CheckSpec): void {
  const id = spec.checkId;
  if (typeof id !== 'string' || id === '') throw new CheckError(String(id), 'checkId is required');
  // A malformed URL or address is not refused here: as in Consul, the check runs and reports
  // critical with the error text, so the user sees why.
  switch (spec.kind) {
    case 'http':
    case 'tcp':
      break;
    case 'script':
      if ((spec.args ?? []).length === 0 && (spec.script ?? '') === '') {
        throw new CheckError(id, 'a script check needs args or a script');
      }
      break;
    case 'ttl':
      if (!(spec.ttlMs > 0)) throw new CheckError(id, `ttlMs must be > 0, got ${spec.ttlMs}`);
      return;
    default:
      throw new CheckError(
        id,
        `kind must be http, tcp, ttl or script, got ${JSON.stringify(spec.kind)}`,
      );
  }
  if (!(spec.intervalMs > 0)) {
    throw new CheckError(id, `intervalMs must be > 0, got ${spec.intervalMs}`);
  }
}

function copyHeader(
  header: Record<string, string[]> | undefined,
): Record<string, string[]> | undefined {
  if (header === undefined) return undefined;
  return Object.fromEntries(Object.entries(header).map(([k, v]) => [k, [...v]]));
}
