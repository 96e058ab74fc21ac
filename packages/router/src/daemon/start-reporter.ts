/**
 * Starts the request count reporter of `--scheduler` (issue 21) for a router process or, with
 * `--workers`, for the primary (which sums what its workers counted): the scheduler client is
 * the agents' (`@berth/agent/scheduler-client`: SigV4 with the standard credentials chain,
 * failover between replicas). It logs only through the logger it is given, and never exits.
 */
import type { Logger } from '@berth/daemon';
import type { InstanceRequestCount } from '@berth/protocol';
import { connectScheduler, schedulerUrls } from '@berth/agent/scheduler-client';
import { RequestReporter, type RequestReporterOptions } from '../adapters/request-reporter.js';
import { RouterConfigError } from '../errors.js';

/** The options of `berth router` the reporter reads. */
export interface ReporterConfig {
  readonly scheduler?: readonly string[] | undefined;
  readonly reportInterval: number;
  readonly region: string;
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/**
 * Log lines for the reporter's events: a warning when reports start failing (then debug while
 * they keep failing, so a scheduler that stays down does not flood the log), info when one is
 * delivered again.
 */
export function reportLogging(
  log: Logger,
): Required<Pick<RequestReporterOptions, 'onReport' | 'onError'>> {
  let failing = false;
  return {
    onReport: (r) => {
      if (failing) log.info(r, 'request counts delivered to the scheduler again');
      else log.debug(r, 'request counts reported');
      failing = false;
    },
    onError: (e) => {
      const fields = { err: e.error, sequence: e.sequence, pending: e.pending };
      if (failing) log.debug(fields, 'request count report failed again');
      else log.warn(fields, 'request count report failed; the counts wait for the next');
      failing = true;
    },
  };
}

/** The reporter, started; undefined without `--scheduler`. */
export async function startReporter(
  c: ReporterConfig,
  collect: () => Promise<readonly InstanceRequestCount[]>,
  events: Pick<RequestReporterOptions, 'onReport' | 'onError'> = {},
): Promise<RequestReporter | undefined> {
  if (!c.scheduler?.length) return undefined;
  if (!(c.reportInterval >= 100)) {
    throw new RouterConfigError('reportInterval', 'must be at least 100ms');
  }
  let urls: string[];
  try {
    urls = schedulerUrls(c.scheduler.join(','));
  } catch (e) {
    throw new RouterConfigError('scheduler', (e as Error).message);
  }
  const timeoutMs = Math.min(c.reportInterval, 5000);
  const client = await connectScheduler({
    urls,
    cluster: 'default',
    region: c.region,
    env: c.env ?? process.env,
    timeoutMs,
  });
  const reporter = new RequestReporter({
    client,
    collect,
    intervalMs: c.reportInterval,
    timeoutMs,
    ...events,
  });
  reporter.start();
  return reporter;
}
