/**
 * Image pulls as introspection and reports show them: ECS's `CannotPullContainerError` text
 * with the engine's (and so the registry's) own message, and a per-task tracker of pull
 * progress (image, layers done / total, the last status) fed by the runner's `pull` and
 * `pulled` events (a local image used without a pull shows nothing). Pure apart from the
 * tracker's small state; it never sees credentials.
 */

import { describeDockerError } from '@berth/docker';
import { RuntimeError } from './errors.js';
import type { RunnerEvent } from './task-runner.js';

/** The stop reason of a failed pull, worded as the ECS agent words it. */
export function pullFailureReason(err: unknown): string {
  const cause = err instanceof RuntimeError && err.cause !== undefined ? err.cause : err;
  const status = (cause as { statusCode?: unknown } | undefined)?.statusCode;
  if (typeof status === 'number') {
    const json = (cause as { json?: { message?: unknown } | null }).json;
    const raw =
      json && typeof json.message === 'string'
        ? json.message
        : (cause as Error).message.replace(/^\(HTTP code \d+\)[^-]*- /, '');
    return `CannotPullContainerError: Error response from daemon: ${raw.trim()}`;
  }
  return `CannotPullContainerError: ${describeDockerError(err)}`;
}

/** A task's pull as introspection shows it. */
export interface PullView {
  readonly image: string;
  /** The engine's last status line (`Downloading`, `Pull complete`, ...), or `Pulled`/`Cached`. */
  readonly status: string;
  readonly progress?: string;
  readonly layers: { readonly done: number; readonly total: number };
  readonly ms?: number;
}

interface PullState {
  image: string;
  status: string;
  progress: string | undefined;
  layers: Map<string, boolean>;
  ms: number | undefined;
}

const DONE = new Set(['Pull complete', 'Already exists']);
const MAX_TASKS = 1000;

/** Pull progress per task, from runner events. */
export class PullTracker {
  readonly #tasks = new Map<string, PullState>();

  /** Takes one runner event (others are ignored). */
  note(e: RunnerEvent): void {
    if (e.type !== 'pull' && e.type !== 'pulled') return;
    let s = this.#tasks.get(e.taskArn);
    // A local image used as it is: nothing was pulled, introspection keeps ECS's v1 shape.
    if (e.type === 'pulled' && e.cached && s?.image !== e.image) return;
    if (!s || s.image !== e.image) {
      s = {
        image: e.image,
        status: 'Pulling',
        progress: undefined,
        layers: new Map(),
        ms: undefined,
      };
      this.#tasks.delete(e.taskArn);
      this.#tasks.set(e.taskArn, s);
      if (this.#tasks.size > MAX_TASKS)
        this.#tasks.delete(this.#tasks.keys().next().value as string);
    }
    if (e.type === 'pulled') {
      s.status = e.cached ? 'Cached' : 'Pulled';
      s.progress = undefined;
      s.ms = e.ms;
      return;
    }
    s.status = e.progress.status;
    s.progress = e.progress.progress;
    const id = e.progress.id;
    if (id && /^[0-9a-f]{12}$/.test(id)) {
      s.layers.set(id, (s.layers.get(id) ?? false) || DONE.has(e.progress.status));
    }
  }

  /** The task's pull, if it pulled or is pulling. */
  of(taskArn: string): PullView | undefined {
    const s = this.#tasks.get(taskArn);
    if (!s) return undefined;
    const done = [...s.layers.values()].filter(Boolean).length;
    return {
      image: s.image,
      status: s.status,
      ...(s.progress ? { progress: s.progress } : {}),
      layers: { done, total: s.layers.size },
      ...(s.ms !== undefined ? { ms: s.ms } : {}),
    };
  }

  forget(taskArn: string): void {
    this.#tasks.delete(taskArn);
  }
}
