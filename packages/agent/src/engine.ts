/**
 * The agent engine, the orchestrator only: it converges Docker to each assignment list the
 * scheduler session hands it (core/converge.ts decides; a TaskRunner per task acts), follows
 * Docker events (resync after every reconnect and periodically), adopts containers a previous
 * run left (labels), and wires the session (scheduler-session.ts), housekeeping
 * (housekeeping.ts), identity (identity.ts) and views (views.ts) together. Libraries emit,
 * daemons log: everything worth logging is an event.
 *
 * It must never start a task twice, never stop containers on its own shutdown (only on the
 * scheduler's word or an essential exit), and never touch containers without its labels.
 */

import { EventEmitter } from 'node:events';
import { every, sleep } from '@berth/daemon';
import { type Assignment, LABEL_CLUSTER, LABEL_INSTANCE_ID, LABEL_TASK_ARN } from '@berth/protocol';
import type { ContainerInfo, ContainerRuntime } from './adapters/container-runtime.js';
import type { SchedulerClient } from './adapters/scheduler-client.js';
import { converge, type LocalTask } from './core/converge.js';
import { Housekeeping } from './housekeeping.js';
import { AgentIdentity } from './identity.js';
import { PullTracker } from './image-pull.js';
import { ReportQueue } from './report-queue.js';
import { SchedulerSession } from './scheduler-session.js';
import { TaskRunner } from './task-runner.js';
import { resolveAgentOptions } from './core/agent-settings.js';
import type { AgentEvents, AgentOptions, AgentSettings, TaskView } from './types.js';
import { taskView } from './views.js';

export type { AgentEvents, AgentOptions, AgentSettings, ContainerView, TaskView } from './types.js';

/** The agent engine. */
export class Agent extends EventEmitter<AgentEvents> {
  /** The options, validated (resolveAgentOptions). */
  readonly options: AgentSettings;
  readonly runtime: ContainerRuntime;
  readonly client: SchedulerClient;
  dockerVersion = '';
  dockerConnected = false;
  readonly #runners = new Map<string, TaskRunner>();
  readonly #awaiting = new Map<string, number>();
  readonly #identity: AgentIdentity;
  readonly #abort = new AbortController();
  readonly #pulls = new PullTracker();
  readonly #reports: ReportQueue;
  readonly #session: SchedulerSession;
  readonly #house: Housekeeping;
  #watch: { close(): void } | undefined;
  #timers: NodeJS.Timeout[] = [];
  #pollLoop: Promise<void> | undefined;
  #houseLoop: Promise<void> | undefined;
  #applying: Promise<void> = Promise.resolve();

  constructor(options: AgentOptions, runtime: ContainerRuntime, client: SchedulerClient) {
    super();
    const settings = resolveAgentOptions(options);
    this.options = settings;
    this.runtime = runtime;
    this.client = client;
    this.#identity = new AgentIdentity({
      dataDir: settings.dataDir,
      cluster: settings.cluster,
      instanceId: settings.instanceId,
      instanceArn: () => this.instanceArn,
      warn: (message, err) => this.emit('warning', message, err),
    });
    this.#session = new SchedulerSession({
      options: settings,
      client,
      events: this,
      signal: this.#abort.signal,
      instanceId: () => this.#identity.instanceId,
      dockerVersion: () => this.dockerVersion,
      dockerConnected: () => this.dockerConnected,
      apply: (list) => this.apply(list),
      save: () => this.#identity.save(),
    });
    this.#house = new Housekeeping({
      options: settings,
      runtime,
      events: this,
      runners: this.#runners,
      images: this.#identity.images,
      pulls: this.#pulls,
      resync: () => this.resync(),
      saveSoon: () => this.#identity.saveSoon(),
    });
    this.#reports = new ReportQueue(client, {
      ...(settings.retryBaseMs !== undefined ? { retryBaseMs: settings.retryBaseMs } : {}),
      ...(settings.retryMaxMs !== undefined ? { retryMaxMs: settings.retryMaxMs } : {}),
    });
    this.#reports.on('ack', (r, n) => {
      this.#session.contact();
      this.emit('report', r, n);
    });
    this.#reports.on('retry', (r, n, d, e) => {
      this.#session.lost(e);
      this.emit('report-retry', r, n, d, e);
    });
    this.#reports.on('drop', (r, e) => this.emit('report-drop', r, e));
  }

  get #signal(): AbortSignal {
    return this.#abort.signal;
  }

  /** This host's instance id (`i-...`), saved in the data dir. */
  get instanceId(): string {
    return this.#identity.instanceId;
  }

  /** The container instance ARN the scheduler gave this host. */
  get instanceArn(): string {
    return this.#session.instanceArn;
  }

  /** Whether the last scheduler call succeeded. */
  get schedulerReachable(): boolean {
    return this.#session.reachable;
  }

  /** ms since epoch of the last answer from the scheduler. */
  get lastContact(): number {
    return this.#session.lastContact;
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
    return this.#session.healthReasons;
  }

  /** Identity, registration, adoption inventory, then the loops. Resolves once registered. */
  async start(): Promise<void> {
    const o = this.options;
    this.#session.instanceArn = await this.#identity.load();
    this.dockerVersion = await this.#session.retry(
      'docker version',
      () => this.runtime.version(),
      'docker',
    );
    await this.#session.register();
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
        this.#session.updateHealth();
        void this.resync();
      },
      disconnected: (error) => {
        if (this.dockerConnected) this.emit('docker', false, error);
        this.dockerConnected = false;
        this.#session.updateHealth();
      },
    });
    const found = await this.#session.retry(
      'list containers',
      () => this.runtime.list(this.ownLabels),
      'docker',
    );
    for (const info of found) {
      const arn = info.labels[LABEL_TASK_ARN];
      if (arn)
        this.#awaiting.set(arn, Math.max(this.#awaiting.get(arn) ?? 0, info.finishedAt ?? 0));
    }
    this.#pollLoop = this.#session.poll();
    const interval = o.housekeepingIntervalMs ?? 10_000;
    this.#houseLoop = every(interval, () => this.housekeeping(), {
      signal: this.#signal,
      onError: (err) => this.emit('warning', 'housekeeping failed', err),
      ref: false,
    });
    this.#timers.push(setInterval(() => this.#session.updateHealth(), Math.min(1000, interval)));
    for (const t of this.#timers) t.unref();
  }

  #runnerFor(a: Assignment): TaskRunner {
    const o = this.options;
    return new TaskRunner(
      {
        runtime: this.runtime,
        reports: this.#reports,
        pullBehavior: o.imagePullBehavior ?? 'prefer-cached',
        pulledBefore: (image) => this.#identity.pulledBefore(image),
        imageUsed: (image, pulled) => this.#identity.imageUsed(image, pulled),
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

  /** Converges to one assignment list (the scheduler session calls it for each poll answer). */
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
    for (const d of converge(list, local, this.#house.finished)) {
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
    this.#house.leftover(
      taskArn,
      found.map((c) => c.id),
      stoppedAt,
    );
  }

  /** Compares every task with what Docker shows (after reconnects, and periodically). */
  async resync(): Promise<void> {
    this.#house.lastResync = Date.now();
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
    return this.#house.run();
  }

  /** Removes images no container uses, least recently used first, while the disk is too full. */
  imageGc(): Promise<void> {
    return this.#house.imageGc();
  }

  /** Every task this agent knows, for introspection. */
  tasks(): TaskView[] {
    return [...this.#runners.values()].map((r) => taskView(r, this.#pulls));
  }

  /** The runner of a task (metrics read its times). */
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
    await this.#houseLoop;
    this.#reports.close();
    await this.#identity.close();
  }
}
