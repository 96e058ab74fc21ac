/**
 * An in-memory scheduler that serves the agent protocol, plus a SchedulerClient on it: the
 * stand-in for packages/scheduler in unit tests, Docker integration tests and the agent
 * benchmark (where only the agent's own time is measured). Level-triggered assignment lists
 * with a version counter, long polls, forward-only reports, and a `down` switch that makes
 * every call fail like an unreachable scheduler. It must never be used as a real scheduler:
 * it places nothing and keeps nothing on disk.
 */

import { randomUUID } from 'node:crypto';
import type {
  Assignment,
  Assignments,
  BackendStatus,
  Registration,
  TaskDefinition,
  TaskOverride,
  TaskStateChange,
} from '@berth/protocol';
import { SchedulerError } from '../errors.js';
import type { ContainerReport, PollRequest } from '@berth/protocol';
import type { SchedulerClient } from '../adapters/scheduler-client.js';

const ORDER: Readonly<Record<BackendStatus, number>> = { PENDING: 0, RUNNING: 1, STOPPED: 2 };

/** One task as the memory scheduler keeps it. */
export interface MemoryTask {
  readonly taskArn: string;
  readonly instanceArn: string;
  desiredStatus: 'RUNNING' | 'STOPPED';
  lastStatus: BackendStatus;
  readonly taskDefinition: TaskDefinition;
  readonly overrides: TaskOverride | undefined;
  readonly createdAt: number;
  stoppedReason: string | undefined;
  /** Every accepted (forward) report, in order. */
  readonly reports: TaskStateChange[];
  readonly containerReports: ContainerReport[];
  /** ms since epoch of the report that moved it to each status. */
  readonly reportedAt: Partial<Record<BackendStatus, number>>;
}

interface Instance {
  readonly arn: string;
  registration: Registration;
  version: number;
  registrations: number;
}

/** The in-memory scheduler. */
export class MemoryScheduler {
  readonly cluster: string;
  readonly region: string;
  readonly instances = new Map<string, Instance>();
  readonly tasks = new Map<string, MemoryTask>();
  /** Every report received (forward, repeated or old), in arrival order. */
  readonly received: TaskStateChange[] = [];
  /** When true every call fails with a retryable SchedulerError. */
  down = false;
  /** Number of polls answered. */
  polls = 0;
  #waiters = new Set<() => void>();
  #listeners = new Set<(task: MemoryTask) => void>();

  constructor(cluster = 'default', region = 'us-east-1') {
    this.cluster = cluster;
    this.region = region;
  }

  #check(): void {
    if (this.down)
      throw new SchedulerError('scheduler unreachable (memory scheduler is down)', true);
  }

  #bump(instanceArn: string): void {
    const inst = this.instances.get(instanceArn);
    if (inst) inst.version++;
    for (const w of [...this.#waiters]) w();
  }

  register(registration: Registration): { containerInstanceArn: string } {
    this.#check();
    const known = registration.containerInstanceArn;
    const existing = known ? this.instances.get(known) : undefined;
    if (existing) {
      existing.registration = registration;
      existing.registrations++;
      return { containerInstanceArn: existing.arn };
    }
    const arn =
      known ??
      `arn:aws:ecs:${this.region}:000000000000:container-instance/${this.cluster}/${randomUUID()}`;
    this.instances.set(arn, { arn, registration, version: 1, registrations: 1 });
    return { containerInstanceArn: arn };
  }

  #list(instanceArn: string): Assignment[] {
    const out: Assignment[] = [];
    for (const t of this.tasks.values()) {
      if (t.instanceArn !== instanceArn || t.lastStatus === 'STOPPED') continue;
      out.push({
        taskArn: t.taskArn,
        desiredStatus: t.desiredStatus,
        lastStatus: t.lastStatus,
        taskDefinition: t.taskDefinition,
        ...(t.overrides ? { overrides: t.overrides } : {}),
        createdAt: t.createdAt / 1000,
        ...(t.stoppedReason ? { stoppedReason: t.stoppedReason } : {}),
      });
    }
    return out;
  }

  async poll(request: PollRequest, signal?: AbortSignal): Promise<Assignments> {
    this.#check();
    const inst = this.instances.get(request.containerInstance);
    if (!inst) {
      throw new SchedulerError(
        'ClientException: unknown container instance',
        false,
        'ClientException',
      );
    }
    if (inst.version === request.version) {
      await new Promise<void>((resolve) => {
        const done = (): void => {
          clearTimeout(timer);
          this.#waiters.delete(done);
          signal?.removeEventListener('abort', done);
          resolve();
        };
        const timer = setTimeout(done, Math.min(request.waitSeconds, 60) * 1000);
        this.#waiters.add(done);
        signal?.addEventListener('abort', done, { once: true });
      });
      this.#check();
    }
    this.polls++;
    return { version: inst.version, tasks: this.#list(inst.arn) };
  }

  /** Places a task on an instance (as RunTask would); returns its ARN. */
  runTask(instanceArn: string, taskDefinition: TaskDefinition, overrides?: TaskOverride): string {
    const taskArn = `arn:aws:ecs:${this.region}:000000000000:task/${this.cluster}/${randomUUID().replace(/-/g, '')}`;
    this.tasks.set(taskArn, {
      taskArn,
      instanceArn,
      desiredStatus: 'RUNNING',
      lastStatus: 'PENDING',
      taskDefinition,
      overrides,
      createdAt: Date.now(),
      stoppedReason: undefined,
      reports: [],
      containerReports: [],
      reportedAt: {},
    });
    this.#bump(instanceArn);
    return taskArn;
  }

  /** Asks for a task to stop (as StopTask would). */
  stopTask(taskArn: string, reason = 'Task stopped by user'): void {
    const t = this.tasks.get(taskArn);
    if (!t || t.desiredStatus === 'STOPPED') return;
    t.desiredStatus = 'STOPPED';
    t.stoppedReason ??= reason;
    this.#bump(t.instanceArn);
  }

  reportTask(change: TaskStateChange): void {
    this.#check();
    this.received.push(change);
    const t = this.tasks.get(change.task);
    if (!t)
      throw new SchedulerError(`InvalidParameterException: unknown task ${change.task}`, false);
    if (ORDER[change.status] <= ORDER[t.lastStatus] && t.reports.length > 0) return;
    t.lastStatus = change.status;
    t.reports.push(change);
    t.reportedAt[change.status] = Date.now();
    if (change.status === 'STOPPED') {
      t.stoppedReason ??= change.reason;
      this.#bump(t.instanceArn);
    }
    for (const l of this.#listeners) l(t);
  }

  reportContainer(change: ContainerReport): void {
    this.#check();
    const t = this.tasks.get(change.task);
    if (!t)
      throw new SchedulerError(`InvalidParameterException: unknown task ${change.task}`, false);
    t.containerReports.push(change);
  }

  deregister(instanceArn: string): void {
    this.#check();
    this.instances.delete(instanceArn);
  }

  /** Calls `fn` after every accepted task report; returns the unsubscribe function. */
  onReport(fn: (task: MemoryTask) => void): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }

  /** Resolves when `taskArn` has reached `status` (or rejects after `timeoutMs`). */
  waitForStatus(taskArn: string, status: BackendStatus, timeoutMs = 20_000): Promise<MemoryTask> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        const t = this.tasks.get(taskArn);
        if (t && ORDER[t.lastStatus] >= ORDER[status] && t.reports.length > 0) {
          cleanup();
          resolve(t);
          return true;
        }
        return false;
      };
      const timer = setTimeout(() => {
        cleanup();
        const t = this.tasks.get(taskArn);
        reject(
          new Error(
            `task ${taskArn} did not reach ${status} in ${timeoutMs}ms (last ${t?.lastStatus})`,
          ),
        );
      }, timeoutMs);
      const off = this.onReport(() => void check());
      const cleanup = (): void => {
        clearTimeout(timer);
        off();
      };
      check();
    });
  }

  /** A SchedulerClient talking to this scheduler in-process. */
  client(): SchedulerClient {
    return {
      register: async (r) => this.register(r),
      poll: (r, signal) => this.poll(r, signal),
      reportTask: async (c) => this.reportTask(c),
      reportContainer: async (c) => this.reportContainer(c),
      deregister: async (arn) => this.deregister(arn),
    };
  }
}
