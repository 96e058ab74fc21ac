/**
 * ContainerRuntime on the Docker Engine API (dockerode): containers, images, volumes, logs,
 * disk use, and an event stream that reconnects with backoff (replaying the last seconds with
 * `since`) and tells the caller to resync after every (re)connect. The only file that talks
 * to Docker; it must never decide what to run or when.
 */

import { statfs } from 'node:fs/promises';
import {
  type DockerContainer,
  DockerError,
  DEFAULT_RECONNECT,
  describeDockerError,
  dockerStatusOf,
  followDockerEvents,
  inspectContainer,
  labelFilters,
  demuxLogs,
} from '@berth/docker';
import Docker from 'dockerode';
import type {
  ContainerInfo,
  ContainerRuntime,
  DiskUsage,
  ImageInfo,
  PullProgress,
  RuntimeWatch,
  RuntimeWatchHandlers,
} from './container-runtime.js';
import type { DockerCreateOptions, PlannedVolume } from '../core/docker-config.js';
import { RuntimeError } from '../errors.js';
import type { RegistryAuth } from '../task-secrets.js';

/** Options of DockerRuntime. */
export interface DockerRuntimeOptions {
  /** Unix socket of the engine (default: DOCKER_HOST or /var/run/docker.sock, as dockerode). */
  readonly socketPath?: string;
  /** A ready client (tests); wins over socketPath. */
  readonly docker?: Docker;
  /** First reconnect delay in ms (default 100), doubling up to `reconnectMaxMs` (5000). */
  readonly reconnectBaseMs?: number;
  readonly reconnectMaxMs?: number;
}

function fail(what: string, err: unknown): RuntimeError {
  const e = err instanceof DockerError ? err : DockerError.from(what, err);
  return new RuntimeError(e.message, e.status, { cause: err });
}

/** The agent's view of a Docker container: published tcp/udp bindings flattened. */
export function containerInfoOf(c: DockerContainer): ContainerInfo {
  const status = c.state ?? 'unknown';
  return {
    id: c.id,
    name: c.name,
    labels: c.labels,
    image: c.image,
    imageId: c.imageId,
    status,
    running: c.running,
    exitCode: status === 'exited' || status === 'dead' ? c.exitCode : undefined,
    oomKilled: c.oomKilled,
    error: c.error,
    createdAt: c.createdAt,
    startedAt: c.startedAt,
    finishedAt: c.finishedAt,
    health: c.health,
    ports: c.ports.flatMap(({ port, protocol, bindings }) =>
      protocol === 'sctp'
        ? []
        : bindings.map((b) => ({
            containerPort: port,
            protocol,
            hostIp: b.hostIp,
            hostPort: b.hostPort,
          })),
    ),
    networkMode: c.networkMode,
    mounts: c.mounts,
  };
}

/** The Docker Engine as a ContainerRuntime. */
export class DockerRuntime implements ContainerRuntime {
  readonly docker: Docker;
  readonly #baseMs: number;
  readonly #maxMs: number;

  constructor(options: DockerRuntimeOptions = {}) {
    this.docker =
      options.docker ??
      new Docker(options.socketPath ? { socketPath: options.socketPath } : undefined);
    this.#baseMs = options.reconnectBaseMs ?? DEFAULT_RECONNECT.baseMs;
    this.#maxMs = options.reconnectMaxMs ?? DEFAULT_RECONNECT.maxMs;
  }

  async version(): Promise<string> {
    try {
      return (await this.docker.version()).Version;
    } catch (err) {
      throw fail('cannot reach Docker', err);
    }
  }

  async create(options: DockerCreateOptions): Promise<string> {
    try {
      const c = await this.docker.createContainer(
        options as unknown as Docker.ContainerCreateOptions,
      );
      return c.id;
    } catch (err) {
      throw fail(`cannot create container ${options.name}`, err);
    }
  }

  async start(id: string): Promise<void> {
    try {
      await this.docker.getContainer(id).start();
    } catch (err) {
      if (dockerStatusOf(err) === 304) return; // already started
      throw fail(`cannot start container ${id.slice(0, 12)}`, err);
    }
  }

  async stop(id: string, timeoutS: number): Promise<void> {
    try {
      await this.docker.getContainer(id).stop({ t: timeoutS });
    } catch (err) {
      const s = dockerStatusOf(err);
      if (s === 304 || s === 404) return; // already stopped, or gone
      throw fail(`cannot stop container ${id.slice(0, 12)}`, err);
    }
  }

  async remove(id: string): Promise<void> {
    try {
      await this.docker.getContainer(id).remove({ force: true, v: true });
    } catch (err) {
      const s = dockerStatusOf(err);
      if (s === 404 || s === 409) return; // gone, or already being removed
      throw fail(`cannot remove container ${id.slice(0, 12)}`, err);
    }
  }

  async inspect(idOrName: string): Promise<ContainerInfo | undefined> {
    try {
      const c = await inspectContainer(this.docker, idOrName);
      return c && containerInfoOf(c);
    } catch (err) {
      throw fail(`cannot inspect container ${idOrName.slice(0, 12)}`, err);
    }
  }

  async list(labels: Readonly<Record<string, string>>): Promise<ContainerInfo[]> {
    let ids: string[];
    try {
      const list = await this.docker.listContainers({
        all: true,
        filters: { label: labelFilters(labels) },
      });
      ids = list.map((c) => c.Id);
    } catch (err) {
      throw fail('cannot list containers', err);
    }
    const out: ContainerInfo[] = [];
    for (const id of ids) {
      const info = await this.inspect(id);
      // The filter is the engine's; the promise to touch only labelled containers is ours.
      if (info && Object.entries(labels).every(([k, v]) => info.labels[k] === v)) out.push(info);
    }
    return out;
  }

  watch(labels: Readonly<Record<string, string>>, handlers: RuntimeWatchHandlers): RuntimeWatch {
    return followDockerEvents(
      this.docker,
      {
        filters: { label: labelFilters(labels) },
        reconnect: { baseMs: this.#baseMs, maxMs: this.#maxMs },
      },
      handlers,
    );
  }

  async logs(id: string, tail: number): Promise<string> {
    try {
      const out = (await this.docker
        .getContainer(id)
        .logs({ stdout: true, stderr: true, tail, follow: false })) as unknown as Buffer;
      return demuxLogs(Buffer.isBuffer(out) ? out : Buffer.from(String(out)));
    } catch (err) {
      throw fail(`cannot read logs of ${id.slice(0, 12)}`, err);
    }
  }

  async imageExists(image: string): Promise<boolean> {
    try {
      await this.docker.getImage(image).inspect();
      return true;
    } catch (err) {
      const s = dockerStatusOf(err);
      if (s === 404 || s === 400) return false;
      throw fail(`cannot inspect image ${image}`, err);
    }
  }

  async pull(
    image: string,
    onProgress?: (p: PullProgress) => void,
    auth?: RegistryAuth,
  ): Promise<void> {
    let stream: NodeJS.ReadableStream;
    try {
      stream = await this.docker.pull(image, auth ? { authconfig: { ...auth } } : {});
    } catch (err) {
      throw fail(`cannot pull ${image}`, err);
    }
    await new Promise<void>((resolve, reject) => {
      this.docker.modem.followProgress(
        stream,
        (err: unknown) => (err ? reject(fail(`cannot pull ${image}`, err)) : resolve()),
        (event: { status?: string; id?: string; progress?: string }) => {
          if (onProgress && event.status) {
            onProgress({
              status: event.status,
              ...(event.id ? { id: event.id } : {}),
              ...(event.progress ? { progress: event.progress } : {}),
            });
          }
        },
      );
    });
  }

  async createVolume(volume: PlannedVolume): Promise<void> {
    try {
      await this.docker.createVolume({
        Name: volume.dockerName,
        Driver: volume.driver,
        DriverOpts: { ...volume.driverOpts },
        Labels: { ...volume.labels },
      });
    } catch (err) {
      throw fail(`cannot create volume ${volume.dockerName}`, err);
    }
  }

  async removeVolume(name: string): Promise<boolean> {
    try {
      await this.docker.getVolume(name).remove();
      return true;
    } catch (err) {
      const s = dockerStatusOf(err);
      if (s === 404 || s === 409) return false;
      throw fail(`cannot remove volume ${name}`, err);
    }
  }

  async listImages(): Promise<ImageInfo[]> {
    try {
      const list = await this.docker.listImages();
      return list.map((i) => ({
        id: i.Id,
        tags: (i.RepoTags ?? []).filter((t) => t !== '<none>:<none>'),
        createdAt: i.Created * 1000,
        size: i.Size,
      }));
    } catch (err) {
      throw fail('cannot list images', err);
    }
  }

  async removeImage(ref: string): Promise<boolean> {
    try {
      await this.docker.getImage(ref).remove();
      return true;
    } catch (err) {
      const s = dockerStatusOf(err);
      if (s === 404 || s === 409) return false;
      throw fail(`cannot remove image ${ref}`, err);
    }
  }

  async diskUsage(): Promise<DiskUsage> {
    let root: string;
    try {
      root =
        ((await this.docker.info()) as { DockerRootDir?: string }).DockerRootDir ??
        '/var/lib/docker';
    } catch (err) {
      throw fail('cannot read Docker info', err);
    }
    try {
      const s = await statfs(root);
      // As df's Use%: used / (used + available to unprivileged users).
      const used = (s.blocks - s.bfree) * s.bsize;
      return { usedBytes: used, totalBytes: used + s.bavail * s.bsize };
    } catch (err) {
      throw new RuntimeError(`cannot measure the disk of ${root}: ${describeDockerError(err)}`);
    }
  }
}
