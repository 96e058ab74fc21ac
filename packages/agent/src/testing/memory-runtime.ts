/**
 * An in-memory ContainerRuntime for unit tests of the runner and the agent: containers with
 * names, labels, ports and exit codes, images, volumes and an event feed, with knobs to make
 * a container exit, a pull fail or the event stream drop. It must never be used outside
 * tests; it runs no processes.
 */

import type {
  ContainerInfo,
  ContainerRuntime,
  DiskUsage,
  ImageInfo,
  PortBinding,
  PullProgress,
  RuntimeWatch,
  RuntimeWatchHandlers,
} from '../adapters/container-runtime.js';
import type { DockerCreateOptions, PlannedVolume } from '../core/docker-config.js';
import { RuntimeError } from '../errors.js';

interface Box {
  info: ContainerInfo;
  options: DockerCreateOptions;
  logs: string[];
}

/** The in-memory runtime. Public fields are test knobs. */
export class MemoryRuntime implements ContainerRuntime {
  readonly containers = new Map<string, Box>();
  readonly images = new Map<string, ImageInfo>();
  readonly volumes = new Map<string, PlannedVolume>();
  /** Images `pull` can fetch; others fail like an unreachable registry. */
  readonly pullable = new Set<string>();
  /** Every call, in order (`create web`, `start <id>`, ...), for assertions. */
  readonly calls: string[] = [];
  disk: DiskUsage = { usedBytes: 10, totalBytes: 100 };
  /** Exit code a stopped container gets (SIGTERM). */
  stopExitCode = 143;
  #watchers = new Set<{ labels: Readonly<Record<string, string>>; h: RuntimeWatchHandlers }>();
  #next = 1;
  #nextPort = 32768;

  constructor(images: readonly string[] = []) {
    for (const i of images) this.addImage(i);
  }

  addImage(ref: string, createdAt = Date.now()): void {
    this.images.set(ref, { id: `sha256:${ref}`, tags: [ref], createdAt, size: 1 });
  }

  async version(): Promise<string> {
    return 'memory';
  }

  #box(idOrName: string): Box | undefined {
    for (const b of this.containers.values()) {
      if (b.info.id === idOrName || b.info.name === idOrName) return b;
      if (idOrName.length >= 12 && b.info.id.startsWith(idOrName)) return b;
    }
    return undefined;
  }

  #emit(action: string, box: Box, attributes: Record<string, string> = {}): void {
    for (const w of this.#watchers) {
      if (Object.entries(w.labels).every(([k, v]) => box.info.labels[k] === v)) {
        // Docker puts the container's labels (and its name, image) in the event attributes.
        w.h.event({
          action,
          id: box.info.id,
          time: Date.now(),
          attributes: {
            ...box.info.labels,
            name: box.info.name,
            image: box.info.image,
            ...attributes,
          },
        });
      }
    }
  }

  async create(options: DockerCreateOptions): Promise<string> {
    this.calls.push(`create ${options.name}`);
    if (this.#box(options.name)) throw new RuntimeError(`name ${options.name} in use`, 409);
    if (!this.images.has(options.Image))
      throw new RuntimeError(`no such image ${options.Image}`, 404);
    const id = (this.#next++).toString(16).padStart(64, '0');
    const box: Box = {
      options,
      logs: [],
      info: {
        id,
        name: options.name,
        labels: { ...options.Labels },
        image: options.Image,
        imageId: `sha256:${options.Image}`,
        status: 'created',
        running: false,
        exitCode: undefined,
        oomKilled: false,
        error: '',
        createdAt: Date.now(),
        startedAt: undefined,
        finishedAt: undefined,
        health: options.Healthcheck ? 'starting' : undefined,
        ports: [],
        networkMode: options.HostConfig.NetworkMode,
        mounts: [],
      },
    };
    this.containers.set(id, box);
    this.#emit('create', box);
    return id;
  }

  #usedPorts(): Set<number> {
    const used = new Set<number>();
    for (const b of this.containers.values()) {
      if (b.info.running) for (const p of b.info.ports) used.add(p.hostPort);
    }
    return used;
  }

  async start(id: string): Promise<void> {
    this.calls.push(`start ${id.slice(0, 12)}`);
    const box = this.#box(id);
    if (!box) throw new RuntimeError(`no such container ${id}`, 404);
    if (box.info.running) return;
    const used = this.#usedPorts();
    const ports: PortBinding[] = [];
    for (const [key, bindings] of Object.entries(box.options.HostConfig.PortBindings)) {
      const [port, proto] = key.split('/') as [string, string];
      for (const b of bindings) {
        let hostPort = Number(b.HostPort);
        if (!b.HostPort) hostPort = this.#nextPort++;
        else if (used.has(hostPort)) {
          throw new RuntimeError(`port is already allocated: ${hostPort}`, 500);
        }
        ports.push({
          containerPort: Number(port),
          protocol: proto === 'udp' ? 'udp' : 'tcp',
          hostIp: b.HostIp || '0.0.0.0',
          hostPort,
        });
      }
    }
    box.info = {
      ...box.info,
      status: 'running',
      running: true,
      exitCode: undefined,
      startedAt: Date.now(),
      finishedAt: undefined,
      ports,
    };
    this.#emit('start', box);
  }

  /** Test knob: the container's process exits with `code`. */
  exit(id: string, code: number): void {
    const box = this.#box(id);
    if (!box || !box.info.running) return;
    box.info = {
      ...box.info,
      status: 'exited',
      running: false,
      exitCode: code,
      finishedAt: Date.now(),
      ports: [],
    };
    this.#emit('die', box, { exitCode: String(code) });
  }

  /** Test knob: sets a container's health status and emits the event. */
  setHealth(id: string, health: string): void {
    const box = this.#box(id);
    if (!box) return;
    box.info = { ...box.info, health };
    this.#emit('health_status', box, { health_status: health });
  }

  async stop(id: string, _timeoutS: number): Promise<void> {
    this.calls.push(`stop ${id.slice(0, 12)}`);
    this.exit(id, this.stopExitCode);
  }

  async remove(id: string): Promise<void> {
    this.calls.push(`remove ${id.slice(0, 12)}`);
    const box = this.#box(id);
    if (!box) return;
    this.containers.delete(box.info.id);
    this.#emit('destroy', box);
  }

  async inspect(idOrName: string): Promise<ContainerInfo | undefined> {
    return this.#box(idOrName)?.info;
  }

  async list(labels: Readonly<Record<string, string>>): Promise<ContainerInfo[]> {
    return [...this.containers.values()]
      .map((b) => b.info)
      .filter((i) => Object.entries(labels).every(([k, v]) => i.labels[k] === v));
  }

  watch(labels: Readonly<Record<string, string>>, h: RuntimeWatchHandlers): RuntimeWatch {
    const w = { labels, h };
    this.#watchers.add(w);
    queueMicrotask(() => h.connected());
    return { close: () => this.#watchers.delete(w) };
  }

  /** Test knob: drops every event stream and reconnects it (as after a dockerd restart). */
  reconnect(error: unknown = new RuntimeError('stream dropped')): void {
    for (const w of this.#watchers) {
      w.h.disconnected(error);
      queueMicrotask(() => w.h.connected());
    }
  }

  async logs(id: string, tail: number): Promise<string> {
    const lines = this.#box(id)?.logs ?? [];
    return lines
      .slice(-tail)
      .map((l) => `${l}\n`)
      .join('');
  }

  async imageExists(image: string): Promise<boolean> {
    return this.images.has(image);
  }

  async pull(image: string, onProgress?: (p: PullProgress) => void): Promise<void> {
    this.calls.push(`pull ${image}`);
    if (!this.pullable.has(image)) {
      throw new RuntimeError(`pull access denied for ${image}, repository does not exist`, 404);
    }
    onProgress?.({ status: `Pulling from ${image}` });
    this.addImage(image);
  }

  async createVolume(volume: PlannedVolume): Promise<void> {
    this.calls.push(`volume ${volume.dockerName}`);
    this.volumes.set(volume.dockerName, volume);
  }

  async removeVolume(name: string): Promise<boolean> {
    this.calls.push(`rmvolume ${name}`);
    return this.volumes.delete(name);
  }

  async listImages(): Promise<ImageInfo[]> {
    return [...this.images.values()];
  }

  async removeImage(ref: string): Promise<boolean> {
    this.calls.push(`rmi ${ref}`);
    for (const b of this.containers.values()) if (b.info.image === ref) return false;
    return this.images.delete(ref);
  }

  async diskUsage(): Promise<DiskUsage> {
    return this.disk;
  }
}
