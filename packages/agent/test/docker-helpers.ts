// Docker test rig: a real agent (startAgent with the Docker runtime) driven by the in-memory
// scheduler, whose containers and volumes carry this run's `berth.test` label and its own
// instance id, so teardown removes exactly what this test made.
import type { Test } from 'tap';
import type Docker from 'dockerode';
import { type RunningAgent, type StartAgentOptions, startAgent } from '../src/index.js';
import type { MemoryScheduler } from '../src/testing/index.js';
import {
  TEST_LABEL,
  newRunId,
  removeTestContainers,
  requireDocker,
} from '../../../test/helpers/docker.js';
import { tempDir } from './helpers.js';

export interface DockerRig {
  readonly docker: Docker;
  readonly runId: string;
  start(scheduler: MemoryScheduler, options?: Partial<StartAgentOptions>): Promise<RunningAgent>;
}

/** Removes this run's containers and volumes. */
export async function removeRun(docker: Docker, runId: string): Promise<void> {
  await removeTestContainers(docker, runId);
  const { Volumes } = await docker.listVolumes({ filters: { label: [`${TEST_LABEL}=${runId}`] } });
  for (const v of Volumes ?? []) {
    if (v.Labels?.[TEST_LABEL] !== runId) continue;
    await docker
      .getVolume(v.Name)
      .remove()
      .catch(() => undefined);
  }
}

/** Requires Docker; undefined (test already failed or planned 0) when it is missing. */
export async function dockerRig(t: Test): Promise<DockerRig | undefined> {
  const docker = await requireDocker(t);
  if (!docker) return undefined;
  const runId = newRunId();
  t.teardown(() => removeRun(docker, runId));
  return {
    docker,
    runId,
    async start(scheduler, options = {}) {
      const running = await startAgent(
        {
          cluster: scheduler.cluster,
          instanceId: `i-${runId}`,
          advertiseIp: '127.0.0.1',
          dataDir: await tempDir(t),
          listen: '127.0.0.1:0',
          imagePullBehavior: 'prefer-cached',
          housekeepingIntervalMs: 3_600_000,
          extraLabels: { [TEST_LABEL]: runId },
          retryBaseMs: 20,
          retryMaxMs: 500,
          pollWait: 5_000,
          ...options,
        },
        { client: scheduler.client() },
      );
      t.teardown(() => running.close());
      return running;
    },
  };
}

/** GETs a URL on loopback; resolves with status and body, or rejects (bounded to 2 s). */
export async function get(url: string): Promise<{ status: number; body: string }> {
  const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
  return { status: res.status, body: await res.text() };
}
