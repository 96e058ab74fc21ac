// Docker for tests: decides whether a test may use the local engine (a missing engine fails the
// test in CI and skips it elsewhere), creates containers of the test image labelled with the
// test run's id, and removes exactly those containers afterwards.
//
// It must never touch a container that does not carry this run's `berth.test` label, never pull
// an image (no registry is reachable), and never talk to anything but the local engine.
import { randomBytes } from 'node:crypto';
import Docker from 'dockerode';

/** The image built by `scripts/build-test-images`: static busybox plus berth-httpd on :8080. */
export const TEST_IMAGE = 'berth/busybox:test';

/** The label that marks a container as created by a test run; its value is the run id. */
export const TEST_LABEL = 'berth.test';

/** Bound on the engine probe, so a wedged engine fails fast instead of hanging a test file. */
const PROBE_TIMEOUT_MS = 5000;

/** The outcome of probing the local engine (and the test image). */
export type DockerStatus =
  | { readonly ok: true; readonly docker: Docker; readonly serverVersion: string }
  | { readonly ok: false; readonly reason: string };

/** The part of a tap `Test` that {@link requireDocker} uses. */
export interface DockerGate {
  fail(message: string): unknown;
  plan(n: number, comment?: string): unknown;
  comment(...message: unknown[]): unknown;
}

/** Options for {@link dockerStatus} and {@link requireDocker}. */
export interface DockerProbeOptions {
  /** Image that must exist locally; `null` checks the engine only. Default {@link TEST_IMAGE}. */
  readonly image?: string | null;
  /** Where the engine listens; default: DOCKER_HOST or /var/run/docker.sock, as dockerode does. */
  readonly dockerOptions?: Docker.DockerOptions;
  /** Whether this is CI (a missing engine then fails); default `process.env.CI === 'true'`. */
  readonly ci?: boolean;
}

const cache = new Map<string, Promise<DockerStatus>>();

/**
 * Probes the engine with a bounded ping and checks that the image exists. Never throws; the
 * answer is cached per options for the life of the process.
 */
export function dockerStatus(options: DockerProbeOptions = {}): Promise<DockerStatus> {
  const key = JSON.stringify([options.image ?? TEST_IMAGE, options.dockerOptions ?? null]);
  let status = cache.get(key);
  if (!status) {
    status = probe(options);
    cache.set(key, status);
  }
  return status;
}

/** Whether the local engine answers and the test image exists. */
export async function dockerAvailable(options: DockerProbeOptions = {}): Promise<boolean> {
  return (await dockerStatus(options)).ok;
}

async function probe(options: DockerProbeOptions): Promise<DockerStatus> {
  const image = options.image === undefined ? TEST_IMAGE : options.image;
  // A client with a socket timeout for the probe only: long calls (wait, logs) must not get one.
  const probeClient = new Docker({ ...options.dockerOptions, timeout: PROBE_TIMEOUT_MS });
  let serverVersion: string;
  try {
    const version = await probeClient.version();
    serverVersion = version.Version;
  } catch (err) {
    return {
      ok: false,
      reason:
        `the Docker engine does not answer (${describe(err)}); ` +
        'start it with: sudo scripts/ensure-docker',
    };
  }
  if (image !== null) {
    try {
      await probeClient.getImage(image).inspect();
    } catch (err) {
      return {
        ok: false,
        reason: `image ${image} is missing (${describe(err)}); build it with: scripts/build-test-images`,
      };
    }
  }
  return { ok: true, docker: new Docker(options.dockerOptions), serverVersion };
}

function describe(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as NodeJS.ErrnoException).code;
    return code ? `${code}: ${err.message}` : err.message;
  }
  return String(err);
}

/**
 * Call first in a test that needs Docker. Returns a client when the engine (and the test image)
 * is there. Otherwise returns `undefined` after failing the test in CI, or after marking it
 * skipped with the reason (and the command that fixes it) outside CI; the caller then returns.
 */
export async function requireDocker(
  t: DockerGate,
  options: DockerProbeOptions = {},
): Promise<Docker | undefined> {
  const status = await dockerStatus(options);
  if (status.ok) return status.docker;
  const ci = options.ci ?? process.env.CI === 'true';
  if (ci) {
    t.fail(`Docker is required in CI: ${status.reason}`);
  } else {
    t.comment(`skipping: ${status.reason}`);
    t.plan(0, `no Docker: ${status.reason}`);
  }
  return undefined;
}

/** A fresh id for one test run, used as the value of the {@link TEST_LABEL} label. */
export function newRunId(): string {
  return `${process.pid}-${randomBytes(4).toString('hex')}`;
}

/** What to create; every field is optional and defaults to the test image's HTTP server. */
export interface TestContainerOptions {
  readonly image?: string;
  /** Command, e.g. `['sleep', '30']`; default the image's (berth-httpd on $PORT, 8080). */
  readonly cmd?: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  readonly labels?: Readonly<Record<string, string>>;
  /** Container TCP ports to publish, each on a random host port. */
  readonly ports?: readonly number[];
  /** Host address for published ports; default '' (all addresses, as the agent does). */
  readonly hostIp?: string;
  readonly name?: string;
  /** Start it after creating it; default true. */
  readonly start?: boolean;
}

/** A container created by a {@link TestRun}. */
export interface TestContainer {
  readonly id: string;
  readonly container: Docker.Container;
  /** The host port Docker chose for a published container TCP port. */
  hostPort(containerPort: number): Promise<number>;
}

/** The containers of one test run; `cleanup` removes them all (and only them). */
export interface TestRun {
  readonly runId: string;
  readonly docker: Docker;
  createContainer(options?: TestContainerOptions): Promise<TestContainer>;
  cleanup(): Promise<number>;
}

/** The part of a tap `Test` that {@link testRun} uses. */
export interface Teardown {
  teardown(fn: () => unknown): unknown;
}

/**
 * Starts a test run: containers it creates carry `berth.test=<runId>`, and when `t` is given
 * they are removed in its teardown.
 */
export function testRun(docker: Docker, t?: Teardown, runId: string = newRunId()): TestRun {
  const run: TestRun = {
    runId,
    docker,
    createContainer: (options = {}) => createTestContainer(docker, runId, options),
    cleanup: () => removeTestContainers(docker, runId),
  };
  t?.teardown(() => run.cleanup());
  return run;
}

/** Creates (and by default starts) a container labelled with `runId`. */
export async function createTestContainer(
  docker: Docker,
  runId: string,
  options: TestContainerOptions = {},
): Promise<TestContainer> {
  if (!runId) throw new Error('createTestContainer: runId must not be empty');
  const ports = options.ports ?? [];
  const exposed: Record<string, object> = {};
  const bindings: Docker.PortMap = {};
  for (const port of ports) {
    exposed[`${port}/tcp`] = {};
    bindings[`${port}/tcp`] = [{ HostIp: options.hostIp ?? '', HostPort: '' }];
  }
  const container = await docker.createContainer({
    Image: options.image ?? TEST_IMAGE,
    ...(options.cmd ? { Cmd: [...options.cmd] } : {}),
    ...(options.name ? { name: options.name } : {}),
    Env: Object.entries(options.env ?? {}).map(([k, v]) => `${k}=${v}`),
    Labels: { ...options.labels, [TEST_LABEL]: runId },
    ExposedPorts: exposed,
    HostConfig: { PortBindings: bindings },
  });
  if (options.start ?? true) await container.start();
  return {
    id: container.id,
    container,
    hostPort: async (containerPort) =>
      hostPortOf((await container.inspect()).NetworkSettings.Ports, containerPort),
  };
}

/**
 * The host port bound to a container TCP port in an inspect result's `NetworkSettings.Ports`,
 * preferring an IPv4 binding. Throws when the port is not published.
 */
export function hostPortOf(
  ports: Docker.PortMap | null | undefined,
  containerPort: number,
): number {
  const bindings = ports?.[`${containerPort}/tcp`] ?? [];
  const ipv4 = bindings.find((b) => !(b.HostIp ?? '').includes(':')) ?? bindings[0];
  const port = Number(ipv4?.HostPort);
  if (!ipv4 || !Number.isInteger(port) || port <= 0 || port > 65535) {
    throw new Error(
      `container port ${containerPort}/tcp is not published (${JSON.stringify(bindings)})`,
    );
  }
  return port;
}

/** Force-removes every container labelled `berth.test=<runId>`; returns how many it removed. */
export async function removeTestContainers(docker: Docker, runId: string): Promise<number> {
  if (!runId) throw new Error('removeTestContainers: runId must not be empty');
  const mine = await docker.listContainers({
    all: true,
    filters: { label: [`${TEST_LABEL}=${runId}`] },
  });
  let removed = 0;
  for (const info of mine) {
    // Re-check the label: the filter is the engine's, the promise not to touch others is ours.
    if (info.Labels?.[TEST_LABEL] !== runId) continue;
    try {
      await docker.getContainer(info.Id).remove({ force: true, v: true });
      removed++;
    } catch (err) {
      // Already gone, or being removed (e.g. by the code under test), is fine; the rest is not.
      const status = (err as { statusCode?: number }).statusCode;
      if (status !== 404 && status !== 409) throw err;
    }
  }
  return removed;
}
