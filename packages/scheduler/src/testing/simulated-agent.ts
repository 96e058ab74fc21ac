/**
 * `SimulatedAgent`: a container instance without Docker, speaking the agent protocol exactly
 * (RegisterContainerInstance, PollAssignments long-poll, SubmitTaskStateChange in order per
 * task, retried until acknowledged). Tests, benchmarks and other packages' tests drive the
 * scheduler with it. With `autoRun` it reports RUNNING for each new task and STOPPED for each
 * task whose desired status is STOPPED, as a well-behaved agent would. Must never touch Docker.
 */
import { backoffDelay, sleep } from '@berth/daemon';
import { EventEmitter } from 'node:events';
import {
  ATTRIBUTE_ADVERTISE_IP,
  ATTRIBUTE_AVAILABILITY_ZONE,
  ATTRIBUTE_CPU_ARCHITECTURE,
  ATTRIBUTE_OS_TYPE,
  type Assignment,
  type Assignments,
  type BackendStatus,
  type ContainerDefinition,
  type ContainerHealthStatus,
  type ContainerReport,
  type ContainerStateChange,
  type NetworkBinding,
  type PollRequest,
  RESOURCE_CPU,
  RESOURCE_MEMORY,
  RESOURCE_PORTS,
  RESOURCE_PORTS_UDP,
  type Registration,
  type TaskStateChange,
} from '@berth/protocol';
import type { AwsCredentials } from '../core/sigv4.js';
import { EcsCallError, EcsJsonClient } from '../client/ecs-json-client.js';

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

export interface SimulatedAgentEvents {
  /** A poll answered with a new version. */
  assignments: [Assignments];
  /** A task seen for the first time. */
  task: [Assignment];
  /** A report acknowledged. */
  reported: [{ taskArn: string; status: string }];
  failure: [unknown];
}

/** Delays between retries of a poll or a report. */
const RETRY = { baseMs: 50, maxMs: 2000 } as const;

/** The bindings a container reports: its host ports, or 32768+ where Docker would pick one. */
function bindingsOf(d: ContainerDefinition): NetworkBinding[] {
  return (d.portMappings ?? []).map((p, i) => ({
    bindIP: '0.0.0.0',
    containerPort: p.containerPort ?? 0,
    hostPort: p.hostPort || 32768 + i,
    protocol: p.protocol ?? 'tcp',
  }));
}

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
      [ATTRIBUTE_OS_TYPE]: 'linux',
      [ATTRIBUTE_CPU_ARCHITECTURE]: 'x86_64',
      [ATTRIBUTE_AVAILABILITY_ZONE]: this.#o.availabilityZone ?? 'local-1a',
      [ATTRIBUTE_ADVERTISE_IP]: this.#o.advertiseIp ?? '127.0.0.2',
      ...(this.#o.attributes ?? {}),
    };
    const registration: Registration = {
      ...(this.arn ? { containerInstanceArn: this.arn } : {}),
      totalResources: [
        { name: RESOURCE_CPU, type: 'INTEGER', integerValue: this.#o.cpu ?? 2048 },
        { name: RESOURCE_MEMORY, type: 'INTEGER', integerValue: this.#o.memory ?? 4096 },
        {
          name: RESOURCE_PORTS,
          type: 'STRINGSET',
          stringSetValue: (this.#o.reservedPorts ?? [22]).map(String),
        },
        {
          name: RESOURCE_PORTS_UDP,
          type: 'STRINGSET',
          stringSetValue: (this.#o.reservedUdpPorts ?? []).map(String),
        },
      ],
      versionInfo: { agentVersion: '1.0.0', agentHash: 'simulated', dockerVersion: 'none' },
      attributes: Object.entries(attrs).map(([name, value]) => ({ name, value })),
      instanceIdentityDocument: JSON.stringify({ instanceId: this.instanceId }),
    };
    const r = await this.client.ecs<{ containerInstance: { containerInstanceArn: string } }>(
      'RegisterContainerInstance',
      { cluster: this.cluster, ...registration },
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
    const poll: PollRequest = { containerInstance: this.arn!, version: this.version, waitSeconds };
    const r = await this.client.agent<Assignments>(
      'PollAssignments',
      { cluster: this.cluster, ...poll },
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
        await sleep(backoffDelay(failures + 1, RETRY), signal);
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
    status: BackendStatus,
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
    status: BackendStatus,
    extra: { exitCode?: number; reason?: string },
  ): Promise<void> {
    const containers = this.#containers(taskArn).map((d): ContainerStateChange => ({
      containerName: d.name,
      runtimeId: `sim-${taskArn.slice(-12)}-${d.name}`,
      status,
      ...(status === 'STOPPED' ? { exitCode: extra.exitCode ?? 0 } : {}),
      networkBindings: bindingsOf(d),
    }));
    const change: TaskStateChange = {
      task: taskArn,
      status,
      ...(extra.reason ? { reason: extra.reason } : {}),
      containers,
    };
    let attempt = 0;
    for (;;) {
      try {
        await this.client.ecs('SubmitTaskStateChange', { cluster: this.cluster, ...change });
        this.emit('reported', { taskArn, status });
        return;
      } catch (e) {
        if (this.#abort?.signal.aborted && attempt > 0) return;
        if (e instanceof EcsCallError && e.status === 400) {
          this.emit('failure', e);
          return; // a client error will not heal by retrying
        }
        attempt++;
        await sleep(backoffDelay(attempt + 1, RETRY));
      }
    }
  }

  /**
   * Reports a container's Docker health (SubmitContainerStateChange with `healthStatus`), as
   * the agent does when Docker's health status changes. Default: every container of the task.
   */
  async reportHealth(
    taskArn: string,
    healthStatus: ContainerHealthStatus,
    containerName?: string,
  ): Promise<void> {
    const defs = this.#containers(taskArn);
    const names = containerName ? [containerName] : defs.map((d) => d.name);
    for (const name of names) {
      const def = defs.find((d) => d.name === name);
      const report: ContainerReport = {
        task: taskArn,
        containerName: name,
        status: 'RUNNING',
        networkBindings: def ? bindingsOf(def) : [],
        healthStatus,
      };
      await this.client.ecs('SubmitContainerStateChange', { cluster: this.cluster, ...report });
    }
  }

  #containers(taskArn: string): readonly ContainerDefinition[] {
    return this.tasks.get(taskArn)?.taskDefinition.containerDefinitions ?? [];
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
