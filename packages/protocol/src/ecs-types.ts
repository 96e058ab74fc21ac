/**
 * The ECS task-definition shapes berth speaks, with ECS's JSON field names, defined once.
 * Two views of the same types:
 *
 * - the plain names (`ContainerDefinition`, `TaskDefinition`, ...) are what crosses the wire,
 *   with ECS's optional fields optional: the agent reads assignments through them and must
 *   tolerate any field being absent;
 * - the `Normalized*` names narrow them to what berth's scheduler stores and returns after
 *   validation (ECS's defaults filled in), so the scheduler's code can rely on them.
 *
 * Fields berth carries through without interpreting are `OpaqueJson`. Types only: this module
 * must never hold behaviour.
 */

/** A JSON object carried through without interpretation. */
export type OpaqueJson = Readonly<Record<string, unknown>>;

/** ECS `TransportProtocol`. */
export type TransportProtocol = 'tcp' | 'udp';

/** ECS `NetworkMode` (berth runs bridge, host and none). */
export type NetworkMode = 'bridge' | 'host' | 'none' | 'awsvpc';

/** ECS `KeyValuePair` (an environment variable). */
export interface KeyValuePair {
  readonly name?: string;
  readonly value?: string;
}

/** ECS `PortMapping`. */
export interface PortMapping {
  readonly containerPort?: number;
  /** 0 (or absent) in bridge mode: Docker picks a host port. */
  readonly hostPort?: number;
  readonly protocol?: TransportProtocol;
  readonly name?: string;
  readonly appProtocol?: 'http' | 'http2' | 'grpc';
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

/** ECS `ContainerCondition` of a `dependsOn` entry. */
export type ContainerCondition = 'START' | 'COMPLETE' | 'SUCCESS' | 'HEALTHY';

/** ECS `ContainerDependency`. */
export interface ContainerDependency {
  readonly containerName: string;
  readonly condition: ContainerCondition;
}

/** ECS `HealthCheck` (durations in seconds). */
export interface HealthCheck {
  readonly command: readonly string[];
  readonly interval?: number;
  readonly timeout?: number;
  readonly retries?: number;
  readonly startPeriod?: number;
}

/** ECS `UlimitName`. */
export type UlimitName =
  | 'core'
  | 'cpu'
  | 'data'
  | 'fsize'
  | 'locks'
  | 'memlock'
  | 'msgqueue'
  | 'nice'
  | 'nofile'
  | 'nproc'
  | 'rss'
  | 'rtprio'
  | 'rttime'
  | 'sigpending'
  | 'stack';

/** ECS `Ulimit`. */
export interface Ulimit {
  readonly name: UlimitName;
  readonly softLimit: number;
  readonly hardLimit: number;
}

/** ECS `ContainerRestartPolicy` (restartAttemptPeriod in seconds). */
export interface ContainerRestartPolicy {
  readonly enabled: boolean;
  readonly ignoredExitCodes?: readonly number[];
  readonly restartAttemptPeriod?: number;
}

/** ECS `LogConfiguration`. */
export interface LogConfiguration {
  readonly logDriver: string;
  readonly options?: Readonly<Record<string, string>>;
  readonly secretOptions?: readonly OpaqueJson[];
}

/** ECS `HostEntry` (an /etc/hosts line). */
export interface HostEntry {
  readonly hostname: string;
  readonly ipAddress: string;
}

/** ECS `ContainerDefinition`: every field berth honours or carries through. */
export interface ContainerDefinition {
  readonly name: string;
  readonly image: string;
  /** CPU units (1024 per core). */
  readonly cpu?: number;
  /** Hard limit in MiB. */
  readonly memory?: number;
  /** Soft limit in MiB. */
  readonly memoryReservation?: number;
  readonly links?: readonly string[];
  readonly portMappings?: readonly PortMapping[];
  /** Default true. */
  readonly essential?: boolean;
  readonly restartPolicy?: ContainerRestartPolicy;
  readonly entryPoint?: readonly string[];
  readonly command?: readonly string[];
  readonly environment?: readonly KeyValuePair[];
  readonly environmentFiles?: readonly OpaqueJson[];
  readonly mountPoints?: readonly MountPoint[];
  readonly volumesFrom?: readonly VolumeFrom[];
  readonly linuxParameters?: OpaqueJson;
  readonly secrets?: readonly OpaqueJson[];
  readonly dependsOn?: readonly ContainerDependency[];
  readonly startTimeout?: number;
  /** Seconds between SIGTERM and SIGKILL. */
  readonly stopTimeout?: number;
  readonly hostname?: string;
  readonly user?: string;
  readonly workingDirectory?: string;
  readonly disableNetworking?: boolean;
  readonly privileged?: boolean;
  readonly readonlyRootFilesystem?: boolean;
  readonly dnsServers?: readonly string[];
  readonly dnsSearchDomains?: readonly string[];
  readonly extraHosts?: readonly HostEntry[];
  readonly dockerSecurityOptions?: readonly string[];
  readonly interactive?: boolean;
  readonly pseudoTerminal?: boolean;
  readonly dockerLabels?: Readonly<Record<string, string>>;
  readonly ulimits?: readonly Ulimit[];
  readonly logConfiguration?: LogConfiguration;
  readonly healthCheck?: HealthCheck;
  readonly systemControls?: readonly OpaqueJson[];
  readonly resourceRequirements?: readonly OpaqueJson[];
  readonly firelensConfiguration?: OpaqueJson;
  readonly repositoryCredentials?: OpaqueJson;
  readonly credentialSpecs?: readonly string[];
  readonly versionConsistency?: 'enabled' | 'disabled';
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

/** ECS `TaskDefinitionPlacementConstraint` (berth knows `memberOf`). */
export interface TaskDefinitionPlacementConstraint {
  readonly type: 'memberOf';
  readonly expression: string;
}

/** ECS `Tag`. */
export interface Tag {
  readonly key: string;
  readonly value: string;
}

/** ECS `TaskDefinition` as DescribeTaskDefinition returns it and assignments carry it. */
export interface TaskDefinition {
  readonly taskDefinitionArn?: string;
  readonly family: string;
  readonly revision: number;
  readonly containerDefinitions: readonly ContainerDefinition[];
  readonly volumes?: readonly Volume[];
  readonly networkMode?: NetworkMode;
  readonly taskRoleArn?: string;
  readonly executionRoleArn?: string;
  readonly placementConstraints?: readonly TaskDefinitionPlacementConstraint[];
  readonly requiresCompatibilities?: readonly string[];
  /** CPU units as a decimal string ("256"). */
  readonly cpu?: string;
  /** MiB as a decimal string ("512"). */
  readonly memory?: string;
  readonly pidMode?: 'host' | 'task';
  readonly ipcMode?: 'host' | 'task' | 'none';
  readonly runtimePlatform?: OpaqueJson;
  readonly ephemeralStorage?: OpaqueJson;
  readonly proxyConfiguration?: OpaqueJson;
  readonly status?: 'ACTIVE' | 'INACTIVE' | 'DELETE_IN_PROGRESS';
}

/** ECS `ContainerOverride` (the fields berth applies). */
export interface ContainerOverride {
  readonly name: string;
  readonly command?: readonly string[];
  readonly environment?: readonly KeyValuePair[];
  readonly cpu?: number;
  readonly memory?: number;
  readonly memoryReservation?: number;
}

/** ECS `TaskOverride` of RunTask / StartTask. */
export interface TaskOverride {
  readonly containerOverrides?: readonly ContainerOverride[];
  /** CPU units or vCPU, as the task-level field. */
  readonly cpu?: string;
  /** MiB or GB, as the task-level field. */
  readonly memory?: string;
  readonly taskRoleArn?: string;
  readonly executionRoleArn?: string;
}

// ---- After the scheduler's validation ----------------------------------------------------

/** A port mapping as registered: the host port decided (0 = dynamic), the protocol set. */
export interface NormalizedPortMapping extends PortMapping {
  readonly containerPort: number;
  readonly hostPort: number;
  readonly protocol: TransportProtocol;
}

/** A health check as registered: ECS's defaults (30 s, 5 s, 3 retries) filled in. */
export interface NormalizedHealthCheck extends HealthCheck {
  readonly interval: number;
  readonly timeout: number;
  readonly retries: number;
}

/** A container definition as registered: ECS's defaults filled in. */
export interface NormalizedContainerDefinition extends ContainerDefinition {
  /** 0 when not given. */
  readonly cpu: number;
  readonly portMappings: readonly NormalizedPortMapping[];
  readonly essential: boolean;
  readonly environment: readonly Required<KeyValuePair>[];
  readonly mountPoints: readonly Required<MountPoint>[];
  readonly volumesFrom: readonly Required<VolumeFrom>[];
  readonly healthCheck?: NormalizedHealthCheck;
}

/** A Docker volume configuration as registered (scope decided). */
export interface NormalizedDockerVolumeConfiguration extends DockerVolumeConfiguration {
  readonly scope: 'task' | 'shared';
}

/** A volume as registered (named). */
export interface NormalizedVolume extends Volume {
  readonly name: string;
  readonly dockerVolumeConfiguration?: NormalizedDockerVolumeConfiguration;
}
