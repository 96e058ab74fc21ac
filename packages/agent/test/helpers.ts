// Shared test helpers: task definitions of the test image, a bounded `until`, temp data dirs.
// Nothing here talks to anything but the local machine.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ContainerDefinition, TaskDefinition } from '@berth/protocol';

export const IMAGE = 'berth/busybox:test';

/** A task definition: one essential container of the test image serving HTTP on 8080. */
export function webTask(
  family: string,
  container: Partial<ContainerDefinition> = {},
  more: Partial<TaskDefinition> = {},
): TaskDefinition {
  return {
    family,
    revision: 1,
    containerDefinitions: [
      {
        name: 'web',
        image: IMAGE,
        portMappings: [{ containerPort: 8080, hostPort: 0 }],
        stopTimeout: 2,
        ...container,
      },
    ],
    ...more,
  };
}

/** A fresh temporary directory, removed in teardown. */
export async function tempDir(t: { teardown(fn: () => unknown): unknown }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'berth-agent-test-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}
