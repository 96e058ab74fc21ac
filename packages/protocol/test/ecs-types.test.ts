// berth's ECS types must use ECS's own field names: every field of berth's task definition,
// container definition, override and state-change types exists in the AWS SDK's types (a
// compile-time check), and the normalized shapes stay assignable to the wire shapes the agent
// reads. The label and attribute names are what running containers carry: they must not
// change under a running fleet.
import type {
  ContainerDefinition as SdkContainerDefinition,
  ContainerOverride as SdkContainerOverride,
  ContainerStateChange as SdkContainerStateChange,
  NetworkBinding as SdkNetworkBinding,
  TaskDefinition as SdkTaskDefinition,
  TaskOverride as SdkTaskOverride,
  Volume as SdkVolume,
} from '@aws-sdk/client-ecs';
import * as protocol from '@berth/protocol';
import type {
  ContainerDefinition,
  ContainerOverride,
  ContainerStateChange,
  NetworkBinding,
  NormalizedContainerDefinition,
  NormalizedVolume,
  TaskDefinition,
  TaskOverride,
  Volume,
} from '@berth/protocol';
import t from 'tap';

/** Resolves to true only when every key of Ours is a key of Theirs. */
type KeysWithin<Ours, Theirs> = [Exclude<keyof Ours, keyof Theirs>] extends [never] ? true : never;

// `healthStatus` of a container state change is berth's extension (documented as such).
const fieldNames: [
  KeysWithin<ContainerDefinition, SdkContainerDefinition>,
  KeysWithin<TaskDefinition, SdkTaskDefinition>,
  KeysWithin<Volume, SdkVolume>,
  KeysWithin<ContainerOverride, SdkContainerOverride>,
  KeysWithin<TaskOverride, SdkTaskOverride>,
  KeysWithin<NetworkBinding, SdkNetworkBinding>,
  KeysWithin<Omit<ContainerStateChange, 'healthStatus'>, SdkContainerStateChange>,
] = [true, true, true, true, true, true, true];

// A normalized (registered) definition is a wire definition.
const normalized: NormalizedContainerDefinition = {
  name: 'web',
  image: 'berth/busybox:test',
  cpu: 0,
  portMappings: [{ containerPort: 80, hostPort: 0, protocol: 'tcp' }],
  essential: true,
  environment: [{ name: 'A', value: '1' }],
  mountPoints: [],
  volumesFrom: [],
};
const wire: ContainerDefinition = normalized;
const volume: Volume = {
  name: 'v',
  dockerVolumeConfiguration: { scope: 'task' },
} as NormalizedVolume;

t.test('ECS field names are ECS’s own', async (t) => {
  t.ok(fieldNames.every(Boolean));
  t.equal(wire.name, 'web');
  t.equal(volume.name, 'v');
});

t.test('label, attribute and resource names are stable', async (t) => {
  // Every exported constant, so a new one is noticed here too.
  const constants = Object.fromEntries(
    Object.entries(protocol).filter(([, v]) => typeof v === 'string'),
  );
  t.strictSame(constants, {
    LABEL_CLUSTER: 'com.amazonaws.ecs.cluster',
    LABEL_TASK_ARN: 'com.amazonaws.ecs.task-arn',
    LABEL_CONTAINER_NAME: 'com.amazonaws.ecs.container-name',
    LABEL_FAMILY: 'com.amazonaws.ecs.task-definition-family',
    LABEL_VERSION: 'com.amazonaws.ecs.task-definition-version',
    LABEL_INSTANCE_ID: 'berth.instance-id',
    META_OWNER: 'berth-registrator',
    META_CONTAINER: 'berth-container',
    META_HASH: 'berth-hash',
    ATTRIBUTE_OS_TYPE: 'ecs.os-type',
    ATTRIBUTE_CPU_ARCHITECTURE: 'ecs.cpu-architecture',
    ATTRIBUTE_AVAILABILITY_ZONE: 'ecs.availability-zone',
    ATTRIBUTE_ADVERTISE_IP: 'berth.advertise-ip',
    RESOURCE_CPU: 'CPU',
    RESOURCE_MEMORY: 'MEMORY',
    RESOURCE_PORTS: 'PORTS',
    RESOURCE_PORTS_UDP: 'PORTS_UDP',
    ECS_TARGET_PREFIX: 'AmazonEC2ContainerServiceV20141113.',
    BERTH_AGENT_TARGET_PREFIX: 'BerthAgentV1.',
    REPORT_TASK_STATS_ACTION: 'ReportTaskStats',
    REPORT_REQUEST_COUNTS_ACTION: 'ReportRequestCounts',
  });
});
