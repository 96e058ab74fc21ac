/**
 * The agent's one narrow interface to the container engine. docker-runtime.ts implements it
 * on @berth/docker and dockerode; memory-runtime.ts implements it in memory for unit tests.
 * Only data crosses it; it must never carry task logic (what to create, when to stop) — that
 * is the runner's.
 */

import type {
  DockerContainer,
  DockerEvent,
  DockerEventFollow,
  DockerEventHandlers,
} from '@berth/docker';
import type { DockerCreateOptions, PlannedVolume } from '../core/docker-config.js';
import type { RegistryAuth } from '../task-secrets.js';

/** A published port as Docker reports it. */
export interface PortBinding {
  readonly containerPort: number;
  readonly protocol: 'tcp' | 'udp';
  readonly hostIp: string;
  readonly hostPort: number;
}

/** What the agent needs to know of one container (a view of @berth/docker's DockerContainer). */
export interface ContainerInfo extends Pick<
  DockerContainer,
  | 'id'
  | 'name'
  | 'labels'
  | 'image'
  | 'imageId'
  | 'running'
  | 'oomKilled'
  | 'error'
  | 'createdAt'
  | 'startedAt'
  | 'finishedAt'
  | 'networkMode'
  | 'mounts'
> {
  /** Docker's state: created, running, paused, restarting, removing, exited, dead, unknown. */
  readonly status: string;
  /** Set once the container exited or died. */
  readonly exitCode: number | undefined;
  /** Docker health status when a health check is set: starting, healthy, unhealthy. */
  readonly health: string | undefined;
  /** Published tcp and udp bindings, one entry per host binding. */
  readonly ports: readonly PortBinding[];
}

/** A container lifecycle event of the engine (create, start, die, health_status, oom, ...). */
export type RuntimeEvent = DockerEvent;

/** Callbacks of an event subscription: `connected` (again) means the caller resyncs now. */
export type RuntimeWatchHandlers = DockerEventHandlers;

/** An open event subscription. */
export type RuntimeWatch = DockerEventFollow;

/** A local image. */
export interface ImageInfo {
  readonly id: string;
  readonly tags: readonly string[];
  /** ms since epoch. */
  readonly createdAt: number;
  readonly size: number;
}

/** Disk use of the file system holding the engine's data root. */
export interface DiskUsage {
  readonly usedBytes: number;
  readonly totalBytes: number;
}

/** Pull progress, as the engine reports it (one line per layer step). */
export interface PullProgress {
  readonly status: string;
  readonly id?: string;
  readonly progress?: string;
}

/** The container engine as the agent uses it. */
export interface ContainerRuntime {
  /** The engine's version (e.g. `20.10.24`). */
  version(): Promise<string>;
  /** Creates a container; RuntimeError status 409 when the name is taken. */
  create(options: DockerCreateOptions): Promise<string>;
  start(id: string): Promise<void>;
  /** Stops (SIGTERM, then SIGKILL after `timeoutS`); a stopped container is fine. */
  stop(id: string, timeoutS: number): Promise<void>;
  /** Force-removes a container and its anonymous volumes; a missing one is fine. */
  remove(id: string): Promise<void>;
  /** undefined when there is no such container (id or name). */
  inspect(idOrName: string): Promise<ContainerInfo | undefined>;
  /** Every container (running or not) carrying all of these labels. */
  list(labels: Readonly<Record<string, string>>): Promise<ContainerInfo[]>;
  /** Follows container events of containers with these labels; reconnects with backoff. */
  watch(labels: Readonly<Record<string, string>>, handlers: RuntimeWatchHandlers): RuntimeWatch;
  /** The last `tail` lines of a container's output (stdout and stderr, in order). */
  logs(id: string, tail: number): Promise<string>;
  /** Whether the image is present locally. */
  imageExists(image: string): Promise<boolean>;
  /** Pulls `image`, with `auth` for a private registry (repositoryCredentials). */
  pull(image: string, onProgress?: (p: PullProgress) => void, auth?: RegistryAuth): Promise<void>;
  /** Creates a volume; an existing one of that name is fine. */
  createVolume(volume: PlannedVolume): Promise<void>;
  /** Removes a volume; a missing or in-use one is left (returns false). */
  removeVolume(name: string): Promise<boolean>;
  listImages(): Promise<ImageInfo[]>;
  /** Removes an image reference (untags, or deletes when it is the last); false if in use. */
  removeImage(ref: string): Promise<boolean>;
  diskUsage(): Promise<DiskUsage>;
}
