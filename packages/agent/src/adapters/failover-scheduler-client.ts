/**
 * A SchedulerClient over several scheduler replicas (issue 15): calls go to the replica that
 * answered last; a retryable failure there (unreachable, cut short, 5xx, no leader) moves the
 * call on to the next replica at once, so an agent never stalls behind a dead replica while
 * another one (a follower forwards to the leader) answers. A rejection (a 4xx the request
 * itself earned) is returned as it is, never retried elsewhere. It keeps no other state.
 */

import type {
  Assignments,
  ContainerReport,
  PollRequest,
  Registration,
  RequestCountsAnswer,
  RequestCountsReport,
  TaskStateChange,
  TaskStatsReport,
} from '@berth/protocol';
import { AgentClosedError, SchedulerError } from '../errors.js';
import type { SchedulerClient } from './scheduler-client.js';

/** Failover over `clients` (one per replica, in the order given). */
export class FailoverSchedulerClient implements SchedulerClient {
  readonly #clients: readonly SchedulerClient[];
  readonly #onSwitch: ((from: number, to: number, error: unknown) => void) | undefined;
  #current = 0;

  constructor(
    clients: readonly SchedulerClient[],
    onSwitch?: (from: number, to: number, error: unknown) => void,
  ) {
    if (clients.length === 0) throw new RangeError('at least one scheduler client');
    this.#clients = clients;
    this.#onSwitch = onSwitch;
  }

  /** Index of the replica calls go to now. */
  get current(): number {
    return this.#current;
  }

  async #call<T>(fn: (c: SchedulerClient) => Promise<T>, signal?: AbortSignal): Promise<T> {
    let last: unknown;
    for (let i = 0; i < this.#clients.length; i++) {
      const index = (this.#current + i) % this.#clients.length;
      try {
        const out = await fn(this.#clients[index]!);
        if (index !== this.#current) {
          this.#onSwitch?.(this.#current, index, last);
          this.#current = index;
        }
        return out;
      } catch (err) {
        if (signal?.aborted || err instanceof AgentClosedError) throw err;
        if (!(err instanceof SchedulerError) || !err.retryable) throw err;
        last = err;
      }
    }
    throw last;
  }

  register(r: Registration, signal?: AbortSignal): Promise<{ containerInstanceArn: string }> {
    return this.#call((c) => c.register(r, signal), signal);
  }

  poll(request: PollRequest, signal?: AbortSignal): Promise<Assignments> {
    return this.#call((c) => c.poll(request, signal), signal);
  }

  reportTask(change: TaskStateChange, signal?: AbortSignal): Promise<void> {
    return this.#call((c) => c.reportTask(change, signal), signal);
  }

  reportContainer(change: ContainerReport, signal?: AbortSignal): Promise<void> {
    return this.#call((c) => c.reportContainer(change, signal), signal);
  }

  deregister(containerInstance: string, force: boolean, signal?: AbortSignal): Promise<void> {
    return this.#call((c) => c.deregister(containerInstance, force, signal), signal);
  }

  reportTaskStats(report: TaskStatsReport, signal?: AbortSignal): Promise<void> {
    return this.#call((c) => c.reportTaskStats?.(report, signal) ?? Promise.resolve(), signal);
  }

  reportRequestCounts(
    report: RequestCountsReport,
    signal?: AbortSignal,
  ): Promise<RequestCountsAnswer> {
    return this.#call((c) => {
      if (!c.reportRequestCounts)
        throw new SchedulerError('ReportRequestCounts unsupported', false);
      return c.reportRequestCounts(report, signal);
    }, signal);
  }
}
