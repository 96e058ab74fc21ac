/**
 * What to clean up: stopped tasks whose containers have waited `--cleanup-wait` (oldest
 * first), and images no container uses once the Docker disk passes its threshold (least
 * recently used first). Pure selection; the agent does the removing. It must never pick a
 * task that is not STOPPED or an image a container still uses.
 */

/** A stopped task as the selection sees it. */
export interface StoppedTask {
  readonly taskArn: string;
  /** ms since epoch. */
  readonly stoppedAt: number;
}

/** The tasks due for removal now, oldest first, at most `max`. */
export function dueForCleanup(
  tasks: readonly StoppedTask[],
  nowMs: number,
  waitMs: number,
  max = Infinity,
): StoppedTask[] {
  return tasks
    .filter((t) => nowMs - t.stoppedAt >= waitMs)
    .sort((a, b) => a.stoppedAt - b.stoppedAt || a.taskArn.localeCompare(b.taskArn))
    .slice(0, max);
}

/** An image reference this agent used for tasks, with when it was last used. */
export interface TrackedImage {
  readonly ref: string;
  /** ms since epoch. */
  readonly lastUsed: number;
}

/** Inputs of the image selection. */
export interface ImageGcInput {
  readonly tracked: readonly TrackedImage[];
  /** Image references and ids that some container (running or not) uses. */
  readonly inUse: ReadonlySet<string>;
  readonly usedPercent: number;
  readonly thresholdPercent: number;
  readonly nowMs: number;
  /** An image used more recently than this is kept. */
  readonly minAgeMs: number;
}

/**
 * The images to remove, least recently used first; empty while the disk is under the
 * threshold. The caller removes them one by one and stops once the disk is under again.
 */
export function imagesToRemove(input: ImageGcInput): TrackedImage[] {
  if (input.usedPercent < input.thresholdPercent) return [];
  return input.tracked
    .filter((i) => !input.inUse.has(i.ref) && input.nowMs - i.lastUsed >= input.minAgeMs)
    .sort((a, b) => a.lastUsed - b.lastUsed || a.ref.localeCompare(b.ref));
}
