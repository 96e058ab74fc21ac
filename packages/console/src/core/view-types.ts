/**
 * The view models the console's server sends and its pages render: plain JSON, times in epoch
 * milliseconds. Shared by the server (which builds them from API answers) and the browser
 * bundle (which only draws them). Types only: this module must never hold behaviour.
 */

/** How a row or badge is coloured: fine, attention, failure, gone/inactive. */
export type Tone = 'ok' | 'warn' | 'bad' | 'idle';

/** Points of a small chart: `[epoch ms, value]`, oldest first. */
export type Series = readonly (readonly [number, number])[];

export interface TaskRow {
  readonly id: string;
  readonly arn: string;
  readonly cluster: string;
  /** `service:hello`, `family:hello`. */
  readonly group: string;
  /** The ECS service it belongs to, when started by one. */
  readonly service: string | undefined;
  /** `family:revision`. */
  readonly taskDefinition: string;
  readonly lastStatus: string;
  readonly desiredStatus: string;
  readonly health: string;
  readonly tone: Tone;
  readonly instanceId: string;
  /** The host's name (`berth.host` attribute, else the EC2 instance id, else the instance id). */
  readonly host: string;
  /** `127.0.0.1:32768→8080/tcp`. */
  readonly ports: readonly string[];
  readonly startedAt: number | undefined;
  readonly stoppedAt: number | undefined;
  readonly stopCode: string | undefined;
  readonly stoppedReason: string | undefined;
  /** Exit codes of stopped containers: `hello: 137`. */
  readonly exits: readonly string[];
}

export interface ContainerView {
  readonly name: string;
  readonly image: string;
  readonly lastStatus: string;
  readonly health: string;
  readonly exitCode: number | undefined;
  readonly reason: string | undefined;
  readonly ports: readonly string[];
  readonly runtimeId: string | undefined;
}

export interface TaskDetail {
  readonly row: TaskRow;
  readonly containers: readonly ContainerView[];
  readonly instanceArn: string;
  readonly createdAt: number | undefined;
}

export interface DeploymentView {
  readonly id: string;
  readonly status: string;
  readonly taskDefinition: string;
  readonly desired: number;
  readonly running: number;
  readonly pending: number;
  readonly failed: number;
  readonly rolloutState: string;
  readonly rolloutStateReason: string;
  readonly createdAt: number | undefined;
  readonly updatedAt: number | undefined;
}

/** A rolling update drawn as one bar from the old tasks to the new. */
export interface RolloutProgress {
  /** Task definitions being replaced (ACTIVE deployments). */
  readonly from: readonly string[];
  readonly to: string;
  readonly desired: number;
  readonly oldRunning: number;
  readonly newRunning: number;
  readonly newPending: number;
  /** 0..100: the share of the desired count running the new revision. */
  readonly percent: number;
  readonly state: string;
  readonly done: boolean;
}

export interface ServiceRow {
  readonly name: string;
  readonly cluster: string;
  readonly status: string;
  readonly desired: number;
  readonly running: number;
  readonly pending: number;
  readonly taskDefinition: string;
  readonly rolloutState: string;
  readonly deployments: number;
  readonly tone: Tone;
}

export interface EventRow {
  readonly time: number;
  readonly source: 'service' | 'task' | 'console';
  readonly message: string;
  readonly tone: Tone;
  /** A console path the event is about, when there is one. */
  readonly link: string | undefined;
}

export interface RouteView {
  readonly router: string;
  readonly src: string;
  readonly targets: readonly {
    readonly service: string;
    readonly dst: string;
    readonly weight: number;
  }[];
}

/** How traffic and names reach a service's tasks. */
export interface Reach {
  readonly consulServices: readonly string[];
  readonly dnsNames: readonly string[];
  readonly routes: readonly RouteView[];
}

export interface Traffic {
  /** Requests per second over the last sample interval (undefined: no router reached). */
  readonly rate: number | undefined;
  readonly errorRate: number | undefined;
  readonly rateHistory: Series;
  readonly errorHistory: Series;
}

export interface ServiceDetail {
  readonly row: ServiceRow;
  readonly deployments: readonly DeploymentView[];
  readonly progress: RolloutProgress | undefined;
  readonly events: readonly EventRow[];
  readonly tasks: readonly TaskRow[];
  readonly stoppedTasks: readonly TaskRow[];
  readonly reach: Reach;
  readonly traffic: Traffic;
  readonly runningHistory: Series;
  /** Active revisions of the service's family, newest first, for "update to". */
  readonly revisions: readonly string[];
}

export interface Overview {
  readonly cluster: string;
  readonly clusters: readonly string[];
  readonly instances: {
    readonly total: number;
    readonly active: number;
    readonly draining: number;
    readonly disconnected: number;
  };
  readonly services: {
    readonly total: number;
    readonly steady: number;
    readonly deploying: number;
    readonly degraded: number;
  };
  /** Task counts by last status (RUNNING, PENDING, ..., STOPPED within the last hour). */
  readonly tasks: Readonly<Record<string, number>>;
  readonly serviceRows: readonly ServiceRow[];
  readonly events: readonly EventRow[];
}

/** A resource as used / total, for a bar. */
export interface Usage {
  readonly used: number;
  readonly total: number;
}

export interface InstanceRow {
  readonly id: string;
  readonly arn: string;
  readonly cluster: string;
  readonly host: string;
  readonly ip: string;
  readonly status: string;
  readonly agentConnected: boolean;
  readonly running: number;
  readonly pending: number;
  readonly cpu: Usage;
  readonly memory: Usage;
  /** Host ports held by tasks. */
  readonly portsUsed: readonly string[];
  /** Ports the host keeps for itself. */
  readonly portsReserved: readonly string[];
  readonly agentVersion: string;
  readonly tone: Tone;
}

export interface InstanceDetail {
  readonly row: InstanceRow;
  readonly attributes: readonly { readonly name: string; readonly value: string }[];
  readonly tasks: readonly TaskRow[];
  readonly registeredAt: number | undefined;
}

export interface FamilyRow {
  readonly family: string;
  readonly revisions: readonly number[];
  readonly latest: number;
}

/** One editable field of the task definition form. */
export interface FormField {
  /** `cpu`, `containerDefinitions[0].memory`. */
  readonly path: string;
  readonly label: string;
  /** `json` fields are edited as JSON text (objects and arrays). */
  readonly kind: 'text' | 'number' | 'boolean' | 'json';
  /** The text shown in the input. */
  readonly text: string;
  /** The container this field belongs to (index), if any. */
  readonly container: number | undefined;
}

export interface TaskDefDetail {
  readonly arn: string;
  readonly family: string;
  readonly revision: number;
  readonly status: string;
  /** The whole definition as the API describes it. */
  readonly described: Readonly<Record<string, unknown>>;
  /** What a new revision starts from: the definition without read-only fields. */
  readonly editable: Readonly<Record<string, unknown>>;
  readonly fields: readonly FormField[];
  readonly registeredAt: number | undefined;
}

export interface CatalogInstanceView {
  readonly id: string;
  readonly node: string;
  readonly address: string;
  readonly port: number;
  readonly status: string;
  readonly tags: readonly string[];
  readonly checks: readonly {
    readonly name: string;
    readonly status: string;
    readonly output: string;
  }[];
}

export interface DnsAnswer {
  readonly name: string;
  /** `host:port` targets of the SRV answer. */
  readonly answers: readonly string[];
  readonly error: string | undefined;
}

export interface DiscoveryView {
  readonly services: readonly {
    readonly name: string;
    readonly passing: number;
    readonly total: number;
    readonly instances: readonly CatalogInstanceView[];
    readonly dns: DnsAnswer | undefined;
  }[];
  readonly routers: readonly {
    readonly url: string;
    readonly routes: readonly RouteView[];
    readonly error: string | undefined;
  }[];
  /** Since when the catalog watch is stale (epoch ms), if it is. */
  readonly staleSince: number | undefined;
}

/** The state of the console's live feeds, pushed to the page. */
export interface LiveState {
  readonly scheduler: 'connected' | 'lost' | 'connecting';
  readonly catalog: 'fresh' | 'stale' | 'connecting';
}

/** What the session endpoint answers. */
export interface SessionInfo {
  readonly accessKeyId: string;
  readonly csrfToken: string;
  readonly idleTimeoutMs: number;
  readonly region: string;
}

/** An API error as the console's server answers it. */
export interface ApiErrorBody {
  readonly error: {
    /** The ECS exception name (`ClientException`) or the console's own code. */
    readonly type: string;
    readonly message: string;
    /** The form field the message names, when one could be found. */
    readonly field?: string | undefined;
  };
}
