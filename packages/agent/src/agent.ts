/**
 * The agent engine: registers this host, long-polls the scheduler's assignment list and
 * converges Docker to it (converge.ts), follows Docker events (resync after every reconnect
 * and periodically), adopts containers a previous run left (labels), cleans up stopped tasks
 * and unused images, and tracks how healthy it is. Libraries emit, daemons log: everything
 * worth logging is an event.
 *
 * It must never start a task twice, never stop containers on its own shutdown (only on the
 * scheduler's word or an essential exit), and never touch containers without its labels.
 */

import { EventEmitter } from 'node:events';
import { cpus, arch, totalmem } from 'node:os';
import { RetryAbortedError, backoffDelay, sleep, withRetry } from '@berth/daemon';
import { dueForCleanup, imagesToRemove } from './cleanup.js';
import type { ContainerInfo, ContainerRuntime } from './container-runtime.js';
import { converge, type LocalTask } from './converge.js';
import { type Assignment, LABEL_CLUSTER, LABEL_INSTANCE_ID, LABEL_TASK_ARN } from '@berth/protocol';
import { PullTracker, type PullView } from './image-pull.js';
import { AgentClosedError, SchedulerError } from './errors.js';
import type { PullBehavior } from './pull-policy.js';
import { buildRegistration } from './registration.js';
import { type Report, ReportQueue } from './report-queue.js';
import type { SchedulerClient } from './scheduler-client.js';
import { type AgentStateFile, newInstanceId, readStateFile, writeStateFile } from './state-file.js';
import { type RunnerEvent, TaskRunner } from './task-runner.js';
import { backendStatus } from './task-state.js';

/** Settings of the agent engine (startAgent maps flags to these). */
export interface AgentOptions {
  readonly cluster: string;
  /** Default: the one in the data dir, else a new `i-...`. */
  readonly instanceId?: string;
  readonly advertiseIp: string;
  readonly availabilityZone?: string;
  readonly attributes?: Readonly<Record<string, string>>;
  readonly reservedPorts?: readonly number[];
  readonly reservedMemoryMiB?: number;
  readonly dataDir: string;
  /** How long a stopped task's containers stay (ms, default 10 minutes). */
  readonly cleanupWaitMs?: number;
  readonly imagePullBehavior?: PullBehavior;
  readonly containerDns?: string;
  /** Long-poll wait (s, default 20). */
  readonly pollWaitSeconds?: number;
  /** /health turns degraded when the scheduler has been unreachable this long (ms, 30 s). */
  readonly degradedAfterMs?: number;
  /** Image cleanup starts when the Docker disk is this full (percent, default 85). */
  readonly imageGcThresholdPercent?: number;
  /** Images used more recently than this are kept (ms, default 1 hour). */
  readonly imageGcMinAgeMs?: number;
  /** Period of cleanup and image checks (ms, default 10 s). */
  readonly housekeepingIntervalMs?: number;
  /** Period of the full Docker resync (ms, default 60 s). */
  readonly resyncIntervalMs?: number;
  /** `docker stop` timeout when a container names none (s, default 30). */
  readonly stopTimeoutS?: number;
  /** Host address ports are published on ('' = all, the default). */
  readonly hostIp?: string;
  /** Labels added to every container and volume (tests mark theirs). */
  readonly extraLabels?: Readonly<Record<string, string>>;
  /** First retry delay of scheduler calls (ms, default 100; doubles up to retryMaxMs 5000). */
  readonly retryBaseMs?: number;
  readonly retryMaxMs?: number;
  readonly agentVersion?: string;
}

/** A container as introspection shows it. */
export interface ContainerView {
  readonly name: string;
  readonly dockerId: string | undefined;
  readonly dockerName: string;
  readonly status: string;
  readonly ports: readonly {
    containerPort: number;
    protocol: string;
    hostPort: number;
    hostIp: string;
  }[];
  readonly volumes: readonly { dockerName?: string; source: string; destination: string }[];
  readonly health: string | undefined;
  readonly healthSince: number | undefined;
  readonly exitCode: number | undefined;
  readonly restarts: number;
}

/** A task as introspection shows it. */
export interface TaskView {
  readonly arn: string;
  readonly family: string;
  readonly version: string;
  readonly desiredStatus: string;
  readonly knownStatus: string;
  readonly state: string;
  readonly containers: readonly ContainerView[];
  /** The task's image pull (progress while it runs, then how the image was obtained). */
  readonly pull?: PullView | undefined;
}

/** Events of the agent. */
export interface AgentEvents {
  registered: [arn: string, reRegistered: boolean];
  scheduler: [reachable: boolean, error?: unknown];
  docker: [connected: boolean, error?: unknown];
  runner: [event: RunnerEvent];
  report: [report: Report, attempts: number];
  'report-retry': [report: Report, attempt: number, delayMs: number, error: unknown];
  'report-drop': [report: Report, error: unknown];
  cleanup: [taskArn: string, containers: number];
  'image-removed': [ref: string, usedPercent: number];
  health: [reasons: readonly string[]];
  warning: [message: string, error?: unknown];
}

const FINISHED_MAX = 10_000;

/** The agent engine. */
export class Agent extends EventEmitter<AgentEvents> {
  readonly options: AgentOptions;
  readonly runtime: ContainerRuntime;
  readonly client: SchedulerClient;
  instanceId = '';
  instanceArn = '';
  dockerVersion = '';
  schedulerReachable = false;
  dockerConnected = false;
  /** ms since epoch of the last answer from the scheduler. */
  lastContact = 0;
  readonly #runners = new Map<string, TaskRunner>();
  readonly #awaiting = new Map<string, number>();
  readonly #leftovers = new Map<string, { ids: string[]; stoppedAt: number }>();
  readonly #finished = new Set<string>();
  readonly #images = new Map<string, { lastUsed: number; pulled: boolean }>();
  readonly #abort = new AbortController();
  readonly #pulls = new PullTracker();
  readonly #reports: ReportQueue;
  #version = 0;
  #watch: { close(): void } | undefined;
  #timers: NodeJS.Timeout[] = [];
  #pollLoop: Promise<void> | undefined;
  #lastResync = 0;
  #lastGc = 0;
  #health: readonly string[] = ['starting'];
  #saveTimer: NodeJS.Timeout | undefined;
  #applying: Promise<void> = Promise.resolve();
  #housekeeping: Promise<void> | undefined;

  constructor(options: AgentOptions, runtime: ContainerRuntime, client: SchedulerClient) {
    super();
    this.options = options;
    this.runtime = runtime;
    this.client = client;
    this.#reports = new ReportQueue(client, {
      ...(options.retryBaseMs !== undefined ? { retryBaseMs: options.retryBaseMs } : {}),
      ...(options.retryMaxMs !== undefined ? { retryMaxMs: options.retryMaxMs } : {}),
    });
    this.#reports.on('ack', (r, n) => {
      this.#contact();
      this.emit('report', r, n);
    });
    this.#reports.on('retry', (r, n, d, e) => {
      this.#lost(e);
      this.emit('report-retry', r, n, d, e);
    });
    this.#reports.on('drop', (r, e) => this.emit('report-drop', r, e));
  }

  get #signal(): AbortSignal {
    return this.#abort.signal;
  }

  /** Labels every container of this agent carries. */
  get ownLabels(): Record<string, string> {
    return { [LABEL_INSTANCE_ID]: this.instanceId, [LABEL_CLUSTER]: this.options.cluster };
  }

  /** Reports waiting for the scheduler's acknowledgment. */
  get pendingReports(): number {
    return this.#reports.pending;
  }

  /** Reasons /health is not ok (empty when it is). */
  get healthReasons(): readonly string[] {
    return this.#health;
  }

  /** Identity, registration, adoption inventory, then the loops. Resolves once registered. */
  async start(): Promise<void> {
    const o = this.options;
    const saved = await readStateFile(o.dataDir);
    const same =
      saved && saved.cluster === o.cluster && (!o.instanceId || o.instanceId === saved.instanceId);
    this.instanceId = o.instanceId ?? (same ? saved.instanceId : undefined) ?? newInstanceId();
    if (same) {
      this.instanceArn = saved.containerInstanceArn ?? '';
      for (const [ref, v] of Object.entries(saved.images)) this.#images.set(ref, { ...v });
    }
    this.dockerVersion = await this.#retry(
      'docker version',
      () => this.runtime.version(),
      'docker',
    );
    await this.#register();
    // Events first, then the listing (nothing falls between them); every (re)connect resyncs.
    this.#watch = this.runtime.watch(this.ownLabels, {
      event: (e) => {
        const arn = e.attributes[LABEL_TASK_ARN];
        const runner = arn ? this.#runners.get(arn) : undefined;
        runner?.containerEvent(e.id, e.action, e.attributes);
      },
      connected: () => {
        this.dockerConnected = true;
        this.emit('docker', true);
        this.#updateHealth();
        void this.resync();
      },
      disconnected: (error) => {
        if (this.dockerConnected) this.emit('docker', false, error);
        this.dockerConnected = false;
        this.#updateHealth();
      },
    });
    const found = await this.#retry(
      'list containers',
      () => this.runtime.list(this.ownLabels),
      'docker',
    );
    for (const info of found) {
      const arn = info.labels[LABEL_TASK_ARN];
      if (arn)
        this.#awaiting.set(arn, Math.max(this.#awaiting.get(arn) ?? 0, info.finishedAt ?? 0));
    }
    this.#pollLoop = this.#poll();
    const every = o.housekeepingIntervalMs ?? 10_000;
    this.#timers.push(setInterval(() => void this.housekeeping(), every));
    this.#timers.push(setInterval(() => this.#updateHealth(), Math.min(1000, every)));
    for (const t of this.#timers) t.unref();
  }

  /** The agent's retry delays (`retryBaseMs` doubling to `retryMaxMs`). */
  get #backoff(): { baseMs: number; maxMs: number } {
    return { baseMs: this.options.retryBaseMs ?? 100, maxMs: this.options.retryMaxMs ?? 5000 };
  }

  /** Runs `fn` until it succeeds or the agent closes (then AgentClosedError). */
  async #retry<T>(what: string, fn: () => Promise<T>, kind: 'docker' | 'scheduler'): Promise<T> {
    try {
      return await withRetry(what, fn, {
        ...this.#backoff,
        retries: -1,
        signal: this.#signal,
        retryable: (err) => !(err instanceof AgentClosedError),
        onRetry: (attempt, _delayMs, err) => {
          if (kind === 'scheduler') this.#lost(err);
          else this.emit('docker', false, err);
          this.emit('warning', `${what} failed (attempt ${attempt}), retrying`, err);
        },
      });
    } catch (err) {
      throw err instanceof RetryAbortedError ? new AgentClosedError() : err;
    }
  }

  async #register(): Promise<void> {
    const o = this.options;
    const previous = this.instanceArn;
    const registration = buildRegistration({
      cpus: cpus().length,
      totalMemoryBytes: totalmem(),
      reservedMemoryMiB: o.reservedMemoryMiB ?? 0,
      reservedPorts: o.reservedPorts ?? [22, 2375, 2376, 51678],
      arch: arch(),
      ...(o.availabilityZone ? { availabilityZone: o.availabilityZone } : {}),
      advertiseIp: o.advertiseIp,
      instanceId: this.instanceId,
      attributes: o.attributes ?? {},
      agentVersion: o.agentVersion ?? '0.1.0',
      dockerVersion: this.dockerVersion,
      ...(previous ? { containerInstanceArn: previous } : {}),
    });
    const { containerInstanceArn } = await this.#retry(
      'register',
      () => this.client.register(registration, this.#signal),
      'scheduler',
    );
    this.#contact();
    this.instanceArn = containerInstanceArn;
    this.emit('registered', containerInstanceArn, previous === containerInstanceArn);
    await this.#save();
  }

  #stateFile(): AgentStateFile {
    return {
      cluster: this.options.cluster,
      instanceId: this.instanceId,
      ...(this.instanceArn ? { containerInstanceArn: this.instanceArn } : {}),
      images: Object.fromEntries(this.#images),
    };
  }

  async #save(): Promise<void> {
    await writeStateFile(this.options.dataDir, this.#stateFile());
  }

  #saveSoon(): void {
    if (this.#saveTimer) return;
    this.#saveTimer = setTimeout(() => {
      this.#saveTimer = undefined;
      this.#save().catch((err: unknown) => this.emit('warning', 'cannot save agent state', err));
    }, 1000);
    this.#saveTimer.unref();
  }

  #contact(): void {
    this.lastContact = Date.now();
    if (!this.schedulerReachable) {
      this.schedulerReachable = true;
      this.emit('scheduler', true);
      this.#updateHealth();
    }
  }

  #lost(error: unknown): void {
    if (this.schedulerReachable) {
      this.schedulerReachable = false;
      this.emit('scheduler', false, error);
    }
    this.#updateHealth();
  }

  #updateHealth(): void {
    const reasons: string[] = [];
    const after = this.options.degradedAfterMs ?? 30_000;
    if (!this.schedulerReachable && Date.now() - this.lastContact >= after) {
      reasons.push(
        this.lastContact
          ? `scheduler unreachable since ${new Date(this.lastContact).toISOString()}`
          : 'scheduler not reached yet',
      );
    }
    if (!this.dockerConnected) reasons.push('Docker event stream disconnected');
    if (reasons.join('|') === this.#health.join('|')) return;
    this.#health = reasons;
    this.emit('health', reasons);
  }

  async #poll(): Promise<void> {
    let failures = 0;
    while (!this.#signal.aborted) {
      try {
        const res = await this.client.poll(
          {
            containerInstance: this.instanceArn,
            version: this.#version,
            waitSeconds: this.options.pollWaitSeconds ?? 20,
          },
          this.#signal,
        );
        if (this.#signal.aborted) return;
        failures = 0;
        this.#contact();
        this.#version = res.version;
        try {
          await this.apply(res.tasks);
        } catch (err) {
          // Docker failed while converging: ask again soon (an older version is answered at once).
          this.emit('warning', 'converging to the assignment list failed; retrying', err);
          if (this.#version > 0) this.#version--;
          if (!(await sleep(backoffDelay(++failures, this.#backoff), this.#signal))) return;
        }
      } catch (err) {
        if (this.#signal.aborted || err instanceof AgentClosedError) return;
        failures++;
        this.#lost(err);
        if (err instanceof SchedulerError && !err.retryable) {
          // The scheduler does not know this instance (e.g. it lost its state): register again.
          this.emit('warning', 'poll rejected; registering again', err);
          try {
            this.#version = 0;
            await this.#register();
          } catch {
            return;
          }
          continue;
        }
        if (!(await sleep(backoffDelay(failures, this.#backoff), this.#signal))) return;
      }
    }
  }

  #runnerFor(a: Assignment): TaskRunner {
    const o = this.options;
    return new TaskRunner(
      {
        runtime: this.runtime,
        reports: this.#reports,
        pullBehavior: o.imagePullBehavior ?? 'prefer-cached',
        pulledBefore: (image) => this.#images.get(image)?.pulled === true,
        imageUsed: (image, pulled) => {
          const prev = this.#images.get(image);
          this.#images.set(image, {
            lastUsed: Date.now(),
            pulled: pulled || prev?.pulled === true,
          });
          this.#saveSoon();
        },
        secrets: (taskArn) =>
          this.client.taskSecrets
            ? this.client.taskSecrets(
                { containerInstance: this.instanceArn, task: taskArn },
                this.#signal,
              )
            : Promise.reject(new Error('the scheduler client cannot fetch secrets')),
        emit: (event) => {
          this.#pulls.note(event);
          this.emit('runner', event);
        },
        now: () => Date.now(),
      },
      {
        cluster: o.cluster,
        instanceId: this.instanceId,
        taskArn: a.taskArn,
        taskDefinition: a.taskDefinition,
        ...(a.overrides ? { overrides: a.overrides } : {}),
        ...(o.containerDns ? { containerDns: o.containerDns } : {}),
        ...(o.hostIp !== undefined ? { hostIp: o.hostIp } : {}),
        ...(o.stopTimeoutS !== undefined ? { defaultStopTimeoutS: o.stopTimeoutS } : {}),
        ...(o.extraLabels ? { extraLabels: o.extraLabels } : {}),
        assignment: a,
      },
    );
  }

  /** Converges to one assignment list (exposed for tests; the poll loop calls it). */
  apply(list: readonly Assignment[]): Promise<void> {
    const next = this.#applying.then(() => this.#apply(list));
    this.#applying = next.catch(() => undefined);
    return next;
  }

  async #apply(list: readonly Assignment[]): Promise<void> {
    const local = new Map<string, LocalTask>();
    for (const [arn, r] of this.#runners)
      local.set(arn, { state: r.state, awaitingAdoption: false });
    for (const arn of this.#awaiting.keys())
      local.set(arn, { state: 'NONE', awaitingAdoption: true });
    for (const d of converge(list, local, this.#finished)) {
      switch (d.kind) {
        case 'start': {
          const r = this.#runnerFor(d.assignment);
          this.#runners.set(d.assignment.taskArn, r);
          r.assign();
          break;
        }
        case 'adopt': {
          const found = await this.runtime.list({
            ...this.ownLabels,
            [LABEL_TASK_ARN]: d.assignment.taskArn,
          });
          const r = this.#runnerFor(d.assignment);
          this.#runners.set(d.assignment.taskArn, r);
          this.#awaiting.delete(d.assignment.taskArn);
          r.adopt(found);
          if (d.kill) r.kill(d.kill);
          break;
        }
        case 'kill':
          this.#runners.get(d.taskArn)?.kill(d.reason);
          break;
        case 'vanished': {
          const r = this.#runnerFor(d.assignment);
          this.#runners.set(d.assignment.taskArn, r);
          r.send({ type: 'vanished', reason: d.reason });
          break;
        }
        case 'orphan':
          await this.#orphan(d.taskArn);
          break;
      }
    }
  }

  /** Containers of a task the scheduler no longer lists: stop them, clean them up later. */
  async #orphan(taskArn: string): Promise<void> {
    const finishedAt = this.#awaiting.get(taskArn) ?? 0;
    const found = await this.runtime.list({ ...this.ownLabels, [LABEL_TASK_ARN]: taskArn });
    let stoppedAt = finishedAt || Date.now();
    for (const c of found) {
      if (c.running) {
        await this.runtime.stop(c.id, this.options.stopTimeoutS ?? 30);
        stoppedAt = Date.now();
      }
    }
    this.#awaiting.delete(taskArn);
    this.#leftovers.set(taskArn, { ids: found.map((c) => c.id), stoppedAt });
  }

  /** Compares every task with what Docker shows (after reconnects, and periodically). */
  async resync(): Promise<void> {
    this.#lastResync = Date.now();
    let shown: ContainerInfo[];
    try {
      shown = await this.runtime.list(this.ownLabels);
    } catch (err) {
      this.emit('warning', 'resync failed', err);
      return;
    }
    const byId = new Map(shown.map((c) => [c.id, c]));
    for (const r of this.#runners.values()) r.resync(byId);
  }

  /** Cleanup of stopped tasks, image cleanup and the periodic resync. */
  housekeeping(): Promise<void> {
    // One pass at a time: a slow Docker must not make two passes remove the same task.
    this.#housekeeping ??= this.#housekeep().finally(() => {
      this.#housekeeping = undefined;
    });
    return this.#housekeeping;
  }

  async #housekeep(): Promise<void> {
    const o = this.options;
    const now = Date.now();
    if (now - this.#lastResync >= (o.resyncIntervalMs ?? 60_000)) await this.resync();
    const stopped = [...this.#runners.values()]
      .filter((r) => r.state === 'STOPPED' && r.stoppedAt !== undefined && r.acked === 'STOPPED')
      .map((r) => ({ taskArn: r.arn, stoppedAt: r.stoppedAt as number }));
    for (const [taskArn, l] of this.#leftovers) stopped.push({ taskArn, stoppedAt: l.stoppedAt });
    for (const t of dueForCleanup(stopped, now, o.cleanupWaitMs ?? 600_000, 50)) {
      await this.#cleanup(t.taskArn);
    }
    if (
      now - this.#lastGc >= Math.max(o.housekeepingIntervalMs ?? 10_000, 60_000) ||
      this.#lastGc === 0
    ) {
      this.#lastGc = now;
      await this.imageGc();
    }
  }

  async #cleanup(taskArn: string): Promise<void> {
    const r = this.#runners.get(taskArn);
    const ids = r
      ? r.containers.map((c) => c.dockerId).filter((id): id is string => id !== undefined)
      : (this.#leftovers.get(taskArn)?.ids ?? []);
    try {
      for (const id of ids) await this.runtime.remove(id);
      for (const v of r?.volumes ?? [])
        if (v.taskScoped) await this.runtime.removeVolume(v.dockerName);
    } catch (err) {
      this.emit('warning', `cleanup of ${taskArn} failed`, err);
      return;
    }
    this.#runners.delete(taskArn);
    this.#pulls.forget(taskArn);
    this.#leftovers.delete(taskArn);
    this.#finished.add(taskArn);
    if (this.#finished.size > FINISHED_MAX) {
      this.#finished.delete(this.#finished.values().next().value as string);
    }
    this.emit('cleanup', taskArn, ids.length);
  }

  /** Removes images no container uses, least recently used first, while the disk is too full. */
  async imageGc(): Promise<void> {
    const o = this.options;
    const threshold = o.imageGcThresholdPercent ?? 85;
    try {
      const percent = async (): Promise<number> => {
        const d = await this.runtime.diskUsage();
        return d.totalBytes > 0 ? (100 * d.usedBytes) / d.totalBytes : 0;
      };
      let used = await percent();
      if (used < threshold) return;
      const all = await this.runtime.list({});
      const inUse = new Set(all.flatMap((c) => [c.image, c.imageId]));
      const candidates = imagesToRemove({
        tracked: [...this.#images].map(([ref, v]) => ({ ref, lastUsed: v.lastUsed })),
        inUse,
        usedPercent: used,
        thresholdPercent: threshold,
        nowMs: Date.now(),
        minAgeMs: o.imageGcMinAgeMs ?? 3_600_000,
      });
      for (const img of candidates) {
        if (used < threshold) break;
        if (await this.runtime.removeImage(img.ref)) {
          this.#images.delete(img.ref);
          this.#saveSoon();
          used = await percent();
          this.emit('image-removed', img.ref, used);
        }
      }
    } catch (err) {
      this.emit('warning', 'image cleanup failed', err);
    }
  }

  /** Every task this agent knows, for introspection. */
  tasks(): TaskView[] {
    return [...this.#runners.values()].map((r) => ({
      arn: r.arn,
      family: r.family,
      version: r.version,
      desiredStatus: r.desiredStatus,
      knownStatus: backendStatus(r.state),
      state: r.state,
      containers: r.containers.map((c) => ({
        name: c.name,
        dockerId: c.dockerId,
        dockerName: c.dockerName,
        status: c.status,
        ports: r.bindingsOf(c).map((p) => ({
          containerPort: p.containerPort,
          protocol: p.protocol,
          hostPort: p.hostPort,
          hostIp: p.bindIP,
        })),
        volumes: c.mounts.map((m) => ({
          ...(m.name ? { dockerName: m.name } : {}),
          source: m.source,
          destination: m.destination,
        })),
        health: c.health,
        healthSince: c.healthSince,
        exitCode: c.exitCode,
        restarts: c.restarts,
      })),
      pull: this.#pulls.of(r.arn),
    }));
  }

  /** The runner of a task (tests wait on it). */
  runner(taskArn: string): TaskRunner | undefined {
    return this.#runners.get(taskArn);
  }

  /** Resolves when no report waits for the scheduler. */
  reportsIdle(): Promise<void> {
    return this.#reports.idle();
  }

  /**
   * Agent shutdown (not a kill): stops polling and watching, lets in-flight steps finish,
   * and leaves every container as it is for the next run to adopt.
   */
  async close(): Promise<void> {
    if (this.#signal.aborted) return;
    this.#abort.abort();
    for (const t of this.#timers) clearInterval(t);
    this.#watch?.close();
    for (const r of this.#runners.values()) r.shutdown();
    await Promise.race([
      Promise.all([...this.#runners.values()].map((r) => r.settled())),
      sleep(5000, undefined, { ref: false }),
    ]);
    await this.#pollLoop;
    this.#reports.close();
    if (this.#saveTimer) clearTimeout(this.#saveTimer);
    if (this.instanceId) await this.#save().catch(() => undefined);
  }
}
