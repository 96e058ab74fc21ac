/**
 * The labels that make Docker the agent's checkpoint: every container (and task volume) the
 * agent creates carries its cluster, task ARN, container name, task definition and the
 * agent's instance id, so a restarted agent adopts what runs instead of starting duplicates.
 * Pure; it must never decide anything beyond naming and reading those labels. The label names
 * themselves are @berth/protocol's.
 */

import {
  LABEL_CLUSTER,
  LABEL_CONTAINER_NAME,
  LABEL_FAMILY,
  LABEL_INSTANCE_ID,
  LABEL_TASK_ARN,
  LABEL_VERSION,
} from '@berth/protocol';

/** The identity a container's labels give it. */
export interface ContainerIdentity {
  readonly cluster: string;
  readonly taskArn: string;
  readonly containerName: string;
  readonly family: string;
  readonly version: string;
  readonly instanceId: string;
}

/** The labels of one task container. */
export function identityLabels(id: ContainerIdentity): Record<string, string> {
  return {
    [LABEL_CLUSTER]: id.cluster,
    [LABEL_TASK_ARN]: id.taskArn,
    [LABEL_CONTAINER_NAME]: id.containerName,
    [LABEL_FAMILY]: id.family,
    [LABEL_VERSION]: id.version,
    [LABEL_INSTANCE_ID]: id.instanceId,
  };
}

/** Reads a container's identity back; undefined when a label is missing. */
export function identityOf(
  labels: Readonly<Record<string, string>> | undefined,
): ContainerIdentity | undefined {
  if (!labels) return undefined;
  const cluster = labels[LABEL_CLUSTER];
  const taskArn = labels[LABEL_TASK_ARN];
  const containerName = labels[LABEL_CONTAINER_NAME];
  const instanceId = labels[LABEL_INSTANCE_ID];
  if (!cluster || !taskArn || !containerName || !instanceId) return undefined;
  return {
    cluster,
    taskArn,
    containerName,
    instanceId,
    family: labels[LABEL_FAMILY] ?? '',
    version: labels[LABEL_VERSION] ?? '',
  };
}

/** The id part of a task ARN (`arn:aws:ecs:r:a:task/cluster/<id>` → `<id>`). */
export function taskIdOf(taskArn: string): string {
  const slash = taskArn.lastIndexOf('/');
  const colon = taskArn.lastIndexOf(':');
  return taskArn.slice(Math.max(slash, colon) + 1) || taskArn;
}

/** Makes text safe for a Docker container or volume name (`[a-zA-Z0-9][a-zA-Z0-9_.-]*`). */
export function dockerSafe(text: string): string {
  const safe = text.replace(/[^a-zA-Z0-9_.-]+/g, '-').replace(/^[^a-zA-Z0-9]+/, '');
  return safe || 'x';
}

/**
 * The Docker name of a task container: deterministic, so a second create of the same
 * container is refused by Docker (409) instead of making a duplicate.
 */
export function dockerNameOf(
  family: string,
  revision: number | string,
  containerName: string,
  taskArn: string,
): string {
  return dockerSafe(`ecs-${family}-${revision}-${containerName}-${taskIdOf(taskArn)}`);
}

/** The Docker volume name of a task-scoped volume. */
export function taskVolumeNameOf(taskArn: string, volumeName: string): string {
  return dockerSafe(`ecs-${taskIdOf(taskArn)}-${volumeName}`);
}
