/**
 * One task on this host: its record (state, containers, times, reasons), the queue its events
 * are handled on, in order and one at a time, and the dispatch of the state machine's actions
 * (task-state.ts) to their hooks (task-hooks.ts: pull, create, start, stop), plus restarting
 * one container and reporting. Action outcomes come back as new events; adopting containers a
 * previous run left is the `adopted` event.
 *
 * It must never decide a transition itself (task-state.ts does), never report out of order
 * (the ReportQueue keeps order per task) and never touch a container that is not its own.
 */

import type { Assignment, BackendStatus, NetworkBinding, TaskStateChange } from '@berth/protocol';
import { LABEL_CONTAINER_NAME } from '@berth/protocol';
import { describeDockerError } from '@berth/docker';
import type { ContainerInfo } from './adapters/container-runtime.js';
import {
  type ContainerRecord,
  absorb,
  bindingsOf,
  containerChange,
  containerRecords,
  taskStateChange,
} from './core/container-record.js';
import {
  type PlannedVolume,
  type TaskPlan,
  type TaskPlanInput,
  planTask,
} from './core/docker-config.js';
import { shouldRestart } from './core/restart-policy.js';
import {
  type AdoptedAs,
  type TaskAction,
  type TaskEvent,
  type TaskState,
  isStopping,
  transition,
} from './core/task-state.js';
import type { RunnerContext } from './runner-context.js';
import { createContainers, pullImages, startContainers, stopContainers } from './task-hooks.js';
import { TaskSecrets } from './task-secrets.js';

export type { ContainerRecord, ContainerStatus } from './core/container-record.js';
export type { RunnerContext, RunnerEvent } from './runner-context.js';

const STOP_RETRY: TaskEvent = { type: 'failed', reason: 'stop retry' };

/** A task on this host. */
export class TaskRunner {
  readonly arn: string;
  readonly family: string;
  readonly version: string;
  state: TaskState = 'NONE';
  desiredStatus: 'RUNNING' | 'STOPPED';
  stopReason: string | undefined;
  readonly containers: ContainerRecord[];
  readonly volumes: readonly PlannedVolume[];
  readonly networkMode: string;
  readonly assignedAt: number;
  runningAt: number | undefined;
  stoppedAt: number | undefined;
  pullStartedAt: number | undefined;
  pullStoppedAt: number | undefined;
  /** The last status handed to the report queue, and the last one acknowledged. */
  reported: BackendStatus | undefined;
  acked: BackendStatus | undefined;
  /** Set on shutdown: later events are ignored, containers are left as they are. */
  detached = false;
  readonly #ctx: RunnerContext;
  readonly #planError: string | undefined;
  readonly #secrets: TaskSecrets;
  #chain: Promise<void> = Promise.resolve();

  constructor(ctx: RunnerContext, input: TaskPlanInput & { readonly assignment: Assignment }) {
    this.#ctx = ctx;
    this.arn = input.taskArn;
    const td = input.taskDefinition;
    this.family = td.family;
    this.version = String(td.revision);
    this.desiredStatus = input.assignment.desiredStatus;
    this.assignedAt = ctx.now();
    const fetchSecrets = ctx.secrets;
    this.#secrets = new TaskSecrets(td, fetchSecrets && (() => fetchSecrets(this.arn)));
    let plan: TaskPlan | undefined;
    try {
      plan = planTask(input);
    } catch (err) {
      this.#planError = `CannotCreateContainerError: ${err instanceof Error ? err.message : String(err)}`;
    }
    this.networkMode = plan?.networkMode ?? td.networkMode ?? 'bridge';
    this.volumes = plan?.volumes ?? [];
    this.containers = containerRecords(td, plan);
  }

  /** Waits until every event queued so far has been handled (tests, shutdown). */
  settled(): Promise<void> {
    return this.#chain;
  }

  /** Queues an event of the state machine. */
  send(event: TaskEvent): void {
    this.#enqueue(() => this.#handle(event));
  }

  #enqueue(step: () => Promise<void>): void {
    this.#chain = this.#chain.then(step).catch((error: unknown) => {
      this.#ctx.emit({ type: 'error', taskArn: this.arn, op: 'event', error });
    });
  }

  /** Starts the task (a new assignment). */
  assign(): void {
    if (this.#planError) this.send({ type: 'failed', reason: this.#planError });
    else this.send({ type: 'assign' });
  }

  /**
   * Takes over containers a previous agent run left (from their labels), and sets the state
   * they show. Called before any event of this runner.
   */
  adopt(containers: readonly ContainerInfo[]): void {
    for (const info of containers) {
      const rec = this.containers.find((c) => c.name === info.labels[LABEL_CONTAINER_NAME]);
      if (rec) absorb(rec, info);
    }
    const present = this.containers.filter((c) => c.dockerId !== undefined);
    const exited = present.filter((c) => c.status === 'STOPPED');
    const complete = present.length === this.containers.length;
    const found: AdoptedAs =
      complete && present.every((c) => c.status === 'RUNNING')
        ? 'running'
        : exited.length > 0
          ? complete
            ? 'exited'
            : 'partly-exited'
          : 'incomplete';
    const event: TaskEvent = { type: 'adopted', found };
    const t = transition(this.state, event);
    this.state = t.state;
    if (found === 'running') {
      this.runningAt = Math.max(...present.map((c) => c.startedAt ?? 0)) || this.#ctx.now();
    }
    this.#ctx.emit({ type: 'state', taskArn: this.arn, state: this.state, reason: 'adopted' });
    for (const action of t.actions) this.#enqueue(() => this.#act(action, event));
    // Exits while no agent watched are handled each as it happens; an incomplete task goes on
    // creating (names make it idempotent).
    for (const c of exited) this.#enqueue(() => this.#exited(c, c.exitCode, 'adopted'));
    if (found === 'incomplete') this.send({ type: 'pulled' });
  }

  /** The scheduler wants it stopped (or no longer assigns it). */
  kill(reason: string): void {
    this.desiredStatus = 'STOPPED';
    this.send({ type: 'kill', reason });
  }

  /** Agent shutdown: leave the containers running. */
  shutdown(): void {
    this.send({ type: 'shutdown' });
  }

  /** Docker says a container of ours died (or was destroyed): check and handle it. */
  containerEvent(
    dockerId: string,
    action: string,
    attributes: Readonly<Record<string, string>>,
  ): void {
    const rec = this.containers.find((c) => c.dockerId === dockerId);
    if (!rec) return;
    if (action === 'health_status') {
      const health = attributes['health_status'];
      if (health && health !== rec.health) {
        rec.health = health;
        rec.healthSince = this.#ctx.now();
        this.#ctx.emit({ type: 'health', taskArn: this.arn, container: rec.name, health });
        // Tell the scheduler: services wait for HEALTHY and replace UNHEALTHY tasks.
        if (rec.status === 'RUNNING' && this.state === 'RUNNING') {
          this.#enqueue(() => this.#reportContainer(rec.name));
        }
      }
      return;
    }
    if (action !== 'die' && action !== 'destroy' && action !== 'oom') return;
    this.#enqueue(async () => {
      if (rec.status !== 'RUNNING') return;
      const info = await this.#ctx.runtime.inspect(dockerId);
      if (info?.running) return; // restarted meanwhile
      if (info) absorb(rec, info);
      else rec.status = 'STOPPED';
      await this.#exited(rec, info?.exitCode, info ? 'exited' : 'removed');
    });
  }

  /** Compares the record with what Docker shows (after a reconnect, and periodically). */
  resync(shown: ReadonlyMap<string, ContainerInfo>): void {
    for (const rec of this.containers) {
      if (rec.dockerId === undefined || rec.status !== 'RUNNING') continue;
      const info = shown.get(rec.dockerId);
      if (info?.running) {
        if (info.health && info.health !== rec.health) {
          this.containerEvent(rec.dockerId, 'health_status', { health_status: info.health });
        }
        continue;
      }
      this.containerEvent(rec.dockerId, info ? 'die' : 'destroy', {});
    }
  }

  async #exited(rec: ContainerRecord, exitCode: number | undefined, how: string): Promise<void> {
    const decision = shouldRestart({
      policy: rec.plan?.restartPolicy,
      exitCode,
      startedAtMs: rec.startedAt,
      nowMs: this.#ctx.now(),
      taskStopping: isStopping(this.state) || this.desiredStatus === 'STOPPED',
    });
    if (!decision.restart && rec.plan?.restartPolicy?.enabled) {
      this.#ctx.emit({
        type: 'no-restart',
        taskArn: this.arn,
        container: rec.name,
        why: decision.why,
      });
    }
    const reason =
      how === 'removed'
        ? `Essential container ${rec.name} was removed outside the agent`
        : 'Essential container in task exited';
    await this.#handle({
      type: 'container-exited',
      container: rec.name,
      essential: rec.essential,
      restart: decision.restart && how !== 'removed',
      reason,
    });
  }

  async #handle(event: TaskEvent): Promise<void> {
    if (this.detached) return;
    const before = this.state;
    const t = transition(this.state, event);
    this.state = t.state;
    if (t.stopReason !== undefined && this.stopReason === undefined) this.stopReason = t.stopReason;
    if (t.state === 'RUNNING' && before !== 'RUNNING') this.runningAt = this.#ctx.now();
    if (t.state === 'STOPPED' && before !== 'STOPPED') this.stoppedAt = this.#ctx.now();
    if (t.state !== before) {
      this.#ctx.emit({
        type: 'state',
        taskArn: this.arn,
        state: t.state,
        ...(this.stopReason && isStopping(t.state) ? { reason: this.stopReason } : {}),
      });
    }
    for (const action of t.actions) await this.#act(action, event);
  }

  async #act(action: TaskAction, event: TaskEvent): Promise<void> {
    switch (action) {
      case 'pull':
        return this.send(await pullImages(this.#ctx, this, this.#secrets));
      case 'create':
        return this.send(await createContainers(this.#ctx, this, this.#secrets));
      case 'start':
        return this.send(await startContainers(this.#ctx, this));
      case 'stop': {
        const outcome = await stopContainers(this.#ctx, this);
        // Docker may be down: try again shortly (STOPPING + failed → stop).
        if (outcome === 'retry') setTimeout(() => this.send(STOP_RETRY), 1000).unref();
        else this.send(outcome);
        return;
      }
      case 'restart-container':
        if (event.type === 'container-exited') return this.#restart(event.container);
        return;
      case 'report':
        return this.#report();
      case 'report-container':
        if (event.type === 'container-exited') return this.#reportContainer(event.container);
        return;
      case 'detach':
        this.detached = true;
        return;
    }
  }

  async #restart(name: string): Promise<void> {
    const rec = this.containers.find((c) => c.name === name);
    if (!rec?.dockerId) return;
    try {
      await this.#ctx.runtime.start(rec.dockerId);
      const info = await this.#ctx.runtime.inspect(rec.dockerId);
      if (info) absorb(rec, info);
      rec.status = 'RUNNING';
      rec.startedAt = info?.startedAt ?? this.#ctx.now();
      rec.restarts++;
      this.#ctx.emit({
        type: 'restart',
        taskArn: this.arn,
        container: name,
        restarts: rec.restarts,
        exitCode: rec.exitCode,
      });
      await this.#reportContainer(name);
    } catch (err) {
      this.#ctx.emit({ type: 'error', taskArn: this.arn, op: `restart ${name}`, error: err });
      rec.status = 'STOPPED';
      await this.#handle({
        type: 'container-exited',
        container: name,
        essential: rec.essential,
        restart: false,
        reason: `Essential container in task exited (restart failed: ${describeDockerError(err)})`,
      });
    }
  }

  /** The network bindings of a container, as ECS reports them. */
  bindingsOf(rec: ContainerRecord): NetworkBinding[] {
    return bindingsOf(rec, this.networkMode);
  }

  /** The report of the task's current status. */
  stateChange(): TaskStateChange {
    return taskStateChange(this);
  }

  async #report(): Promise<void> {
    const change = this.stateChange();
    this.reported = change.status;
    void this.#ctx.reports.push({ kind: 'task', change }).then(() => {
      this.acked = change.status;
    });
  }

  async #reportContainer(name: string): Promise<void> {
    const rec = this.containers.find((c) => c.name === name);
    if (!rec) return;
    const c = containerChange(this, rec);
    void this.#ctx.reports.push({
      kind: 'container',
      change: {
        task: this.arn,
        containerName: c.containerName,
        ...(c.runtimeId ? { runtimeId: c.runtimeId } : {}),
        status: c.status,
        ...(c.exitCode !== undefined ? { exitCode: c.exitCode } : {}),
        ...(c.reason ? { reason: c.reason } : {}),
        networkBindings: c.networkBindings,
        ...(c.healthStatus !== undefined ? { healthStatus: c.healthStatus } : {}),
      },
    });
  }
}
