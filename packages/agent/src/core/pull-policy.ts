/**
 * `--image-pull-behavior`, with ECS's meaning for each value. Pure: the caller says whether
 * the image is present and whether this agent pulled it before.
 *
 * - `default`: pull; when the pull fails, use the local image if there is one.
 * - `always`: pull; a failed pull fails the task.
 * - `once`: pull unless an earlier task on this instance pulled it and it is still present.
 * - `prefer-cached`: use the local image when present, else pull.
 */

export const PULL_BEHAVIORS = ['default', 'always', 'once', 'prefer-cached'] as const;

/** One of `--image-pull-behavior`'s values. */
export type PullBehavior = (typeof PULL_BEHAVIORS)[number];

/** What to do about one image before creating containers. */
export type PullPlan =
  /** Use the local image; no pull. */
  | 'use-local'
  /** Pull; a failure fails the task. */
  | 'pull'
  /** Pull; on failure fall back to the local image. */
  | 'pull-or-local';

/** Decides how to get `image`. */
export function pullPlan(
  behavior: PullBehavior,
  present: boolean,
  pulledBefore: boolean,
): PullPlan {
  switch (behavior) {
    case 'prefer-cached':
      return present ? 'use-local' : 'pull';
    case 'once':
      return present && pulledBefore ? 'use-local' : 'pull';
    case 'always':
      return 'pull';
    case 'default':
      return present ? 'pull-or-local' : 'pull';
  }
}

const COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const REFERENCE = new RegExp(
  `^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::[0-9]+)?/)?` +
    `${COMPONENT}(?:/${COMPONENT})*` +
    `(?::[\\w][\\w.-]{0,127})?` +
    `(?:@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,})?$`,
);

/**
 * Whether `ref` is a valid image reference in Docker's grammar (`[host[:port]/]name[:tag]
 * [@digest]`, lower-case name). Checked before asking Docker, whose API cannot even carry
 * some invalid names.
 */
export function isValidImageReference(ref: string): boolean {
  return ref.length > 0 && ref.length <= 255 && REFERENCE.test(ref);
}
