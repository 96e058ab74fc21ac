/**
 * The agent's housekeeping: removing the containers (and task volumes) of tasks stopped longer
 * than `--cleanup-wait`, removing unused images while the Docker disk is too full, and the
 * periodic resync. One pass at a time. It must never remove a container of a task that is not
 * stopped and acknowledged, nor an image a container uses; failures are warnings, retried on
 * the next pass.
 */

import type { EventEmitter } from 'node:events';
import type { ContainerRuntime } from './adapters/container-runtime.js';
import { dueForCleanup, imagesToRemove } from './core/cleanup.js';
import type { PullTracker } from './image-pull.js';
import type { TaskRunner } from './task-runner.js';
import type { AgentEvents, AgentSettings } from './types.js';

const FINISHED_MAX = 10_000;

/** Images this agent used: when last, and whether it pulled them. */
export type ImageLedger = Map<string, { lastUsed: number; pulled: boolean }>;

/** What housekeeping needs from the engine. */
export interface HousekeepingHost {
  readonly options: AgentSettings;
  readonly runtime: ContainerRuntime;
  readonly events: EventEmitter<AgentEvents>;
  readonly runners: Map<string, TaskRunner>;
  readonly images: ImageLedger;
  readonly pulls: PullTracker;
  readonly resync: () => Promise<void>;
  /** Saves the image ledger soon. */
  readonly saveSoon: () => void;
}

/** Cleanup of stopped tasks, image cleanup and the periodic resync. */
export class Housekeeping {
  readonly #h: HousekeepingHost;
  /** Tasks cleaned up (the converger must not start them again). */
  readonly finished = new Set<string>();
  /** Containers of tasks the scheduler no longer lists, stopped, awaiting cleanup. */
  readonly #leftovers = new Map<string, { ids: string[]; stoppedAt: number }>();
  /** When the last resync ran (ms since the epoch). */
  lastResync = 0;
  #lastGc = 0;
  #running: Promise<void> | undefined;

  constructor(host: HousekeepingHost) {
    this.#h = host;
  }

  /** Remembers containers of a task no runner owns, to remove after the cleanup wait. */
  leftover(taskArn: string, ids: string[], stoppedAt: number): void {
    this.#leftovers.set(taskArn, { ids, stoppedAt });
  }

  /** One pass (joined when one runs). */
  run(): Promise<void> {
    // One pass at a time: a slow Docker must not make two passes remove the same task.
    this.#running ??= this.#pass().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  async #pass(): Promise<void> {
    const o = this.#h.options;
    const now = Date.now();
    if (now - this.lastResync >= (o.resyncIntervalMs ?? 60_000)) await this.#h.resync();
    const stopped = [...this.#h.runners.values()]
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
    const { runtime, runners, events } = this.#h;
    const r = runners.get(taskArn);
    const ids = r
      ? r.containers.map((c) => c.dockerId).filter((id): id is string => id !== undefined)
      : (this.#leftovers.get(taskArn)?.ids ?? []);
    try {
      for (const id of ids) await runtime.remove(id);
      for (const v of r?.volumes ?? []) if (v.taskScoped) await runtime.removeVolume(v.dockerName);
    } catch (err) {
      events.emit('warning', `cleanup of ${taskArn} failed`, err);
      return;
    }
    runners.delete(taskArn);
    this.#h.pulls.forget(taskArn);
    this.#leftovers.delete(taskArn);
    this.finished.add(taskArn);
    if (this.finished.size > FINISHED_MAX) {
      this.finished.delete(this.finished.values().next().value as string);
    }
    events.emit('cleanup', taskArn, ids.length);
  }

  /** Removes images no container uses, least recently used first, while the disk is too full. */
  async imageGc(): Promise<void> {
    const { options: o, runtime, images, events } = this.#h;
    const threshold = o.imageGcThresholdPercent ?? 85;
    try {
      const percent = async (): Promise<number> => {
        const d = await runtime.diskUsage();
        return d.totalBytes > 0 ? (100 * d.usedBytes) / d.totalBytes : 0;
      };
      let used = await percent();
      if (used < threshold) return;
      const all = await runtime.list({});
      const inUse = new Set(all.flatMap((c) => [c.image, c.imageId]));
      const candidates = imagesToRemove({
        tracked: [...images].map(([ref, v]) => ({ ref, lastUsed: v.lastUsed })),
        inUse,
        usedPercent: used,
        thresholdPercent: threshold,
        nowMs: Date.now(),
        minAgeMs: o.imageGcMinAgeMs ?? 3_600_000,
      });
      for (const img of candidates) {
        if (used < threshold) break;
        if (await runtime.removeImage(img.ref)) {
          images.delete(img.ref);
          this.#h.saveSoon();
          used = await percent();
          events.emit('image-removed', img.ref, used);
        }
      }
    } catch (err) {
      events.emit('warning', 'image cleanup failed', err);
    }
  }
}
