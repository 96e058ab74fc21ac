/**
 * The shapes of a validated, normalized ECS task definition, with ECS's JSON field names.
 * Fields berth does not interpret are carried through as opaque JSON so DescribeTaskDefinition
 * gives back what was registered. Plain data only; must never hold behaviour.
 */

/** A JSON object carried through without interpretation. */
export type OpaqueJson = Readonly<Record<string, unknown>>;

export interface KeyValuePair {
  name: string;
  value: string;
}

export interface PortMapping {
  containerPort: number;
  /** 0 in bridge mode when omitted (dynamic port); equal to containerPort in host mode. */
  hostPort: number;
  protocol: 'tcp' | 'udp';
  name?: string;
  appProtocol?: 'http' | 'http2' | 'grpc';
}

export interface MountPoint {
  sourceVolume: string;
  containerPath: string;
  readOnly: boolean;
}

export interface VolumeFrom {
  sourceContainer: string;
  readOnly: boolean;
}

export interface ContainerDependency {
  containerName: string;
  condition: 'START' | 'COMPLETE' | 'SUCCESS' | 'HEALTHY';
}

export interface HealthCheck {
  command: string[];
  interval: number;
  timeout: number;
  retries: number;
  startPeriod?: number;
}

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

export interface Ulimit {
  name: UlimitName;
  softLimit: number;
  hardLimit: number;
}

export interface ContainerRestartPolicy {
  enabled: boolean;
  ignoredExitCodes?: number[];
  restartAttemptPeriod?: number;
}

export interface LogConfiguration {
  logDriver: string;
  options?: Record<string, string>;
  secretOptions?: OpaqueJson[];
}

export interface HostEntry {
  hostname: string;
  ipAddress: string;
}

/** One container of a task definition, normalized (defaults filled in as ECS returns them). */
export interface ContainerDefinition {
  name: string;
  image: string;
  /** CPU units; 0 when not given. */
  cpu: number;
  memory?: number;
  memoryReservation?: number;
  links?: string[];
  portMappings: PortMapping[];
  essential: boolean;
  restartPolicy?: ContainerRestartPolicy;
  entryPoint?: string[];
  command?: string[];
  environment: KeyValuePair[];
  environmentFiles?: OpaqueJson[];
  mountPoints: MountPoint[];
  volumesFrom: VolumeFrom[];
  linuxParameters?: OpaqueJson;
  secrets?: OpaqueJson[];
  dependsOn?: ContainerDependency[];
  startTimeout?: number;
  stopTimeout?: number;
  hostname?: string;
  user?: string;
  workingDirectory?: string;
  disableNetworking?: boolean;
  privileged?: boolean;
  readonlyRootFilesystem?: boolean;
  dnsServers?: string[];
  dnsSearchDomains?: string[];
  extraHosts?: HostEntry[];
  dockerSecurityOptions?: string[];
  interactive?: boolean;
  pseudoTerminal?: boolean;
  dockerLabels?: Record<string, string>;
  ulimits?: Ulimit[];
  logConfiguration?: LogConfiguration;
  healthCheck?: HealthCheck;
  systemControls?: OpaqueJson[];
  resourceRequirements?: OpaqueJson[];
  firelensConfiguration?: OpaqueJson;
  repositoryCredentials?: OpaqueJson;
  credentialSpecs?: string[];
  versionConsistency?: 'enabled' | 'disabled';
}

export interface DockerVolumeConfiguration {
  scope: 'task' | 'shared';
  autoprovision?: boolean;
  driver?: string;
  driverOpts?: Record<string, string>;
  labels?: Record<string, string>;
}

export interface Volume {
  name: string;
  /** Bind mount (`sourcePath`) or, when empty, a Docker-managed task-scoped volume. */
  host?: { sourcePath?: string };
  dockerVolumeConfiguration?: DockerVolumeConfiguration;
}

export interface Tag {
  key: string;
  value: string;
}

/** A validated, normalized RegisterTaskDefinition request. */
export interface TaskDefinitionInput {
  family: string;
  containerDefinitions: ContainerDefinition[];
  taskRoleArn?: string;
  executionRoleArn?: string;
  networkMode: 'bridge' | 'host' | 'none';
  volumes: Volume[];
  placementConstraints: { type: 'memberOf'; expression: string }[];
  requiresCompatibilities: string[];
  /** CPU units as a decimal string ("256"); "0.25 vCPU" is converted. */
  cpu?: string;
  /** MiB as a decimal string ("512"); "1GB" is converted. */
  memory?: string;
  pidMode?: 'host' | 'task';
  ipcMode?: 'host' | 'task' | 'none';
  tags: Tag[];
  runtimePlatform?: OpaqueJson;
  ephemeralStorage?: OpaqueJson;
  proxyConfiguration?: OpaqueJson;
}

/** Per-container RunTask / StartTask override (the fields that matter to berth). */
export interface ContainerOverride {
  name: string;
  command?: string[];
  environment?: KeyValuePair[];
  cpu?: number;
  memory?: number;
  memoryReservation?: number;
}

/** RunTask / StartTask `overrides`. */
export interface TaskOverride {
  containerOverrides?: ContainerOverride[];
  /** CPU units or vCPU, as the task-level field. */
  cpu?: string;
  /** MiB or GB, as the task-level field. */
  memory?: string;
  taskRoleArn?: string;
  executionRoleArn?: string;
}
