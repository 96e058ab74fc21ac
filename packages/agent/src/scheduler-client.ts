/**
 * `@berth/agent/scheduler-client`: the signed client of the scheduler's endpoint on its own,
 * for other daemons that report to the scheduler over the agents' channel (the router's
 * ReportRequestCounts). One place builds it: HTTP clients per replica, SigV4 with the standard
 * credentials chain, failover between replicas. It loads nothing of Docker; it must never
 * retry by itself (callers decide) nor put a credential in an error.
 */
import { loadCredentials } from './adapters/aws-credentials.js';
import { FailoverSchedulerClient } from './adapters/failover-scheduler-client.js';
import { HttpSchedulerClient } from './adapters/http-scheduler-client.js';
import type { SchedulerClient } from './adapters/scheduler-client.js';

export {
  HttpSchedulerClient,
  type HttpSchedulerClientOptions,
} from './adapters/http-scheduler-client.js';
export { FailoverSchedulerClient } from './adapters/failover-scheduler-client.js';
export { loadCredentials, type AwsCredentials } from './adapters/aws-credentials.js';
export type { SchedulerClient } from './adapters/scheduler-client.js';
export { schedulerUrls } from './daemon/options.js';
export { SchedulerError, AgentClosedError, CredentialsError } from './errors.js';

/** What {@link connectScheduler} needs. */
export interface ConnectSchedulerOptions {
  /** One URL per replica (schedulerUrls). */
  readonly urls: readonly string[];
  readonly cluster: string;
  readonly region: string;
  /** Where credentials come from (AWS_ACCESS_KEY_ID..., shared files); read per request. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Timeout of a request other than a poll (ms). */
  readonly timeoutMs?: number;
}

/**
 * The scheduler client over `urls`: fails at once (CredentialsError) when no credentials are
 * found, so a daemon refuses to start rather than failing every call.
 */
export async function connectScheduler(o: ConnectSchedulerOptions): Promise<SchedulerClient> {
  await loadCredentials(o.env);
  const clients = o.urls.map(
    (endpoint) =>
      new HttpSchedulerClient({
        endpoint,
        cluster: o.cluster,
        region: o.region,
        credentials: () => loadCredentials(o.env),
        ...(o.timeoutMs !== undefined && { timeoutMs: o.timeoutMs }),
      }),
  );
  // Several replicas: calls fail over to the next one that answers.
  return clients.length === 1 ? clients[0]! : new FailoverSchedulerClient(clients);
}
