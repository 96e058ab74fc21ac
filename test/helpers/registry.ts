// The test image through a real registry for end-to-end tests (issue 20): pushes
// `berth/busybox:test` plus a layer unique to the run into the registry a running `berth dev`
// started (127.0.0.1:5000+offset, no auth on loopback) under a repository unique to the run,
// removes it locally so an agent has to pull it, rewrites task definitions to run it, and
// reads back what the agents pulled.
//
// It must never push anywhere but that loopback registry, never remove an image it did not
// tag, and every wait in it is bounded.
import type { RegisterTaskDefinitionCommandInput } from '@aws-sdk/client-ecs';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { withRetry } from '@berth/daemon';
import type { RunningDev, Teardown } from './berth-dev.js';
import { newRunId, TEST_IMAGE } from './docker.js';

const exec = promisify(execFile);

/** The test image as pushed into a dev's registry. */
export interface PushedImage {
  /** `127.0.0.1:PORT/e2e/<run>:test`: what task definitions run. */
  readonly ref: string;
  /** `e2e/<run>`. */
  readonly repository: string;
  readonly tag: string;
  /** The registry's admin endpoint (`GET /v1/repositories`). */
  readonly adminUrl: string;
}

/** The part of a tap Test this helper uses. */
export interface RegistryGate extends Teardown {
  fail(message: string): unknown;
  comment(...message: unknown[]): unknown;
}

/** The dev registry's `host:port`, as `berth dev` announced it; undefined when it runs none. */
export function devRegistry(dev: RunningDev): string | undefined {
  return /\bregistry\s+(127\.0\.0\.1:\d+)\s+\(docker tag/.exec(dev.output())?.[1];
}

/**
 * `docker build` of the test image plus one small layer unique to the run (a file naming it),
 * `docker push` of that into `dev`'s registry, then `docker rmi` of it: the unique layer is
 * gone locally, so an agent's pull downloads it (the base layers stay under
 * `berth/busybox:test` and are found: a real pull that costs little). Without a dev registry (Debian's
 * `docker-registry` missing) it fails in CI and elsewhere returns undefined with a comment;
 * the caller then runs the local image.
 */
export async function pushTestImage(
  t: RegistryGate,
  dev: RunningDev,
): Promise<PushedImage | undefined> {
  const registry = devRegistry(dev);
  if (!registry) {
    const why =
      'berth dev runs no registry (/usr/bin/docker-registry is missing: apt-get install -y ' +
      'docker-registry); the tasks run the local test image';
    if (process.env.CI === 'true') t.fail(why);
    else t.comment(why);
    return undefined;
  }
  const run =
    newRunId()
      .replace(/[^a-z0-9]/g, '')
      .slice(0, 16) || 'run';
  const repository = `e2e/${run}`;
  const tag = 'test';
  const ref = `${registry}/${repository}:${tag}`;
  // Its own client config (nothing of the user's docker login is used) and build context.
  const config = await mkdtemp(join(tmpdir(), 'berth-e2e-docker-'));
  const context = join(config, 'context');
  await mkdir(context);
  await writeFile(join(context, 'run'), `${run}\n`);
  await writeFile(join(context, 'Dockerfile'), `FROM ${TEST_IMAGE}\nCOPY run /berth-e2e-run\n`);
  // Retried (bounded) only while the shared engine is briefly away (someone restarted it).
  const docker = (args: string[]) =>
    withRetry(
      `docker ${args[0]}`,
      () =>
        exec('docker', args, { env: { ...process.env, DOCKER_CONFIG: config }, timeout: 60_000 }),
      {
        retries: 4,
        baseMs: 500,
        maxMs: 4000,
        retryable: (err) =>
          /Cannot connect to the Docker daemon/.test(String((err as { stderr?: string }).stderr)),
      },
    );
  t.teardown(async () => {
    // The agents pulled it again; this run's image (its one layer) goes, nothing else, once
    // the dev (registered first, so torn down later) has stopped and removed its containers.
    await dev.stop();
    await docker(['rmi', ref]).catch(() => undefined);
    await rm(config, { recursive: true, force: true });
  });
  const started = Date.now();
  await docker(['build', '-q', '-t', ref, context]);
  await docker(['push', ref]);
  await docker(['rmi', ref]);
  t.comment(`built, pushed and removed locally ${ref} in ${Date.now() - started} ms`);
  const port = Number(registry.split(':')[1]);
  return { ref, repository, tag, adminUrl: `http://127.0.0.1:${port + 1}` };
}

/** `def` with every container that runs the test image running `image` instead. */
export function withImage(
  def: RegisterTaskDefinitionCommandInput,
  image: string | undefined,
): RegisterTaskDefinitionCommandInput {
  if (!image) return def;
  return {
    ...def,
    containerDefinitions: def.containerDefinitions?.map((c) =>
      c.image === TEST_IMAGE ? { ...c, image } : c,
    ),
  };
}

/** The tags the registry holds for `repository` (its admin API, `GET /v1/repositories`). */
export async function registryTags(image: PushedImage): Promise<string[]> {
  const res = await fetch(`${image.adminUrl}/v1/repositories`, {
    signal: AbortSignal.timeout(10_000),
  });
  const body = (await res.json()) as { Repositories?: { name: string; tags: { tag: string }[] }[] };
  return body.Repositories?.find((r) => r.name === image.repository)?.tags.map((x) => x.tag) ?? [];
}

/** One task's pull as an agent's introspection shows it. */
export interface AgentPull {
  readonly agent: string;
  readonly taskArn: string;
  readonly image: string;
  readonly status: string;
  readonly layers: { readonly Done: number; readonly Total: number };
  readonly ms: number | undefined;
}

/** Every task's pull on every host of `dev` (agent introspection, `GET /v1/tasks`). */
export async function agentPulls(dev: RunningDev): Promise<AgentPull[]> {
  const out: AgentPull[] = [];
  for (const host of dev.info.hosts) {
    const res = await fetch(`${host.agent}/v1/tasks`, { signal: AbortSignal.timeout(10_000) });
    const body = (await res.json()) as {
      Tasks?: {
        Arn: string;
        Pull?: {
          Image: string;
          Status: string;
          Layers: { Done: number; Total: number };
          DurationMs?: number;
        };
      }[];
    };
    for (const task of body.Tasks ?? []) {
      if (task.Pull) {
        out.push({
          agent: host.name,
          taskArn: task.Arn,
          image: task.Pull.Image,
          status: task.Pull.Status,
          layers: task.Pull.Layers,
          ms: task.Pull.DurationMs,
        });
      }
    }
  }
  return out;
}
