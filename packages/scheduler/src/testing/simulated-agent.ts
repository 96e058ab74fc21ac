/**
 * `SimulatedAgent`: a container instance without Docker, speaking the agent protocol exactly
 * (RegisterContainerInstance, PollAssignments long-poll, SubmitTaskStateChange in order per
 * task, retried until acknowledged). Tests, benchmarks and other packages' tests drive the
 * scheduler with it. With `autoRun` it reports RUNNING for each new task and STOPPED for each
 * task whose desired status is STOPPED, as a well-behaved agent would. Must never touch Docker.
 */
import { EventEmitter } from 'node:events';
import type { AwsCredentials } from '../wire/sigv4.js';
import { EcsCallError, EcsJsonClient } from './ecs-json-client.js';

export interface SimulatedAgentOptions {
  readonly endpoint: string;
  readonly credentials?: AwsCredentials | undefined;
  readonly region?: string;
  readonly cluster?: string;
  /** The `--instance-id`: sent in instanceIdentityDocument. */
  readonly instanceId?: string;
  /** Known ARN from a previous registration (an agent's --data-dir). */
  readonly containerInstanceArn?: string;
  readonly cpu?: number;
  readonly memory?: number;
  readonly reservedPorts?: readonly number[];
  readonly reservedUdpPorts?: readonly number[];
  readonly attributes?: Readonly<Record<string, string>>;
  readonly availabilityZone?: string;
  readonly advertiseIp?: string;
  /** Report RUNNING / STOPPED by itself (default true). */
  readonly autoRun?: boolean;
  /** Also report PENDING before RUNNING (default false). */
  readonly reportPending?: boolean;
  /** PollAssignments waitSeconds (default 20). */
  readonly waitSeconds?: number;
  /** Share one client (sockets) between many agents. */
  readonly client?: EcsJsonClient;
}

/** One task as the agent was told about it. */
export interface Assignment {
  taskArn: string;
  desiredStatus: 'RUNNING' | 'STOPPED';
  lastStatus: string;
  taskDefinition: Record<string, unknown>;
  overrides?: Record<string, unknown>;
  startedBy?: string;
  group?: string;
  createdAt: number;
  stopCode?: string;
  stoppedReason?: string;
}

export interface SimulatedAgentEvents {
  /** A poll answered with a new version. */
  assignments: [{ version: number; tasks: Assignment[] }];
  /** A task seen for the first time. */
  task: [Assignment];
  /** A report acknowledged. */
  reported: [{ taskArn: string; status: string }];
  failure: [unknown];
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A simulated container instance. */
export class SimulatedAgent extends EventEmitter<SimulatedAgentEvents> {
  readonly client: EcsJsonClient;
  readonly cluster: string;
  readonly instanceId: string;
  arn: string | undefined;
  /** Last assignment version seen. */
  version = 0;
  /** Current assignments by task ARN. */
  readonly tasks = new Map<string, Assignment>();
  /** Highest status reported per task. */
  readonly reported = new Map<string, string>();
  /** Polls answered (changes or not). */
  polls = 0;
  readonly #o: SimulatedAgentOptions;
  readonly #ownClient: boolean;
  #loop: Promise<void> | undefined;
  #abort: AbortController | undefined;
  #queues = new Map<string, Promise<void>>();

  constructor(options: SimulatedAgentOptions) {
    super();
    this.#o = options;
    this.cluster = options.cluster ?? 'default';
    this.instanceId = options.instanceId ?? `i-sim${Math.random().toString(16).slice(2, 14)}`;
    this.arn = options.containerInstanceArn;
    this.#ownClient = !options.client;
    this.client =
      options.client ??
      new EcsJsonClient({
        endpoint: options.endpoint,
        credentials: options.credentials,
        region: options.region ?? 'us-east-1',
      });
  }

  /** RegisterContainerInstance (re-registers when the ARN is known). Returns the ARN. */
  async register(): Promise<string> {
    const attrs = {
      'ecs.os-type': 'linux',
      'ecs.cpu-architecture': 'x86_64',
      'ecs.availability-zone': this.#o.availabilityZone ?? 'local-1a',
      'berth.advertise-ip': this.#o.advertiseIp ?? '127.0.0.2',
      ...(this.#o.attributes ?? {}),
    };
    const r = await this.client.ecs<{ containerInstance: { containerInstanceArn: string } }>(
      'RegisterContainerInstance',
      {
        cluster: this.cluster,
        ...(this.arn ? { containerInstanceArn: this.arn } : {}),
        totalResources: [
          { name: 'CPU', type: 'INTEGER', integerValue: this.#o.cpu ?? 2048 },
          { name: 'MEMORY', type: 'INTEGER', integerValue: this.#o.memory ?? 4096 },
          {
            name: 'PORTS',
            type: 'STRINGSET',
            stringSetValue: (this.#o.reservedPorts ?? [22]).map(String),
          },
          {
            name: 'PORTS_UDP',
            type: 'STRINGSET',
            stringSetValue: (this.#o.reservedUdpPorts ?? []).map(String),
          },
        ],
        versionInfo: { agentVersion: '1.0.0', agentHash: 'simulated', dockerVersion: 'none' },
        attributes: Object.entries(attrs).map(([name, value]) => ({ name, value })),
        instanceIdentityDocument: JSON.stringify({ instanceId: this.instanceId }),
      },
    );
    this.arn = r.containerInstance.containerInstanceArn;
    return this.arn;
  }

  /** Starts the poll loop (registering first when needed). */
  start(): void {
    if (this.#loop) return;
    const abort = new AbortController();
    this.#abort = abort;
    this.#loop = this.#run(abort.signal);
  }

  /** Stops polling (the request in flight is cancelled) and waits for reports in flight. */
  async stop(): Promise<void> {
    this.#abort?.abort();
    await this.#loop?.catch(() => {});
    this.#loop = undefined;
    await Promise.allSettled([...this.#queues.values()]);
    if (this.#ownClient) this.client.close();
  }

  /** One PollAssignments round trip. */
  async pollOnce(waitSeconds = 0, signal?: AbortSignal): Promise<boolean> {
    if (!this.arn) await this.register();
    const r = await this.client.agent<{ version: number; tasks: Assignment[] }>(
      'PollAssignments',
      { cluster: this.cluster, containerInstance: this.arn, version: this.version, waitSeconds },
      signal,
    );
    this.polls++;
    if (r.version === this.version) return false;
    this.version = r.version;
    const seen = new Set<string>();
    for (const t of r.tasks) {
      seen.add(t.taskArn);
      if (!this.tasks.has(t.taskArn)) this.emit('task', t);
      this.tasks.set(t.taskArn, t);
    }
    for (const arn of [...this.tasks.keys()]) if (!seen.has(arn)) this.tasks.delete(arn);
    this.emit('assignments', { version: r.version, tasks: r.tasks });
    if (this.#o.autoRun ?? true) this.#converge(r.tasks);
    return true;
  }

  async #run(signal: AbortSignal): Promise<void> {
    let failures = 0;
    while (!signal.aborted) {
      try {
        await this.pollOnce(this.#o.waitSeconds ?? 20, signal);
        failures = 0;
      } catch (e) {
        if (signal.aborted) return;
        if (e instanceof EcsCallError && e.status === 400 && /container instance/.test(e.message)) {
          this.arn = undefined; // forgotten by the scheduler: register again
        }
        this.emit('failure', e);
        failures++;
        await sleep(Math.min(2000, 50 * 2 ** Math.min(failures, 6)));
      }
    }
  }

  #converge(tasks: readonly Assignment[]): void {
    for (const t of tasks) {
      const done = this.reported.get(t.taskArn);
      if (t.desiredStatus === 'RUNNING' && done === undefined) {
        if (this.#o.reportPending) void this.report(t.taskArn, 'PENDING');
        void this.report(t.taskArn, 'RUNNING');
      } else if (t.desiredStatus === 'STOPPED' && done !== 'STOPPED') {
        void this.report(t.taskArn, 'STOPPED', { exitCode: 137, reason: 'stopped by scheduler' });
      }
    }
  }

  /**
   * Reports a task state (SubmitTaskStateChange), after any earlier report of the same task,
   * retrying until acknowledged or the agent stops.
   */
  report(
    taskArn: string,
    status: 'PENDING' | 'RUNNING' | 'STOPPED',
    extra: { exitCode?: number; reason?: string } = {},
  ): Promise<void> {
    this.reported.set(taskArn, status);
    const prev = this.#queues.get(taskArn) ?? Promise.resolve();
    const next = prev.then(() => this.#send(taskArn, status, extra));
    this.#queues.set(taskArn, next);
    void next.finally(() => {
      if (this.#queues.get(taskArn) === next) this.#queues.delete(taskArn);
    });
    return next;
  }

  async #send(
    taskArn: string,
    status: string,
    extra: { exitCode?: number; reason?: string },
  ): Promise<void> {
    const a = this.tasks.get(taskArn);
    const defs = (a?.taskDefinition['containerDefinitions'] as Record<string, unknown>[]) ?? [];
    const containers = defs.map((d) => ({
      containerName: String(d['name']),
      runtimeId: `sim-${taskArn.slice(-12)}-${String(d['name'])}`,
      status,
      ...(status === 'STOPPED' ? { exitCode: extra.exitCode ?? 0 } : {}),
      networkBindings: ((d['portMappings'] as Record<string, unknown>[] | undefined) ?? []).map(
        (p, i) => ({
          bindIP: '0.0.0.0',
          containerPort: p['containerPort'],
          hostPort: (p['hostPort'] as number | undefined) || 32768 + i,
          protocol: p['protocol'] ?? 'tcp',
        }),
      ),
    }));
    let attempt = 0;
    for (;;) {
      try {
        await this.client.ecs('SubmitTaskStateChange', {
          cluster: this.cluster,
          task: taskArn,
          status,
          ...(extra.reason ? { reason: extra.reason } : {}),
          containers,
        });
        this.emit('reported', { taskArn, status });
        return;
      } catch (e) {
        if (this.#abort?.signal.aborted && attempt > 0) return;
        if (e instanceof EcsCallError && e.status === 400) {
          this.emit('failure', e);
          return; // a client error will not heal by retrying
        }
        attempt++;
        await sleep(Math.min(2000, 50 * 2 ** Math.min(attempt, 6)));
      }
    }
  }

  /**
   * Reports a container's Docker health (SubmitContainerStateChange with `healthStatus`), as
   * the agent does when Docker's health status changes. Default: every container of the task.
   */
  async reportHealth(
    taskArn: string,
    healthStatus: 'HEALTHY' | 'UNHEALTHY' | 'UNKNOWN',
    containerName?: string,
  ): Promise<void> {
    const a = this.tasks.get(taskArn);
    const defs = (a?.taskDefinition['containerDefinitions'] as Record<string, unknown>[]) ?? [];
    const names = containerName ? [containerName] : defs.map((d) => String(d['name']));
    for (const name of names) {
      await this.client.ecs('SubmitContainerStateChange', {
        cluster: this.cluster,
        task: taskArn,
        containerName: name,
        status: 'RUNNING',
        healthStatus,
      });
    }
  }

  /** DeregisterContainerInstance. */
  async deregister(force = true): Promise<void> {
    if (!this.arn) return;
    await this.client.ecs('DeregisterContainerInstance', {
      cluster: this.cluster,
      containerInstance: this.arn,
      force,
    });
  }
}
