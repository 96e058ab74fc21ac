/**
 * ContainerRuntime on the Docker Engine API (dockerode): containers, images, volumes, logs,
 * disk use, and an event stream that reconnects with backoff (replaying the last seconds with
 * `since`) and tells the caller to resync after every (re)connect. The only file that talks
 * to Docker; it must never decide what to run or when.
 */

import { statfs } from 'node:fs/promises';
import { BerthError, followLines } from '@berth/daemon';
import Docker from 'dockerode';
import { backoffDelay } from './backoff.js';
import type {
  ContainerInfo,
  ContainerRuntime,
  DiskUsage,
  ImageInfo,
  PortBinding,
  PullProgress,
  RuntimeEvent,
  RuntimeWatch,
  RuntimeWatchHandlers,
} from './container-runtime.js';
import type { DockerCreateOptions, PlannedVolume } from './docker-config.js';
import { RuntimeError } from './errors.js';
import type { RegistryAuth } from './task-secrets.js';

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

function statusOf(err: unknown): number | undefined {
  const s = (err as { statusCode?: unknown } | undefined)?.statusCode;
  return typeof s === 'number' ? s : undefined;
}

/** The engine's own message when it gave one (dockerode puts it in `json.message`). */
export function describeDockerError(err: unknown): string {
  const json = (err as { json?: { message?: unknown } } | undefined)?.json;
  if (json && typeof json.message === 'string') return json.message;
  if (err instanceof BerthError) return err.message;
  if (err instanceof Error) {
    const code = (err as NodeJS.ErrnoException).code;
    return code ? `${code}: ${err.message}` : err.message;
  }
  return String(err);
}

function fail(what: string, err: unknown): RuntimeError {
  return new RuntimeError(`${what}: ${describeDockerError(err)}`, statusOf(err), { cause: err });
}

function timeOf(text: unknown): number | undefined {
  if (typeof text !== 'string' || text.startsWith('0001-')) return undefined;
  const ms = Date.parse(text);
  return Number.isFinite(ms) && ms > 0 ? ms : undefined;
}

interface InspectShape {
  Id: string;
  Name?: string;
  Created?: string;
  Image?: string;
  Config?: { Labels?: Record<string, string> | null; Image?: string };
  State?: {
    Status?: string;
    Running?: boolean;
    ExitCode?: number;
    OOMKilled?: boolean;
    Error?: string;
    StartedAt?: string;
    FinishedAt?: string;
    Health?: { Status?: string };
  };
  HostConfig?: { NetworkMode?: string };
  NetworkSettings?: {
    Ports?: Record<string, { HostIp?: string; HostPort?: string }[] | null> | null;
  };
  Mounts?: { Name?: string; Source?: string; Destination?: string }[];
}

function portsOf(ports: InspectShape['NetworkSettings']): PortBinding[] {
  const out: PortBinding[] = [];
  for (const [key, bindings] of Object.entries(ports?.Ports ?? {})) {
    const [port, proto] = key.split('/') as [string, string | undefined];
    for (const b of bindings ?? []) {
      const hostPort = Number(b.HostPort);
      if (!Number.isInteger(hostPort) || hostPort <= 0) continue;
      out.push({
        containerPort: Number(port),
        protocol: proto === 'udp' ? 'udp' : 'tcp',
        hostIp: b.HostIp ?? '',
        hostPort,
      });
    }
  }
  return out;
}

/** Converts a Docker inspect answer to ContainerInfo (exported for tests). */
export function infoFromInspect(i: InspectShape): ContainerInfo {
  const state = i.State ?? {};
  const status = state.Status ?? 'unknown';
  const started = timeOf(state.StartedAt);
  return {
    id: i.Id,
    name: (i.Name ?? '').replace(/^\//, ''),
    labels: { ...(i.Config?.Labels ?? {}) },
    image: i.Config?.Image ?? '',
    imageId: i.Image ?? '',
    status,
    running: state.Running === true,
    exitCode: status === 'exited' || status === 'dead' ? state.ExitCode : undefined,
    oomKilled: state.OOMKilled === true,
    error: state.Error ?? '',
    createdAt: timeOf(i.Created),
    startedAt: started,
    finishedAt: timeOf(state.FinishedAt),
    health: state.Health?.Status,
    ports: portsOf(i.NetworkSettings),
    networkMode: i.HostConfig?.NetworkMode ?? '',
    mounts: (i.Mounts ?? []).map((m) => ({
      ...(m.Name ? { name: m.Name } : {}),
      source: m.Source ?? '',
      destination: m.Destination ?? '',
    })),
  };
}

/** Parses one line of Docker's event stream; undefined for anything but a container event. */
export function parseDockerEvent(line: string): RuntimeEvent | undefined {
  let msg: {
    Type?: string;
    Action?: string;
    status?: string;
    id?: string;
    time?: number;
    timeNano?: number;
    Actor?: { ID?: string; Attributes?: Record<string, string> };
  };
  try {
    msg = JSON.parse(line) as typeof msg;
  } catch {
    return undefined;
  }
  if (msg.Type !== undefined && msg.Type !== 'container') return undefined;
  const id = msg.Actor?.ID ?? msg.id;
  const action = (msg.Action ?? msg.status ?? '').split(':', 1)[0]?.trim() ?? '';
  if (!id || !action) return undefined;
  const time =
    typeof msg.timeNano === 'number'
      ? msg.timeNano / 1e6
      : typeof msg.time === 'number'
        ? msg.time * 1000
        : Date.now();
  const attributes = { ...(msg.Actor?.Attributes ?? {}) };
  // `health_status: healthy` carries the status in the action text.
  const full = msg.Action ?? msg.status ?? '';
  if (action === 'health_status' && full.includes(':')) {
    attributes['health_status'] = full.slice(full.indexOf(':') + 1).trim();
  }
  return { action, id, time, attributes };
}

/** Splits Docker's multiplexed log stream (8-byte frame headers) into text. */
export function demuxLogs(buf: Buffer): string {
  const looksFramed =
    buf.length >= 8 && buf[0]! <= 2 && buf[1] === 0 && buf[2] === 0 && buf[3] === 0;
  if (!looksFramed) return buf.toString('utf8');
  const parts: Buffer[] = [];
  let at = 0;
  while (at + 8 <= buf.length) {
    const len = buf.readUInt32BE(at + 4);
    parts.push(buf.subarray(at + 8, at + 8 + len));
    at += 8 + len;
  }
  return Buffer.concat(parts).toString('utf8');
}

function labelFilters(labels: Readonly<Record<string, string>>): string[] {
  return Object.entries(labels).map(([k, v]) => `${k}=${v}`);
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
    this.#baseMs = options.reconnectBaseMs ?? 100;
    this.#maxMs = options.reconnectMaxMs ?? 5000;
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
      if (statusOf(err) === 304) return; // already started
      throw fail(`cannot start container ${id.slice(0, 12)}`, err);
    }
  }

  async stop(id: string, timeoutS: number): Promise<void> {
    try {
      await this.docker.getContainer(id).stop({ t: timeoutS });
    } catch (err) {
      const s = statusOf(err);
      if (s === 304 || s === 404) return; // already stopped, or gone
      throw fail(`cannot stop container ${id.slice(0, 12)}`, err);
    }
  }

  async remove(id: string): Promise<void> {
    try {
      await this.docker.getContainer(id).remove({ force: true, v: true });
    } catch (err) {
      const s = statusOf(err);
      if (s === 404 || s === 409) return; // gone, or already being removed
      throw fail(`cannot remove container ${id.slice(0, 12)}`, err);
    }
  }

  async inspect(idOrName: string): Promise<ContainerInfo | undefined> {
    try {
      const info = await this.docker.getContainer(idOrName).inspect();
      return infoFromInspect(info as unknown as InspectShape);
    } catch (err) {
      if (statusOf(err) === 404) return undefined;
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
    return followLines(
      {
        // Replaying two seconds closes the gap between subscribing and the caller's resync.
        open: () =>
          this.docker.getEvents({
            since: Math.floor(Date.now() / 1000) - 2,
            filters: { type: ['container'], label: labelFilters(labels) },
          }),
        retryDelayMs: (failures) => backoffDelay(failures, this.#baseMs, this.#maxMs),
        describeError: (what, cause) =>
          what === 'open'
            ? fail('cannot follow Docker events', cause)
            : what === 'error'
              ? fail('Docker event stream failed', cause)
              : new RuntimeError(`Docker event stream ${what === 'end' ? 'ended' : 'closed'}`),
      },
      {
        line: (line) => {
          const event = parseDockerEvent(line);
          if (event) handlers.event(event);
        },
        connected: () => handlers.connected(),
        disconnected: (error) => handlers.disconnected(error),
      },
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
      const s = statusOf(err);
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
      const s = statusOf(err);
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
      const s = statusOf(err);
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
