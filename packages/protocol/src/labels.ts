/**
 * The names berth's daemons agree on: the Docker labels the agent puts on every task
 * container and volume (Docker is the agent's checkpoint; the CLI and the tests find a host's
 * containers by them), the container-instance attributes the agent registers and placement
 * reads, and the resource names of RegisterContainerInstance. Constants only: it must never
 * hold behaviour.
 */

/** The task's cluster. */
export const LABEL_CLUSTER = 'com.amazonaws.ecs.cluster';
/** The task's ARN. */
export const LABEL_TASK_ARN = 'com.amazonaws.ecs.task-arn';
/** The container's name in its task definition. */
export const LABEL_CONTAINER_NAME = 'com.amazonaws.ecs.container-name';
/** The task definition's family. */
export const LABEL_FAMILY = 'com.amazonaws.ecs.task-definition-family';
/** The task definition's revision. */
export const LABEL_VERSION = 'com.amazonaws.ecs.task-definition-version';
/** The agent's `--instance-id`: names the (possibly simulated) host a container runs on. */
export const LABEL_INSTANCE_ID = 'berth.instance-id';

/** Always `linux`. */
export const ATTRIBUTE_OS_TYPE = 'ecs.os-type';
/** `x86_64`, `arm64`, ... */
export const ATTRIBUTE_CPU_ARCHITECTURE = 'ecs.cpu-architecture';
/** The `--availability-zone` of the agent. */
export const ATTRIBUTE_AVAILABILITY_ZONE = 'ecs.availability-zone';
/** The address other hosts reach the agent's host on (`--advertise-ip`). */
export const ATTRIBUTE_ADVERTISE_IP = 'berth.advertise-ip';

/** CPU units (1024 per core). */
export const RESOURCE_CPU = 'CPU';
/** Memory in MiB. */
export const RESOURCE_MEMORY = 'MEMORY';
/** Reserved TCP host ports. */
export const RESOURCE_PORTS = 'PORTS';
/** Reserved UDP host ports. */
export const RESOURCE_PORTS_UDP = 'PORTS_UDP';

/**
 * Meta keys the registrator writes on every Consul service it registers: its owner (the
 * registrator's host), the Docker container ID, and a hash of the registration. The scheduler
 * finds a task's services by the container key when it drains them.
 */
export const META_OWNER = 'berth-registrator';
export const META_CONTAINER = 'berth-container';
export const META_HASH = 'berth-hash';
