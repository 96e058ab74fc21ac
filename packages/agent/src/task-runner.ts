/**
 * One task on this host: its record (state, containers, times, reasons) and the hooks that
 * perform the state machine's actions (task-state.ts) against the ContainerRuntime — pull,
 * create, start, stop, restart one container, report. Every event of a task is handled in
 * order, one at a time; action outcomes come back as new events.
 *
 * It must never decide a transition itself (task-state.ts does), never report out of order
 * (the ReportQueue keeps order per task) and never touch a container that is not its own.
 */

import type {
  ContainerInfo,
  ContainerRuntime,
  PortBinding,
  PullProgress,
} from './container-runtime.js';
import { describeDockerError } from '@berth/docker';
import { pullFailureReason } from './image-pull.js';
import { TaskSecrets, type TaskSecretsAnswer } from './task-secrets.js';
import {
  type PlannedContainer,
  type PlannedVolume,
  type TaskPlan,
  type TaskPlanInput,
  planTask,
} from './docker-config.js';
import {
  type Assignment,
  type BackendStatus,
  type ContainerStateChange,
  LABEL_CONTAINER_NAME,
  LABEL_TASK_ARN,
  type NetworkBinding,
  type TaskStateChange,
} from '@berth/protocol';
import { RuntimeError } from './errors.js';
import { type PullBehavior, isValidImageReference, pullPlan } from './pull-policy.js';
import type { ReportQueue } from './report-queue.js';
import { shouldRestart } from './restart-policy.js';
import {
  type TaskAction,
  type TaskEvent,
  type TaskState,
  backendStatus,
  ecsHealthStatus,
  isStopping,
  transition,
} from './task-state.js';

/** A container's status as the agent knows it. */
export type ContainerStatus = 'NONE' | 'CREATED' | 'RUNNING' | 'STOPPED';

/** One container of a task. */
export interface ContainerRecord {
  readonly name: string;
  readonly dockerName: string;
  readonly image: string;
  readonly essential: boolean;
  readonly plan: PlannedContainer | undefined;
  dockerId: string | undefined;
  status: ContainerStatus;
  exitCode: number | undefined;
  reason: string | undefined;
  startedAt: number | undefined;
  finishedAt: number | undefined;
  ports: readonly PortBinding[];
  mounts: ContainerInfo['mounts'];
  health: string | undefined;
  healthSince: number | undefined;
  restarts: number;
}

/** What a runner needs from the agent. */
export interface RunnerContext {
  readonly runtime: ContainerRuntime;
  readonly reports: ReportQueue;
  readonly pullBehavior: PullBehavior;
  /** Whether this agent pulled `image` before (for `once`). */
  pulledBefore(image: string): boolean;
  /** Records that a task used (and maybe pulled) `image`. */
  imageUsed(image: string, pulled: boolean): void;
  /** Fetches the task's secrets and registry credentials from the scheduler (issue 20). */
  readonly secrets?: ((taskArn: string) => Promise<TaskSecretsAnswer>) | undefined;
  /** Library events, turned into logs and metrics by the daemon. */
  emit(event: RunnerEvent): void;
  now(): number;
}

/** What a runner tells the agent (and through it, the daemon's logs and metrics). */
export type RunnerEvent =
  | {
      readonly type: 'state';
      readonly taskArn: string;
      readonly state: TaskState;
      readonly reason?: string;
    }
  | {
      readonly type: 'pull';
      readonly taskArn: string;
      readonly image: string;
      readonly progress: PullProgress;
    }
  | {
      readonly type: 'pulled';
      readonly taskArn: string;
      readonly image: string;
      readonly ms: number;
      readonly cached: boolean;
    }
  | {
      readonly type: 'restart';
      readonly taskArn: string;
      readonly container: string;
      readonly restarts: number;
      readonly exitCode: number | undefined;
    }
  | {
      readonly type: 'no-restart';
      readonly taskArn: string;
      readonly container: string;
      readonly why: string;
    }
  | {
      readonly type: 'health';
      readonly taskArn: string;
      readonly container: string;
      readonly health: string;
    }
  | {
      readonly type: 'error';
      readonly taskArn: string;
      readonly op: string;
      readonly error: unknown;
    };

const IPV4 = (p: PortBinding): boolean => !p.hostIp.includes(':');

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
    const planned = new Map(plan?.containers.map((c) => [c.name, c]));
    const order = plan
      ? plan.containers.map((c) => c.name)
      : (td.containerDefinitions ?? []).map((c) => c.name);
    this.containers = order.map((name) => {
      const p = planned.get(name);
      const def = td.containerDefinitions?.find((c) => c.name === name);
      return {
        name,
        dockerName: p?.dockerName ?? '',
        image: p?.image ?? def?.image ?? '',
        essential: p?.essential ?? def?.essential !== false,
        plan: p,
        dockerId: undefined,
        status: 'NONE',
        exitCode: undefined,
        reason: undefined,
        startedAt: undefined,
        finishedAt: undefined,
        ports: [],
        mounts: [],
        health: undefined,
        healthSince: undefined,
        restarts: 0,
      };
    });
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
  adopt(found: readonly ContainerInfo[]): void {
    for (const info of found) {
      const rec = this.containers.find((c) => c.name === info.labels[LABEL_CONTAINER_NAME]);
      if (rec) this.#absorb(rec, info);
    }
    const present = this.containers.filter((c) => c.dockerId !== undefined);
    const exited = present.filter((c) => c.status === 'STOPPED');
    const allRunning =
      present.length === this.containers.length && present.every((c) => c.status === 'RUNNING');
    if (allRunning) {
      this.state = 'RUNNING';
      this.runningAt = Math.max(...present.map((c) => c.startedAt ?? 0)) || this.#ctx.now();
      // Re-report: the report may have been lost with the previous run (idempotent).
      this.#enqueue(() => this.#report());
    } else if (exited.length > 0) {
      // Some ran and exited while no agent watched: handle each exit as it happens.
      this.state = present.length === this.containers.length ? 'RUNNING' : 'CREATED';
      for (const c of exited) this.#enqueue(() => this.#exited(c, c.exitCode, 'adopted'));
    } else {
      // The previous run died while creating: create the rest (names make it idempotent).
      this.state = 'PULLING';
      this.send({ type: 'pulled' });
    }
    this.#ctx.emit({ type: 'state', taskArn: this.arn, state: this.state, reason: 'adopted' });
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
      if (info) this.#absorb(rec, info);
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

  #absorb(rec: ContainerRecord, info: ContainerInfo): void {
    rec.dockerId = info.id;
    rec.startedAt = info.startedAt ?? rec.startedAt;
    rec.mounts = info.mounts;
    if (info.health) rec.health = info.health;
    if (info.running) {
      rec.status = 'RUNNING';
      rec.ports = info.ports;
      rec.finishedAt = undefined;
      rec.exitCode = undefined;
    } else if (info.status === 'created') {
      rec.status = 'CREATED';
    } else {
      rec.status = 'STOPPED';
      rec.exitCode = info.exitCode;
      rec.finishedAt = info.finishedAt;
      if (info.oomKilled) rec.reason = 'OutOfMemoryError: Container killed due to memory usage';
      else if (info.error) rec.reason = info.error;
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
        return this.#pull();
      case 'create':
        return this.#create();
      case 'start':
        return this.#start();
      case 'stop':
        return this.#stop();
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

  async #pull(): Promise<void> {
    const { runtime } = this.#ctx;
    const images = [...new Set(this.containers.map((c) => c.image))];
    const ready = await this.#secrets.load();
    if (ready !== true) return this.send({ type: 'failed', reason: ready });
    try {
      for (const image of images) {
        if (!isValidImageReference(image)) {
          throw new RuntimeError(`invalid reference format: ${JSON.stringify(image)}`);
        }
        const present = await runtime.imageExists(image);
        const plan = pullPlan(this.#ctx.pullBehavior, present, this.#ctx.pulledBefore(image));
        if (plan === 'use-local') {
          this.#ctx.imageUsed(image, false);
          this.#ctx.emit({ type: 'pulled', taskArn: this.arn, image, ms: 0, cached: true });
          continue;
        }
        const started = this.#ctx.now();
        this.pullStartedAt ??= started;
        try {
          const users = this.containers.filter((c) => c.image === image).map((c) => c.name);
          await runtime.pull(
            image,
            (progress) => this.#ctx.emit({ type: 'pull', taskArn: this.arn, image, progress }),
            this.#secrets.authFor(image, users),
          );
          this.#ctx.imageUsed(image, true);
          this.#ctx.emit({
            type: 'pulled',
            taskArn: this.arn,
            image,
            ms: this.#ctx.now() - started,
            cached: false,
          });
        } catch (err) {
          if (plan !== 'pull-or-local') throw err;
          this.#ctx.imageUsed(image, false);
          this.#ctx.emit({ type: 'pulled', taskArn: this.arn, image, ms: 0, cached: true });
        } finally {
          this.pullStoppedAt = this.#ctx.now();
        }
      }
    } catch (err) {
      this.send({
        type: 'failed',
        reason: pullFailureReason(err),
      });
      return;
    }
    this.send({ type: 'pulled' });
  }

  async #create(): Promise<void> {
    const { runtime } = this.#ctx;
    const ready = await this.#secrets.load(); // adopted mid-create: fetched again
    if (ready !== true) return this.send({ type: 'failed', reason: ready });
    try {
      for (const v of this.volumes) await runtime.createVolume(v);
      for (const rec of this.containers) {
        if (rec.dockerId !== undefined || !rec.plan) continue;
        let id: string;
        try {
          const o = rec.plan.options;
          id = await runtime.create({ ...o, Env: this.#secrets.withSecrets(rec.name, o.Env) });
        } catch (err) {
          // The name is taken: a previous run of this agent created it. Adopt, never duplicate.
          if (!(err instanceof RuntimeError && err.status === 409)) throw err;
          const info = await runtime.inspect(rec.dockerName);
          if (!info || info.labels[LABEL_TASK_ARN] !== this.arn) throw err;
          this.#absorb(rec, info);
          continue;
        }
        rec.dockerId = id;
        rec.status = 'CREATED';
      }
    } catch (err) {
      this.#secrets.forget();
      this.send({
        type: 'failed',
        reason: `CannotCreateContainerError: ${describeDockerError(err)}`,
      });
      return;
    }
    this.#secrets.forget();
    this.send({ type: 'created' });
  }

  async #start(): Promise<void> {
    const { runtime } = this.#ctx;
    try {
      for (const rec of this.containers) {
        if (rec.dockerId === undefined || rec.status === 'RUNNING') continue;
        await runtime.start(rec.dockerId);
        rec.status = 'RUNNING';
        const info = await runtime.inspect(rec.dockerId);
        if (info) {
          rec.startedAt = info.startedAt ?? this.#ctx.now();
          rec.ports = info.ports;
          rec.mounts = info.mounts;
        }
      }
    } catch (err) {
      this.send({
        type: 'failed',
        reason: `CannotStartContainerError: ${describeDockerError(err)}`,
      });
      return;
    }
    this.send({ type: 'started' });
  }

  async #stop(): Promise<void> {
    const { runtime } = this.#ctx;
    const live = this.containers.filter((c) => c.dockerId !== undefined && c.status !== 'STOPPED');
    let failed: unknown;
    await Promise.all(
      [...live].reverse().map(async (rec) => {
        try {
          if (rec.status === 'RUNNING')
            await runtime.stop(rec.dockerId as string, rec.plan?.stopTimeoutS ?? 30);
          const info = await runtime.inspect(rec.dockerId as string);
          if (info) this.#absorb(rec, info);
          else rec.status = 'STOPPED';
          if (rec.status === 'CREATED') rec.status = 'STOPPED'; // created, never started
        } catch (err) {
          failed = err;
        }
      }),
    );
    if (failed !== undefined || this.containers.some((c) => c.status === 'RUNNING')) {
      this.#ctx.emit({ type: 'error', taskArn: this.arn, op: 'stop', error: failed });
      // Docker may be down: try again shortly (STOPPING + failed → stop).
      setTimeout(() => this.send({ type: 'failed', reason: 'stop retry' }), 1000).unref();
      return;
    }
    for (const c of this.containers) if (c.status !== 'STOPPED') c.status = 'STOPPED';
    this.send({ type: 'all-stopped' });
  }

  async #restart(name: string): Promise<void> {
    const rec = this.containers.find((c) => c.name === name);
    if (!rec?.dockerId) return;
    try {
      await this.#ctx.runtime.start(rec.dockerId);
      const info = await this.#ctx.runtime.inspect(rec.dockerId);
      if (info) this.#absorb(rec, info);
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
    if (this.networkMode === 'host') {
      return (rec.plan?.portMappings ?? []).map((p) => ({
        bindIP: '0.0.0.0',
        containerPort: p.containerPort,
        hostPort: p.hostPort,
        protocol: p.protocol,
      }));
    }
    const v4 = rec.ports.filter(IPV4);
    return (v4.length ? v4 : rec.ports).map((p) => ({
      bindIP: p.hostIp || '0.0.0.0',
      containerPort: p.containerPort,
      hostPort: p.hostPort,
      protocol: p.protocol,
    }));
  }

  #containerChange(rec: ContainerRecord): ContainerStateChange {
    const health = ecsHealthStatus(rec.health);
    const status: BackendStatus =
      rec.status === 'RUNNING' ? 'RUNNING' : rec.status === 'STOPPED' ? 'STOPPED' : 'PENDING';
    return {
      containerName: rec.name,
      ...(rec.dockerId ? { runtimeId: rec.dockerId } : {}),
      status: this.state === 'STOPPED' && status !== 'STOPPED' ? 'STOPPED' : status,
      ...(rec.exitCode !== undefined ? { exitCode: rec.exitCode } : {}),
      ...(rec.reason ? { reason: rec.reason } : {}),
      networkBindings: status === 'RUNNING' ? this.bindingsOf(rec) : [],
      ...(health !== undefined ? { healthStatus: health } : {}),
    };
  }

  /** The report of the task's current status. */
  stateChange(): TaskStateChange {
    const status = backendStatus(this.state);
    const secs = (ms: number | undefined): number | undefined =>
      ms === undefined ? undefined : ms / 1000;
    const pullStartedAt = secs(this.pullStartedAt);
    const pullStoppedAt = secs(this.pullStoppedAt);
    const stopped = secs(this.stoppedAt);
    return {
      task: this.arn,
      status,
      ...(status === 'STOPPED' && this.stopReason ? { reason: this.stopReason } : {}),
      containers: this.containers.map((c) => this.#containerChange(c)),
      ...(pullStartedAt !== undefined ? { pullStartedAt } : {}),
      ...(pullStoppedAt !== undefined ? { pullStoppedAt } : {}),
      ...(status === 'STOPPED' && stopped !== undefined ? { executionStoppedAt: stopped } : {}),
    };
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
    const c = this.#containerChange(rec);
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
