/**
 * The agent's task stats sampler (issue 21): every `intervalMs`, Docker's one-shot stats
 * (`stream=false`: Docker takes two readings about a second apart, so the CPU delta is real)
 * of each running task container, with at most `concurrency` calls at once, summed per task
 * and sent to the scheduler as `BerthAgentV1.ReportTaskStats` (raw usage: the scheduler
 * divides by the reservation). Best effort: a failed sample or report is skipped, the next
 * interval tries again. Must never hold up the agent's task work, and never retry by itself.
 */
import { every, mapLimit } from '@berth/daemon';
import { LABEL_TASK_ARN, type TaskStatsReport, type TaskStatsSample } from '@berth/protocol';

/** The fields of Docker's `GET /containers/{id}/stats` the sampler reads. */
export interface DockerStats {
  readonly cpu_stats?: {
    readonly cpu_usage?: { readonly total_usage?: number; readonly percpu_usage?: number[] };
    readonly system_cpu_usage?: number;
    readonly online_cpus?: number;
  };
  readonly precpu_stats?: {
    readonly cpu_usage?: { readonly total_usage?: number };
    readonly system_cpu_usage?: number;
  };
  readonly memory_stats?: {
    readonly usage?: number;
    readonly stats?: Readonly<Record<string, number>>;
  };
}

/** One container's usage: CPU in ECS units (1024 = a core), memory in MiB. Pure. */
export function usageOf(s: DockerStats): { cpuUnits: number; memoryMiB: number } {
  const cpu = s.cpu_stats;
  const pre = s.precpu_stats;
  const cpuDelta = (cpu?.cpu_usage?.total_usage ?? 0) - (pre?.cpu_usage?.total_usage ?? 0);
  const sysDelta = (cpu?.system_cpu_usage ?? 0) - (pre?.system_cpu_usage ?? 0);
  const cpus = cpu?.online_cpus || cpu?.cpu_usage?.percpu_usage?.length || 1;
  const cores = sysDelta > 0 && cpuDelta > 0 ? (cpuDelta / sysDelta) * cpus : 0;
  const m = s.memory_stats;
  // As `docker stats`: usage minus the page cache (cgroup v2 inactive_file, v1 total_inactive_file).
  const cache = m?.stats?.['inactive_file'] ?? m?.stats?.['total_inactive_file'] ?? 0;
  const mem = Math.max(0, (m?.usage ?? 0) - cache);
  return { cpuUnits: cores * 1024, memoryMiB: mem / (1024 * 1024) };
}

export interface TaskStatsSamplerOptions {
  readonly cluster: string;
  /** The instance ARN (read at each report: it is known only after registration). */
  readonly containerInstance: () => string;
  /** The agent's running containers with their labels. */
  readonly list: () => Promise<
    readonly { id: string; running: boolean; labels: Readonly<Record<string, string>> }[]
  >;
  readonly stats: (id: string) => Promise<DockerStats>;
  readonly report: (r: TaskStatsReport) => Promise<void>;
  /** Between samples (ms, default 10000). */
  readonly intervalMs?: number;
  /** Stats calls at once (default 4). */
  readonly concurrency?: number;
  readonly onError?: (error: unknown) => void;
}

export class TaskStatsSampler {
  readonly #o: TaskStatsSamplerOptions;
  readonly #stop = new AbortController();
  #done: Promise<void> | undefined;

  constructor(o: TaskStatsSamplerOptions) {
    this.#o = o;
  }

  start(): void {
    this.#done ??= this.#run();
  }

  async stop(): Promise<void> {
    this.#stop.abort();
    await this.#done;
  }

  #run(): Promise<void> {
    return every(this.#o.intervalMs ?? 10_000, () => this.sampleOnce(), {
      signal: this.#stop.signal,
      onError: (e) => this.#o.onError?.(e),
    });
  }

  /** One sample of every running task container and its report (none when nothing runs). */
  async sampleOnce(): Promise<TaskStatsReport | undefined> {
    const instance = this.#o.containerInstance();
    if (!instance) return undefined;
    const containers = (await this.#o.list()).filter((c) => c.running && c.labels[LABEL_TASK_ARN]);
    if (containers.length === 0) return undefined;
    const sampledAt = Date.now();
    const usage = await mapLimit(containers, this.#o.concurrency ?? 4, async (c) => {
      try {
        return { arn: c.labels[LABEL_TASK_ARN]!, ...usageOf(await this.#o.stats(c.id)) };
      } catch (e) {
        this.#o.onError?.(e);
        return undefined;
      }
    });
    const byTask = new Map<string, { cpuUnits: number; memoryMiB: number }>();
    for (const u of usage) {
      if (!u) continue;
      const sum = byTask.get(u.arn) ?? { cpuUnits: 0, memoryMiB: 0 };
      byTask.set(u.arn, {
        cpuUnits: sum.cpuUnits + u.cpuUnits,
        memoryMiB: sum.memoryMiB + u.memoryMiB,
      });
    }
    const tasks: TaskStatsSample[] = [...byTask].map(([taskArn, u]) => ({ taskArn, ...u }));
    if (tasks.length === 0 || this.#stop.signal.aborted) return undefined;
    const report: TaskStatsReport = {
      cluster: this.#o.cluster,
      containerInstance: instance,
      sampledAt,
      tasks,
    };
    await this.#o.report(report);
    return report;
  }
}

/**
 * Starts the sampler for an agent on Docker whose client can report stats; undefined (and
 * nothing runs) with another runtime, such a client, or an interval of 0.
 */
export function startTaskStats(
  agent: {
    readonly options: { readonly cluster: string };
    readonly instanceArn: string;
    readonly ownLabels: Record<string, string>;
    readonly client: { reportTaskStats?(r: TaskStatsReport): Promise<void> };
    emit(event: 'warning', message: string, error?: unknown): boolean;
  },
  runtime: {
    list(
      labels: Readonly<Record<string, string>>,
    ): Promise<
      readonly { id: string; running: boolean; labels: Readonly<Record<string, string>> }[]
    >;
    readonly docker?: {
      getContainer(id: string): { stats(o: { stream: false }): Promise<unknown> };
    };
  },
  intervalMs = 10_000,
): TaskStatsSampler | undefined {
  const docker = runtime.docker;
  const client = agent.client;
  if (!docker || !client.reportTaskStats || intervalMs <= 0) return undefined;
  let warned = false;
  const sampler = new TaskStatsSampler({
    cluster: agent.options.cluster,
    containerInstance: () => agent.instanceArn,
    list: () => runtime.list(agent.ownLabels),
    stats: async (id) => (await docker.getContainer(id).stats({ stream: false })) as DockerStats,
    report: async (r) => {
      await client.reportTaskStats!(r);
      warned = false;
    },
    intervalMs,
    onError: (error) => {
      // One warning until a report goes through again: the scheduler may be older or away.
      if (!warned) agent.emit('warning', 'task stats: sampling or reporting failed', error);
      warned = true;
    },
  });
  sampler.start();
  return sampler;
}
