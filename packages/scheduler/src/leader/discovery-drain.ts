/**
 * Takes a service's task out of service discovery before the service loop stops it (issue 15):
 * its Consul services (found by the registrator's `berth-container` Meta, i.e. the task's
 * Docker container IDs) go into maintenance, the drain waits until the catalog no longer lists
 * them as passing (what the routers and DNS watch), then `delayMs` more for the routers to swap
 * their tables and finish requests in flight; only then may the task be stopped. So a rolling
 * update or a scale-in never sends a client to a container that is shutting down.
 * It never stops anything itself and never blocks a stop for longer than its bounds: a drain
 * that fails (no Consul, no registration) lets the stop go ahead.
 * Limitation: it uses the Consul agent API of the catalog the scheduler talks to, which holds
 * every registration with berth's single-node catalog; with a Consul cluster the services
 * live on each host's agent, which this does not reach.
 */
import type { ConsulClient } from '@berth/consul';
import { sleep } from '@berth/daemon';
import { META_CONTAINER } from '@berth/protocol';

export interface DiscoveryDrainOptions {
  readonly consul: ConsulClient;
  /** Wait after the catalog stopped listing the task (default 2 s); 0 turns draining off. */
  readonly delayMs: number;
  /** Longest wait for the catalog to stop listing it as passing (default 5 s). */
  readonly timeoutMs?: number;
  /** The drain of a task of `cluster` finished: time for another pass. */
  readonly onDrained: (cluster: string) => void;
  readonly onError: (error: unknown) => void;
  readonly signal: AbortSignal;
}

/** Per-leadership drains of tasks the service loop wants to stop. */
export class DiscoveryDrain {
  readonly #o: DiscoveryDrainOptions;
  readonly #state = new Map<string, 'draining' | 'drained'>();

  constructor(options: DiscoveryDrainOptions) {
    this.#o = options;
  }

  /**
   * Whether the task may be stopped now. The first call starts its drain and answers false;
   * `onDrained` tells when to ask again.
   */
  ready(taskArn: string, containerIds: readonly string[], cluster: string): boolean {
    if (this.#o.delayMs <= 0 || containerIds.length === 0) return true;
    const state = this.#state.get(taskArn);
    if (state === 'drained') return true;
    if (state === 'draining') return false;
    this.#state.set(taskArn, 'draining');
    void this.#drain(containerIds)
      .catch((error: unknown) => this.#o.onError(error))
      .finally(() => {
        this.#state.set(taskArn, 'drained');
        if (!this.#o.signal.aborted) this.#o.onDrained(cluster);
      });
    return false;
  }

  /** Forgets the tasks among `seen` (one service's) that are no longer wanted running. */
  forget(seen: ReadonlySet<string>, wanted: ReadonlySet<string>): void {
    for (const arn of this.#state.keys()) {
      if (seen.has(arn) && !wanted.has(arn)) this.#state.delete(arn);
    }
  }

  async #drain(containerIds: readonly string[]): Promise<void> {
    const { consul, signal } = this.#o;
    const listed = await consul.agentServices(signal);
    const mine = (id: string | undefined): boolean =>
      !!id && containerIds.some((c) => c.startsWith(id) || id.startsWith(c));
    const services = Object.values(listed).filter((s) => mine(s.Meta?.[META_CONTAINER]));
    if (services.length === 0) return;
    for (const s of services) {
      await consul.agentServiceMaintenance(
        s.ID,
        true,
        'draining before the task stops (berth scheduler)',
        signal,
      );
    }
    const ids = new Set(services.map((s) => s.ID));
    const names = [...new Set(services.map((s) => s.Service))];
    const deadline = Date.now() + (this.#o.timeoutMs ?? 5000);
    while (Date.now() < deadline && !this.#o.signal.aborted) {
      let listedPassing = false;
      for (const name of names) {
        const r = await consul.healthService(name);
        for (const e of r.body ?? []) {
          const passing = (e.Checks ?? []).every((c) => c.Status === 'passing');
          if (passing && ids.has(e.Service?.ID ?? '')) listedPassing = true;
        }
      }
      if (!listedPassing) break;
      if (!(await sleep(100, this.#o.signal))) return;
    }
    await sleep(this.#o.delayMs, this.#o.signal);
  }
}
