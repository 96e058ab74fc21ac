/**
 * The task runner's hooks: the Docker work behind the state machine's `pull`, `create`,
 * `start` and `stop` actions, each returning the event its outcome feeds back (`pulled`,
 * `created`, `started`, `all-stopped`, or `failed` with ECS's reason). They update the task's
 * container records; they must never decide a transition, report, or touch a container that
 * is not the task's own (a name taken by another task is an error, never adopted).
 */

import { describeDockerError } from '@berth/docker';
import { LABEL_TASK_ARN } from '@berth/protocol';
import { type ContainerRecord, absorb } from './core/container-record.js';
import type { PlannedVolume } from './core/docker-config.js';
import { isValidImageReference, pullPlan } from './core/pull-policy.js';
import type { TaskEvent } from './core/task-state.js';
import { RuntimeError } from './errors.js';
import { pullFailureReason } from './image-pull.js';
import type { RunnerContext } from './runner-context.js';
import type { TaskSecrets } from './task-secrets.js';

/** The part of a task the hooks work on (a TaskRunner is one). */
export interface HookTask {
  readonly arn: string;
  readonly containers: ContainerRecord[];
  readonly volumes: readonly PlannedVolume[];
  pullStartedAt: number | undefined;
  pullStoppedAt: number | undefined;
}

/** Pulls every image of the task as `--image-pull-behavior` says. */
export async function pullImages(
  ctx: RunnerContext,
  task: HookTask,
  secrets: TaskSecrets,
): Promise<TaskEvent> {
  const { runtime } = ctx;
  const images = [...new Set(task.containers.map((c) => c.image))];
  const ready = await secrets.load();
  if (ready !== true) return { type: 'failed', reason: ready };
  try {
    for (const image of images) {
      if (!isValidImageReference(image)) {
        throw new RuntimeError(`invalid reference format: ${JSON.stringify(image)}`);
      }
      const present = await runtime.imageExists(image);
      const plan = pullPlan(ctx.pullBehavior, present, ctx.pulledBefore(image));
      if (plan === 'use-local') {
        ctx.imageUsed(image, false);
        ctx.emit({ type: 'pulled', taskArn: task.arn, image, ms: 0, cached: true });
        continue;
      }
      const started = ctx.now();
      task.pullStartedAt ??= started;
      try {
        const users = task.containers.filter((c) => c.image === image).map((c) => c.name);
        await runtime.pull(
          image,
          (progress) => ctx.emit({ type: 'pull', taskArn: task.arn, image, progress }),
          secrets.authFor(image, users),
        );
        ctx.imageUsed(image, true);
        ctx.emit({
          type: 'pulled',
          taskArn: task.arn,
          image,
          ms: ctx.now() - started,
          cached: false,
        });
      } catch (err) {
        if (plan !== 'pull-or-local') throw err;
        ctx.imageUsed(image, false);
        ctx.emit({ type: 'pulled', taskArn: task.arn, image, ms: 0, cached: true });
      } finally {
        task.pullStoppedAt = ctx.now();
      }
    }
  } catch (err) {
    return {
      type: 'failed',
      reason: pullFailureReason(err),
    };
  }
  return { type: 'pulled' };
}

/** Creates the task volumes and containers; a container a previous run made is adopted. */
export async function createContainers(
  ctx: RunnerContext,
  task: HookTask,
  secrets: TaskSecrets,
): Promise<TaskEvent> {
  const { runtime } = ctx;
  const ready = await secrets.load(); // adopted mid-create: fetched again
  if (ready !== true) return { type: 'failed', reason: ready };
  try {
    for (const v of task.volumes) await runtime.createVolume(v);
    for (const rec of task.containers) {
      if (rec.dockerId !== undefined || !rec.plan) continue;
      let id: string;
      try {
        const o = rec.plan.options;
        id = await runtime.create({ ...o, Env: secrets.withSecrets(rec.name, o.Env) });
      } catch (err) {
        // The name is taken: a previous run of this agent created it. Adopt, never duplicate.
        if (!(err instanceof RuntimeError && err.status === 409)) throw err;
        const info = await runtime.inspect(rec.dockerName);
        if (!info || info.labels[LABEL_TASK_ARN] !== task.arn) throw err;
        absorb(rec, info);
        continue;
      }
      rec.dockerId = id;
      rec.status = 'CREATED';
    }
  } catch (err) {
    secrets.forget();
    return {
      type: 'failed',
      reason: `CannotCreateContainerError: ${describeDockerError(err)}`,
    };
  }
  secrets.forget();
  return { type: 'created' };
}

/** Starts every container not running yet. */
export async function startContainers(ctx: RunnerContext, task: HookTask): Promise<TaskEvent> {
  const { runtime } = ctx;
  try {
    for (const rec of task.containers) {
      if (rec.dockerId === undefined || rec.status === 'RUNNING') continue;
      await runtime.start(rec.dockerId);
      rec.status = 'RUNNING';
      const info = await runtime.inspect(rec.dockerId);
      if (info) {
        rec.startedAt = info.startedAt ?? ctx.now();
        rec.ports = info.ports;
        rec.mounts = info.mounts;
      }
    }
  } catch (err) {
    return {
      type: 'failed',
      reason: `CannotStartContainerError: ${describeDockerError(err)}`,
    };
  }
  return { type: 'started' };
}

/** Stops every live container (last first); 'retry' when Docker failed (try again later). */
export async function stopContainers(
  ctx: RunnerContext,
  task: HookTask,
): Promise<TaskEvent | 'retry'> {
  const { runtime } = ctx;
  const live = task.containers.filter((c) => c.dockerId !== undefined && c.status !== 'STOPPED');
  let failed: unknown;
  await Promise.all(
    [...live].reverse().map(async (rec) => {
      try {
        if (rec.status === 'RUNNING')
          await runtime.stop(rec.dockerId as string, rec.plan?.stopTimeoutS ?? 30);
        const info = await runtime.inspect(rec.dockerId as string);
        if (info) absorb(rec, info);
        else rec.status = 'STOPPED';
        if (rec.status === 'CREATED') rec.status = 'STOPPED'; // created, never started
      } catch (err) {
        failed = err;
      }
    }),
  );
  if (failed !== undefined || task.containers.some((c) => c.status === 'RUNNING')) {
    ctx.emit({ type: 'error', taskArn: task.arn, op: 'stop', error: failed });
    return 'retry';
  }
  for (const c of task.containers) if (c.status !== 'STOPPED') c.status = 'STOPPED';
  return { type: 'all-stopped' };
}
