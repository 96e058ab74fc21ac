/**
 * The leader's periodic sweep: tasks on instances whose agent stayed away past --lost-after
 * are marked STOPPED with the lost reason (services replace them), and tasks confirmed STOPPED
 * longer than the retention are deleted from KV, and so are deleted task definitions nothing
 * uses any more. Must never sweep on a follower: it only runs
 * with the leader's ApiContext and stops when leadership ends.
 */
import type { TxnOp } from '@berth/consul';
import { every } from '@berth/daemon';
import type { ApiContext } from '../api/context.js';
import { purgeDeletedTaskDefinitions } from '../api/task-definitions-delete.js';
import { encodeTask } from '../state/records.js';
import type { InstanceRt, TaskRt } from '../state/scheduler-state.js';
import { markLost } from '../core/task-transitions.js';

export interface AgentMonitorOptions {
  readonly lostAfterMs: number;
  /** How long STOPPED tasks stay describable (ECS: at least 1 hour). */
  readonly stoppedTaskTtlMs: number;
  /** Sweep period (default min(1 s, lostAfter / 4)). */
  readonly intervalMs?: number;
  readonly onError: (error: unknown) => void;
}

/** Runs the sweeps until stop(). */
export class AgentMonitor {
  readonly #ctx: ApiContext;
  readonly #o: AgentMonitorOptions;
  #stop: AbortController | undefined;
  #running = false;
  #lastGc = 0;

  constructor(ctx: ApiContext, options: AgentMonitorOptions) {
    this.#ctx = ctx;
    this.#o = options;
  }

  start(): void {
    if (this.#stop && !this.#stop.signal.aborted) return;
    this.#stop = new AbortController();
    const interval = this.#o.intervalMs ?? Math.max(50, Math.min(1000, this.#o.lostAfterMs / 4));
    void every(interval, () => this.sweep(), {
      signal: AbortSignal.any([this.#stop.signal, this.#ctx.signal]),
      onError: this.#o.onError,
      ref: false,
    });
  }

  stop(): void {
    this.#stop?.abort();
  }

  /** One sweep (exposed for tests). */
  async sweep(): Promise<void> {
    if (this.#running || this.#ctx.signal.aborted) return;
    this.#running = true;
    try {
      await this.#lost();
      const now = this.#ctx.now();
      if (now - this.#lastGc >= Math.min(60_000, this.#o.stoppedTaskTtlMs)) {
        this.#lastGc = now;
        await this.#gc(now);
        // Deleted task definitions no task uses any more go with the tasks (issue 18).
        await purgeDeletedTaskDefinitions(this.#ctx);
      }
    } catch (e) {
      if (!this.#ctx.signal.aborted) this.#o.onError(e);
    } finally {
      this.#running = false;
    }
  }

  async #lost(): Promise<void> {
    const { state, layout, persist } = this.#ctx;
    const now = this.#ctx.now();
    const writes: Promise<void>[] = [];
    for (const inst of state.instances.values()) {
      if (inst.pollsInFlight > 0 || now - inst.lastContact < this.#o.lostAfterMs) continue;
      const ops: TxnOp[] = [];
      for (const t of inst.tasks.values()) {
        if (!t.committed) continue;
        const next = markLost(t.rec, now);
        if (!next) continue;
        state.updateTask(t, next);
        ops.push({ verb: 'set', key: layout.task(next), value: encodeTask(next) });
      }
      if (ops.length === 0) continue;
      writes.push(persist.writeMany(ops).then((index) => state.bump(inst, index)));
    }
    await Promise.all(writes);
  }

  async #gc(now: number): Promise<void> {
    const { state, layout, persist } = this.#ctx;
    const byInstance = new Map<string, TaskRt[]>();
    for (const t of state.tasks.values()) {
      const r = t.rec;
      if (!r.done || r.stoppedAt === undefined || now - r.stoppedAt < this.#o.stoppedTaskTtlMs)
        continue;
      const list = byInstance.get(r.instanceId) ?? [];
      list.push(t);
      byInstance.set(r.instanceId, list);
    }
    for (const [instanceId, tasks] of byInstance) {
      const inst: InstanceRt | undefined = state.instances.get(instanceId);
      for (let i = 0; i < tasks.length; i += 62) {
        const chunk = tasks.slice(i, i + 62);
        const ops: TxnOp[] = chunk.map((t) => ({ verb: 'delete', key: layout.task(t.rec) }));
        // Rewriting the instance keeps its assignment version (max ModifyIndex) from going back.
        if (inst) {
          ops.push({
            verb: 'set',
            key: layout.instance(inst.rec.cluster, inst.rec.id),
            value: JSON.stringify(inst.rec),
          });
        }
        const index = await persist.write(ops);
        for (const t of chunk) state.dropTask(t);
        if (inst) state.bump(inst, index);
      }
    }
  }
}
