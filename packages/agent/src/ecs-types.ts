/**
 * The ECS shapes the agent reads and writes (task definition, overrides, assignments, state
 * reports), written down as plain data types. Only the fields the agent uses are listed; the
 * wire may carry more. Types only: no behaviour lives here.
 */

/** ECS `KeyValuePair`. */
export interface KeyValuePair {
  readonly name?: string;
  readonly value?: string;
}

/** ECS `PortMapping`. */
export interface PortMapping {
  readonly containerPort?: number;
  readonly hostPort?: number;
  readonly protocol?: 'tcp' | 'udp' | string;
  readonly name?: string;
}

/** ECS `MountPoint`. */
export interface MountPoint {
  readonly sourceVolume?: string;
  readonly containerPath?: string;
  readonly readOnly?: boolean;
}

/** ECS `VolumeFrom`. */
export interface VolumeFrom {
  readonly sourceContainer?: string;
  readonly readOnly?: boolean;
}

/** ECS `Ulimit`. */
export interface Ulimit {
  readonly name: string;
  readonly softLimit: number;
  readonly hardLimit: number;
}

/** ECS `HealthCheck` (durations in seconds). */
export interface HealthCheck {
  readonly command: readonly string[];
  readonly interval?: number;
  readonly timeout?: number;
  readonly retries?: number;
  readonly startPeriod?: number;
}

/** ECS `LogConfiguration`. */
export interface LogConfiguration {
  readonly logDriver: string;
  readonly options?: Readonly<Record<string, string>>;
}

/** ECS `HostEntry`. */
export interface HostEntry {
  readonly hostname: string;
  readonly ipAddress: string;
}

/** ECS `ContainerRestartPolicy` (restartAttemptPeriod in seconds). */
export interface ContainerRestartPolicy {
  readonly enabled: boolean;
  readonly ignoredExitCodes?: readonly number[];
  readonly restartAttemptPeriod?: number;
}

/** ECS `ContainerDependency`. */
export interface ContainerDependency {
  readonly containerName: string;
  readonly condition: string;
}

/** ECS `ContainerDefinition` (the fields berth honours). */
export interface ContainerDefinition {
  readonly name: string;
  readonly image: string;
  readonly cpu?: number;
  readonly memory?: number;
  readonly memoryReservation?: number;
  readonly links?: readonly string[];
  readonly portMappings?: readonly PortMapping[];
  readonly essential?: boolean;
  readonly restartPolicy?: ContainerRestartPolicy;
  readonly entryPoint?: readonly string[];
  readonly command?: readonly string[];
  readonly environment?: readonly KeyValuePair[];
  readonly mountPoints?: readonly MountPoint[];
  readonly volumesFrom?: readonly VolumeFrom[];
  readonly dependsOn?: readonly ContainerDependency[];
  readonly stopTimeout?: number;
  readonly hostname?: string;
  readonly user?: string;
  readonly workingDirectory?: string;
  readonly dnsServers?: readonly string[];
  readonly dnsSearchDomains?: readonly string[];
  readonly extraHosts?: readonly HostEntry[];
  readonly dockerLabels?: Readonly<Record<string, string>>;
  readonly ulimits?: readonly Ulimit[];
  readonly logConfiguration?: LogConfiguration;
  readonly healthCheck?: HealthCheck;
}

/** ECS `DockerVolumeConfiguration`. */
export interface DockerVolumeConfiguration {
  readonly scope?: 'task' | 'shared';
  readonly autoprovision?: boolean;
  readonly driver?: string;
  readonly driverOpts?: Readonly<Record<string, string>>;
  readonly labels?: Readonly<Record<string, string>>;
}

/** ECS `Volume`: a host path, a Docker volume, or (neither) a task-scoped empty volume. */
export interface Volume {
  readonly name?: string;
  readonly host?: { readonly sourcePath?: string };
  readonly dockerVolumeConfiguration?: DockerVolumeConfiguration;
}

/** ECS `TaskDefinition` as DescribeTaskDefinition returns it (the fields the agent uses). */
export interface TaskDefinition {
  readonly taskDefinitionArn?: string;
  readonly family: string;
  readonly revision: number;
  readonly containerDefinitions: readonly ContainerDefinition[];
  readonly volumes?: readonly Volume[];
  readonly networkMode?: 'bridge' | 'host' | 'none' | 'awsvpc' | string;
  readonly cpu?: string;
  readonly memory?: string;
}

/** ECS `ContainerOverride`. */
export interface ContainerOverride {
  readonly name?: string;
  readonly command?: readonly string[];
  readonly environment?: readonly KeyValuePair[];
  readonly cpu?: number;
  readonly memory?: number;
  readonly memoryReservation?: number;
}

/** ECS `TaskOverride`. */
export interface TaskOverride {
  readonly containerOverrides?: readonly ContainerOverride[];
}

/** The statuses the scheduler knows a task by. */
export type BackendStatus = 'PENDING' | 'RUNNING' | 'STOPPED';

/** One task of a PollAssignments answer. */
export interface Assignment {
  readonly taskArn: string;
  readonly desiredStatus: 'RUNNING' | 'STOPPED';
  readonly lastStatus?: string;
  readonly taskDefinition: TaskDefinition;
  readonly overrides?: TaskOverride;
  readonly startedBy?: string;
  readonly group?: string;
  readonly createdAt?: number | string;
  readonly stopCode?: string;
  readonly stoppedReason?: string;
}

/** A PollAssignments answer. */
export interface Assignments {
  readonly version: number;
  readonly tasks: readonly Assignment[];
}

/** ECS `NetworkBinding`. */
export interface NetworkBinding {
  readonly bindIP: string;
  readonly containerPort: number;
  readonly hostPort: number;
  readonly protocol: 'tcp' | 'udp';
}

/** One container of a SubmitTaskStateChange request. */
export interface ContainerStateChange {
  readonly containerName: string;
  readonly runtimeId?: string;
  readonly status: BackendStatus;
  readonly exitCode?: number;
  readonly reason?: string;
  readonly networkBindings: readonly NetworkBinding[];
  /** Docker's health of the container (berth protocol extension), when it has a health check. */
  readonly healthStatus?: ContainerHealthStatus;
}

/** A container's health as ECS shows it: Docker's healthy / unhealthy / starting. */
export type ContainerHealthStatus = 'HEALTHY' | 'UNHEALTHY' | 'UNKNOWN';

/** Docker's health status in ECS's words (undefined without a health check). */
export function ecsHealthStatus(docker: string | undefined): ContainerHealthStatus | undefined {
  if (docker === undefined) return undefined;
  if (docker === 'healthy') return 'HEALTHY';
  if (docker === 'unhealthy') return 'UNHEALTHY';
  return 'UNKNOWN';
}

/** A SubmitTaskStateChange request (without the cluster, which the client adds). */
export interface TaskStateChange {
  readonly task: string;
  readonly status: BackendStatus;
  readonly reason?: string;
  readonly containers: readonly ContainerStateChange[];
  /** Epoch seconds, as the ECS JSON protocol carries timestamps. */
  readonly pullStartedAt?: number;
  readonly pullStoppedAt?: number;
  readonly executionStoppedAt?: number;
}

/** ECS `Resource` of RegisterContainerInstance. */
export interface Resource {
  readonly name: string;
  readonly type: 'INTEGER' | 'STRINGSET';
  readonly integerValue?: number;
  readonly stringSetValue?: readonly string[];
}

/** ECS `Attribute`. */
export interface Attribute {
  readonly name: string;
  readonly value?: string;
}

/** A RegisterContainerInstance request (without the cluster). */
export interface Registration {
  readonly containerInstanceArn?: string;
  readonly totalResources: readonly Resource[];
  readonly versionInfo: {
    readonly agentVersion: string;
    readonly agentHash: string;
    readonly dockerVersion: string;
  };
  readonly attributes: readonly Attribute[];
  readonly instanceIdentityDocument?: string;
}
