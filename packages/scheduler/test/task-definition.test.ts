import t from 'tap';
import {
  TaskDefinitionError,
  taskResources,
  validateTaskDefinition,
  validateTaskOverride,
} from '../src/core/task-definition/index.js';

type Json = Record<string, unknown>;

/** A RegisterTaskDefinition request in ECS's JSON, with one valid container to start from. */
function td(over: Json = {}, container: Json = {}): Json {
  return {
    family: 'web',
    containerDefinitions: [{ name: 'web', image: 'nginx:1.27', memory: 256, ...container }],
    ...over,
  };
}

t.test('normalizes a valid task definition as ECS stores it', async (t) => {
  const cases: { name: string; input: Json; want: Json }[] = [
    {
      name: 'defaults',
      input: td(),
      want: {
        family: 'web',
        networkMode: 'bridge',
        volumes: [],
        placementConstraints: [],
        requiresCompatibilities: [],
        tags: [],
        containerDefinitions: [
          {
            name: 'web',
            image: 'nginx:1.27',
            cpu: 0,
            memory: 256,
            essential: true,
            portMappings: [],
            environment: [],
            mountPoints: [],
            volumesFrom: [],
          },
        ],
      },
    },
    {
      name: 'bridge port without hostPort is dynamic (0), protocol defaults to tcp',
      input: td(
        {},
        {
          portMappings: [
            { containerPort: 80 },
            { containerPort: 53, hostPort: 5353, protocol: 'udp' },
          ],
        },
      ),
      want: {
        containerDefinitions: [
          {
            portMappings: [
              { containerPort: 80, hostPort: 0, protocol: 'tcp' },
              { containerPort: 53, hostPort: 5353, protocol: 'udp' },
            ],
          },
        ],
      },
    },
    {
      name: 'host mode: hostPort is the containerPort',
      input: td(
        { networkMode: 'host' },
        { portMappings: [{ containerPort: 8080 }, { containerPort: 9090, hostPort: 9090 }] },
      ),
      want: {
        networkMode: 'host',
        containerDefinitions: [
          {
            portMappings: [
              { containerPort: 8080, hostPort: 8080, protocol: 'tcp' },
              { containerPort: 9090, hostPort: 9090, protocol: 'tcp' },
            ],
          },
        ],
      },
    },
    {
      name: 'task size in vCPU and GB',
      input: td({ cpu: '0.25 vCPU', memory: '1GB' }),
      want: { cpu: '256', memory: '1024' },
    },
    {
      name: 'task size in units and MiB, lower case and spaces',
      input: td({ cpu: '2 vcpu', memory: '0.5 gb' }),
      want: { cpu: '2048', memory: '512' },
    },
    {
      name: 'task memory makes container memory optional',
      input: td({ memory: '512' }, { memory: undefined }),
      want: { memory: '512', containerDefinitions: [{ name: 'web' }] },
    },
    {
      name: 'memoryReservation alone',
      input: td({}, { memory: undefined, memoryReservation: 128 }),
      want: { containerDefinitions: [{ memoryReservation: 128 }] },
    },
    {
      name: 'health check timings default to 30/5/3',
      input: td(
        {},
        { healthCheck: { command: ['CMD-SHELL', 'curl -f http://localhost/ || exit 1'] } },
      ),
      want: {
        containerDefinitions: [
          {
            healthCheck: {
              command: ['CMD-SHELL', 'curl -f http://localhost/ || exit 1'],
              interval: 30,
              timeout: 5,
              retries: 3,
            },
          },
        ],
      },
    },
    {
      name: 'volumes, mount points, volumesFrom, links, dependsOn',
      input: {
        family: 'app',
        volumes: [
          { name: 'logs', host: { sourcePath: '/var/log/app' } },
          { name: 'scratch', host: {} },
          { name: 'cache', dockerVolumeConfiguration: { scope: 'task', driver: 'local' } },
          { name: 'db', dockerVolumeConfiguration: { scope: 'shared', autoprovision: true } },
        ],
        containerDefinitions: [
          {
            name: 'app',
            image: 'app',
            memory: 128,
            links: ['db:database'],
            mountPoints: [{ sourceVolume: 'logs', containerPath: '/logs' }],
            volumesFrom: [{ sourceContainer: 'db', readOnly: true }],
            dependsOn: [{ containerName: 'db', condition: 'HEALTHY' }],
          },
          {
            name: 'db',
            image: 'postgres',
            memoryReservation: 256,
            healthCheck: {
              command: ['CMD', 'pg_isready'],
              interval: 5,
              timeout: 2,
              retries: 10,
              startPeriod: 0,
            },
            mountPoints: [{ sourceVolume: 'db', containerPath: '/data', readOnly: false }],
          },
        ],
      },
      want: {
        volumes: [
          { name: 'logs', host: { sourcePath: '/var/log/app' } },
          { name: 'scratch', host: {} },
          { name: 'cache', dockerVolumeConfiguration: { scope: 'task', driver: 'local' } },
          { name: 'db', dockerVolumeConfiguration: { scope: 'shared', autoprovision: true } },
        ],
        containerDefinitions: [
          {
            links: ['db:database'],
            mountPoints: [{ sourceVolume: 'logs', containerPath: '/logs', readOnly: false }],
            volumesFrom: [{ sourceContainer: 'db', readOnly: true }],
            dependsOn: [{ containerName: 'db', condition: 'HEALTHY' }],
          },
          { healthCheck: { interval: 5, timeout: 2, retries: 10, startPeriod: 0 } },
        ],
      },
    },
    {
      name: 'restart policy, ulimits, labels, environment, log configuration, stop timeout',
      input: td(
        {},
        {
          restartPolicy: { enabled: true, ignoredExitCodes: [0, 143], restartAttemptPeriod: 60 },
          ulimits: [{ name: 'nofile', softLimit: 1024, hardLimit: 4096 }],
          dockerLabels: { 'com.example.team': 'edge' },
          environment: [{ name: 'MODE', value: 'prod' }, { name: 'EMPTY' }],
          logConfiguration: { logDriver: 'json-file', options: { 'max-size': '10m' } },
          stopTimeout: 120,
          essential: true,
        },
      ),
      want: {
        containerDefinitions: [
          {
            restartPolicy: { enabled: true, ignoredExitCodes: [0, 143], restartAttemptPeriod: 60 },
            ulimits: [{ name: 'nofile', softLimit: 1024, hardLimit: 4096 }],
            dockerLabels: { 'com.example.team': 'edge' },
            environment: [
              { name: 'MODE', value: 'prod' },
              { name: 'EMPTY', value: '' },
            ],
            logConfiguration: { logDriver: 'json-file', options: { 'max-size': '10m' } },
            stopTimeout: 120,
          },
        ],
      },
    },
    {
      name: 'constraints, launch types, tags, roles, pid/ipc mode',
      input: td({
        placementConstraints: [
          { type: 'memberOf', expression: 'attribute:ecs.instance-type =~ t2.*' },
        ],
        requiresCompatibilities: ['EC2', 'EXTERNAL'],
        tags: [{ key: 'team', value: 'edge' }, { key: 'empty' }],
        taskRoleArn: 'arn:aws:iam::000000000000:role/app',
        pidMode: 'task',
        ipcMode: 'none',
      }),
      want: {
        placementConstraints: [
          { type: 'memberOf', expression: 'attribute:ecs.instance-type =~ t2.*' },
        ],
        requiresCompatibilities: ['EC2', 'EXTERNAL'],
        tags: [
          { key: 'team', value: 'edge' },
          { key: 'empty', value: '' },
        ],
        taskRoleArn: 'arn:aws:iam::000000000000:role/app',
        pidMode: 'task',
        ipcMode: 'none',
      },
    },
  ];
  for (const c of cases) {
    const got = validateTaskDefinition(c.input);
    t.match(got, c.want, c.name);
  }
  t.same(validateTaskDefinition(td()), cases[0]!.want, 'defaults, exactly');
  const dropped = validateTaskDefinition(
    td({ inferenceAccelerators: [], somethingNew: 1 }, { unknownField: true, cpu: null }),
  );
  t.notOk('somethingNew' in dropped, 'unknown task fields are dropped');
  t.notOk(
    'unknownField' in dropped.containerDefinitions[0]!,
    'unknown container fields are dropped',
  );
  t.equal(dropped.containerDefinitions[0]!.cpu, 0, 'null is absent');
});

t.test('refuses what ECS refuses, worded as ECS, naming the field', async (t) => {
  const big = 'x'.repeat(70_000);
  const containers = (n: number) =>
    Array.from({ length: n }, (_, i) => ({ name: `c${i}`, image: 'busybox', memory: 16 }));
  const cases: {
    name: string;
    input: unknown;
    want: { type?: string; field: string; message: string | RegExp };
  }[] = [
    { name: 'not an object', input: [td()], want: { field: '', message: /must be a JSON object/ } },
    {
      name: 'no family',
      input: td({ family: undefined }),
      want: { field: 'family', message: 'Family can not be blank.' },
    },
    {
      name: 'family with a space',
      input: td({ family: 'my app' }),
      want: { field: 'family', message: 'Family contains invalid characters.' },
    },
    {
      name: 'family too long',
      input: td({ family: 'f'.repeat(256) }),
      want: { field: 'family', message: /at most 255 characters/ },
    },
    {
      name: 'no containers',
      input: td({ containerDefinitions: [] }),
      want: { field: 'containerDefinitions', message: 'Container list cannot be empty.' },
    },
    {
      name: 'eleven containers',
      input: td({ containerDefinitions: containers(11) }),
      want: { field: 'containerDefinitions', message: 'Too many containers.' },
    },
    {
      name: 'no container name',
      input: td({}, { name: '' }),
      want: {
        field: 'containerDefinitions[0].name',
        message: 'Container.name should not be null or empty.',
      },
    },
    {
      name: 'container name with a dot',
      input: td({}, { name: 'web.1' }),
      want: {
        field: 'containerDefinitions[0].name',
        message: 'Container.name contains invalid characters.',
      },
    },
    {
      name: 'no image',
      input: td({}, { image: undefined }),
      want: {
        field: 'containerDefinitions[0].image',
        message: 'Container.image should not be null or empty.',
      },
    },
    {
      name: 'blank image',
      input: td({}, { image: '  ' }),
      want: {
        field: 'containerDefinitions[0].image',
        message: 'Container.image should not be null or empty.',
      },
    },
    {
      name: 'no memory anywhere (EC2)',
      input: td({}, { memory: undefined }),
      want: {
        field: 'containerDefinitions[0].memory',
        message:
          "Invalid setting for container 'web'. At least one of 'memory' or 'memoryReservation' must be specified.",
      },
    },
    {
      name: 'memoryReservation above memory',
      input: td({}, { memory: 128, memoryReservation: 256 }),
      want: {
        field: 'containerDefinitions[0].memoryReservation',
        message:
          "Invalid setting for container 'web'. 'memory' must be greater than or equal to 'memoryReservation'.",
      },
    },
    {
      name: 'memory below 4 MiB',
      input: td({}, { memory: 2 }),
      want: {
        field: 'containerDefinitions[0].memory',
        message: "Invalid 'memory' setting for container 'web': must be at least 4.",
      },
    },
    {
      name: 'negative cpu',
      input: td({}, { cpu: -1 }),
      want: {
        field: 'containerDefinitions[0].cpu',
        message: "Invalid 'cpu' setting for container 'web': must be between 0 and 196608.",
      },
    },
    {
      name: 'fractional cpu',
      input: td({}, { cpu: 1.5 }),
      want: {
        field: 'containerDefinitions[0].cpu',
        message: "Invalid 'cpu' setting for container 'web': must be an integer.",
      },
    },
    {
      name: 'container memory above the task',
      input: td({ memory: '128' }, { memory: 256 }),
      want: {
        field: 'containerDefinitions[0].memory',
        message: "The 'memory' setting for container 'web' is greater than for the task.",
      },
    },
    {
      name: 'container cpu above the task',
      input: td({ cpu: '256' }, { cpu: 512 }),
      want: {
        field: 'cpu',
        message:
          "The sum of all container 'cpu' values cannot be greater than the value of the task 'cpu'.",
      },
    },
    {
      name: 'task cpu below 128 units',
      input: td({ cpu: '64' }),
      want: {
        field: 'cpu',
        message:
          /Invalid 'cpu' setting for the task definition: 64 is out of range; it must be between 128 and 196608/,
      },
    },
    {
      name: 'task cpu not a number',
      input: td({ cpu: 'lots' }),
      want: { field: 'cpu', message: /'lots' is not a whole number of CPU units/ },
    },
    {
      name: 'task memory in TB',
      input: td({ memory: '1TB' }),
      want: { field: 'memory', message: /'1TB' is not a whole number of MiB/ },
    },
    {
      name: 'no essential container',
      input: td({}, { essential: false }),
      want: {
        field: 'containerDefinitions',
        message: "Task definition doesn't have any essential container.",
      },
    },
    {
      name: 'duplicate container names',
      input: td({ containerDefinitions: [...containers(1), ...containers(1)] }),
      want: { field: 'containerDefinitions[1].name', message: /Duplicate container name 'c0'/ },
    },
    {
      name: 'containerPort 0',
      input: td({}, { portMappings: [{ containerPort: 0 }] }),
      want: {
        field: 'containerDefinitions[0].portMappings[0].containerPort',
        message: /^Invalid 'containerPort' setting for container 'web'/,
      },
    },
    {
      name: 'containerPort above 65535',
      input: td({}, { portMappings: [{ containerPort: 70000 }] }),
      want: {
        field: 'containerDefinitions[0].portMappings[0].containerPort',
        message: /between 1 and 65535/,
      },
    },
    {
      name: 'containerPort as a string',
      input: td({}, { portMappings: [{ containerPort: '80' }] }),
      want: {
        field: 'containerDefinitions[0].portMappings[0].containerPort',
        message: /must be an integer/,
      },
    },
    {
      name: 'negative hostPort',
      input: td({}, { portMappings: [{ containerPort: 80, hostPort: -1 }] }),
      want: {
        field: 'containerDefinitions[0].portMappings[0].hostPort',
        message: /^Invalid 'hostPort' setting for container 'web'/,
      },
    },
    {
      name: 'sctp',
      input: td({}, { portMappings: [{ containerPort: 80, protocol: 'sctp' }] }),
      want: {
        field: 'containerDefinitions[0].portMappings[0].protocol',
        message: /'sctp' is not one of tcp, udp/,
      },
    },
    {
      name: 'same host port twice',
      input: td({
        containerDefinitions: [
          {
            name: 'a',
            image: 'x',
            memory: 8,
            portMappings: [{ containerPort: 80, hostPort: 8080 }],
          },
          {
            name: 'b',
            image: 'x',
            memory: 8,
            portMappings: [{ containerPort: 81, hostPort: 8080 }],
          },
        ],
      }),
      want: {
        field: 'containerDefinitions[1].portMappings[0].hostPort',
        message: /host port 8080\/tcp is already used by container 'a'/,
      },
    },
    {
      name: 'host mode with a different host port',
      input: td({ networkMode: 'host' }, { portMappings: [{ containerPort: 80, hostPort: 8080 }] }),
      want: {
        field: 'containerDefinitions[0].portMappings[0].hostPort',
        message:
          'When networkMode=host, the host ports and container ports in port mappings must match.',
      },
    },
    {
      name: 'host mode: two containers on one port',
      input: td({
        networkMode: 'host',
        containerDefinitions: [
          { name: 'a', image: 'x', memory: 8, portMappings: [{ containerPort: 80 }] },
          { name: 'b', image: 'x', memory: 8, portMappings: [{ containerPort: 80 }] },
        ],
      }),
      want: {
        field: 'containerDefinitions[1].portMappings[0].hostPort',
        message: /80\/tcp is already used/,
      },
    },
    {
      name: 'port mappings with networkMode none',
      input: td({ networkMode: 'none' }, { portMappings: [{ containerPort: 80 }] }),
      want: {
        field: 'containerDefinitions[0].portMappings',
        message: /not allowed when networkMode=none/,
      },
    },
    {
      name: 'awsvpc',
      input: td({ networkMode: 'awsvpc' }),
      want: { field: 'networkMode', message: /berth does not support networkMode awsvpc/ },
    },
    {
      name: 'unknown network mode',
      input: td({ networkMode: 'nat' }),
      want: {
        type: 'InvalidParameterException',
        field: 'networkMode',
        message: /Invalid networkMode 'nat'/,
      },
    },
    {
      name: 'links in host mode',
      input: td({ networkMode: 'host' }, { links: ['db'] }),
      want: {
        field: 'containerDefinitions[0].links',
        message: /links are supported only when networkMode=bridge/,
      },
    },
    {
      name: 'link to a container that does not exist',
      input: td({}, { links: ['db:database'] }),
      want: { field: 'containerDefinitions[0].links[0]', message: /'db' is not another container/ },
    },
    {
      name: 'volumesFrom itself',
      input: td({}, { volumesFrom: [{ sourceContainer: 'web' }] }),
      want: {
        field: 'containerDefinitions[0].volumesFrom[0].sourceContainer',
        message: /'web' is not another container/,
      },
    },
    {
      name: 'mount of an undefined volume',
      input: td({}, { mountPoints: [{ sourceVolume: 'data', containerPath: '/data' }] }),
      want: {
        field: 'containerDefinitions[0].mountPoints[0].sourceVolume',
        message: /volume 'data' is not defined in the task definition/,
      },
    },
    {
      name: 'mount without a container path',
      input: td({ volumes: [{ name: 'data' }] }, { mountPoints: [{ sourceVolume: 'data' }] }),
      want: {
        field: 'containerDefinitions[0].mountPoints[0].containerPath',
        message: /containerPath is required/,
      },
    },
    {
      name: 'volume with a bad name',
      input: td({ volumes: [{ name: 'my data' }] }),
      want: { field: 'volumes[0].name', message: /Invalid 'name' setting for volume 0/ },
    },
    {
      name: 'volume defined twice',
      input: td({ volumes: [{ name: 'd' }, { name: 'd' }] }),
      want: { field: 'volumes[1].name', message: /volume name 'd' is used twice/ },
    },
    {
      name: 'EFS volume',
      input: td({ volumes: [{ name: 'd', efsVolumeConfiguration: { fileSystemId: 'fs-1' } }] }),
      want: {
        field: 'volumes[0].efsVolumeConfiguration',
        message: /berth supports host and Docker volumes only/,
      },
    },
    {
      name: 'autoprovision of a task-scoped volume',
      input: td({
        volumes: [{ name: 'd', dockerVolumeConfiguration: { scope: 'task', autoprovision: true } }],
      }),
      want: {
        field: 'volumes[0].dockerVolumeConfiguration.autoprovision',
        message: /only supported when scope is shared/,
      },
    },
    {
      name: 'dependsOn an unknown container',
      input: td({}, { dependsOn: [{ containerName: 'db', condition: 'START' }] }),
      want: {
        field: 'containerDefinitions[0].dependsOn[0].containerName',
        message: /'db' is not another container/,
      },
    },
    {
      name: 'dependsOn with a bad condition',
      input: td({}, { dependsOn: [{ containerName: 'db', condition: 'READY' }] }),
      want: {
        field: 'containerDefinitions[0].dependsOn[0].condition',
        message: /'READY' is not one of START, COMPLETE, SUCCESS, HEALTHY/,
      },
    },
    {
      name: 'SUCCESS on an essential container',
      input: td({
        containerDefinitions: [
          {
            name: 'app',
            image: 'x',
            memory: 8,
            dependsOn: [{ containerName: 'init', condition: 'SUCCESS' }],
          },
          { name: 'init', image: 'x', memory: 8 },
        ],
      }),
      want: {
        field: 'containerDefinitions[0].dependsOn[0].condition',
        message:
          'A dependency container with SUCCESS or COMPLETE condition cannot be an essential container',
      },
    },
    {
      name: 'HEALTHY on a container without health check',
      input: td({
        containerDefinitions: [
          {
            name: 'app',
            image: 'x',
            memory: 8,
            dependsOn: [{ containerName: 'db', condition: 'HEALTHY' }],
          },
          { name: 'db', image: 'x', memory: 8 },
        ],
      }),
      want: {
        field: 'containerDefinitions[0].dependsOn[0].condition',
        message: /'db' has no healthCheck/,
      },
    },
    {
      name: 'dependency cycle',
      input: td({
        containerDefinitions: [
          {
            name: 'a',
            image: 'x',
            memory: 8,
            dependsOn: [{ containerName: 'b', condition: 'START' }],
          },
          {
            name: 'b',
            image: 'x',
            memory: 8,
            dependsOn: [{ containerName: 'a', condition: 'START' }],
          },
        ],
      }),
      want: {
        field: 'containerDefinitions',
        message: 'Circular container dependency: a -> b -> a.',
      },
    },
    ...(
      [
        ['interval', 4, 'between 5 and 300'],
        ['interval', 301, 'between 5 and 300'],
        ['timeout', 1, 'between 2 and 60'],
        ['timeout', 61, 'between 2 and 60'],
        ['retries', 0, 'between 1 and 10'],
        ['retries', 11, 'between 1 and 10'],
        ['startPeriod', 301, 'between 0 and 300'],
      ] as const
    ).map(([key, value, range]) => ({
      name: `healthCheck ${key} ${value}`,
      input: td({}, { healthCheck: { command: ['CMD', 'true'], [key]: value } }),
      want: {
        field: `containerDefinitions[0].healthCheck.${key}`,
        message: `Invalid '${key}' setting for container 'web': must be ${range}.`,
      },
    })),
    {
      name: 'healthCheck without command',
      input: td({}, { healthCheck: { interval: 10 } }),
      want: { field: 'containerDefinitions[0].healthCheck.command', message: /needs a command/ },
    },
    {
      name: 'healthCheck command not starting with CMD',
      input: td({}, { healthCheck: { command: ['curl', 'localhost'] } }),
      want: {
        field: 'containerDefinitions[0].healthCheck.command',
        message: /must start with CMD or CMD-SHELL/,
      },
    },
    {
      name: 'ulimit memory',
      input: td({}, { ulimits: [{ name: 'memory', softLimit: 1, hardLimit: 1 }] }),
      want: {
        field: 'containerDefinitions[0].ulimits[0].name',
        message: 'Unrecognized ulimit name memory',
      },
    },
    {
      name: 'ulimit soft above hard',
      input: td({}, { ulimits: [{ name: 'nofile', softLimit: 10, hardLimit: 1 }] }),
      want: {
        field: 'containerDefinitions[0].ulimits[0].softLimit',
        message: /softLimit exceeds its hardLimit/,
      },
    },
    {
      name: 'restart policy without enabled',
      input: td({}, { restartPolicy: { restartAttemptPeriod: 60 } }),
      want: {
        field: 'containerDefinitions[0].restartPolicy.enabled',
        message: /enabled is required/,
      },
    },
    {
      name: 'restart policy ignoring 51 exit codes',
      input: td(
        {},
        {
          restartPolicy: {
            enabled: true,
            ignoredExitCodes: Array.from({ length: 51 }, (_, i) => i),
          },
        },
      ),
      want: {
        field: 'containerDefinitions[0].restartPolicy.ignoredExitCodes',
        message: /at most 50 entries/,
      },
    },
    ...[59, 1801].map((p) => ({
      name: `restartAttemptPeriod ${p}`,
      input: td({}, { restartPolicy: { enabled: true, restartAttemptPeriod: p } }),
      want: {
        field: 'containerDefinitions[0].restartPolicy.restartAttemptPeriod',
        message:
          "Invalid 'restartAttemptPeriod' setting for container 'web': must be between 60 and 1800.",
      },
    })),
    {
      name: 'environment variable without a name',
      input: td({}, { environment: [{ value: 'x' }] }),
      want: {
        field: 'containerDefinitions[0].environment[0].name',
        message: /names must not be empty/,
      },
    },
    {
      name: 'environment value that is a number',
      input: td({}, { environment: [{ name: 'N', value: 1 }] }),
      want: { field: 'containerDefinitions[0].environment[0].value', message: /must be a string/ },
    },
    {
      name: 'docker label that is a number',
      input: td({}, { dockerLabels: { a: 1 } }),
      want: { field: 'containerDefinitions[0].dockerLabels.a', message: /must be a string/ },
    },
    {
      name: 'stopTimeout above 120',
      input: td({}, { stopTimeout: 121 }),
      want: { field: 'containerDefinitions[0].stopTimeout', message: /between 0 and 120/ },
    },
    {
      name: 'unknown log driver',
      input: td({}, { logConfiguration: { logDriver: 'loki' } }),
      want: {
        field: 'containerDefinitions[0].logConfiguration.logDriver',
        message: /'loki' is not one of json-file/,
      },
    },
    {
      name: 'distinctInstance in a task definition',
      input: td({ placementConstraints: [{ type: 'distinctInstance' }] }),
      want: { field: 'placementConstraints[0].type', message: /only memberOf is/ },
    },
    {
      name: 'bad memberOf expression',
      input: td({ placementConstraints: [{ type: 'memberOf', expression: 'attribute:x == ' }] }),
      want: {
        field: 'placementConstraints[0].expression',
        message: /position 15: expected a value/,
      },
    },
    {
      name: 'eleven constraints',
      input: td({
        placementConstraints: Array.from({ length: 11 }, () => ({
          type: 'memberOf',
          expression: 'agentConnected == true',
        })),
      }),
      want: { field: 'placementConstraints', message: /at most 10 placement constraints/ },
    },
    {
      name: 'FARGATE',
      input: td({ requiresCompatibilities: ['FARGATE'] }),
      want: { field: 'requiresCompatibilities[0]', message: /berth does not run FARGATE tasks/ },
    },
    {
      name: 'unknown launch type',
      input: td({ requiresCompatibilities: ['LAMBDA'] }),
      want: {
        type: 'InvalidParameterException',
        field: 'requiresCompatibilities[0]',
        message: /'LAMBDA' is not one of EC2, EXTERNAL/,
      },
    },
    {
      name: '51 tags',
      input: td({ tags: Array.from({ length: 51 }, (_, i) => ({ key: `k${i}`, value: 'v' })) }),
      want: { type: 'InvalidParameterException', field: 'tags', message: /at most 50 tags/ },
    },
    {
      name: 'aws: tag prefix',
      input: td({ tags: [{ key: 'aws:owner', value: 'me' }] }),
      want: { type: 'InvalidParameterException', field: 'tags[0].key', message: /reserved/ },
    },
    {
      name: 'tag key of 129 characters',
      input: td({ tags: [{ key: 'k'.repeat(129), value: '' }] }),
      want: {
        type: 'InvalidParameterException',
        field: 'tags[0].key',
        message: /1 to 128 characters/,
      },
    },
    {
      name: 'tag value of 257 characters',
      input: td({ tags: [{ key: 'k', value: 'v'.repeat(257) }] }),
      want: {
        type: 'InvalidParameterException',
        field: 'tags[0].value',
        message: /at most 256 characters/,
      },
    },
    {
      name: 'duplicate tag keys',
      input: td({
        tags: [
          { key: 'k', value: '1' },
          { key: 'k', value: '2' },
        ],
      }),
      want: {
        type: 'InvalidParameterException',
        field: 'tags[1].key',
        message: /duplicate tag key 'k'/,
      },
    },
    {
      name: 'larger than 64 KiB',
      input: td({}, { environment: [{ name: 'BIG', value: big }] }),
      want: {
        field: '',
        message:
          /^Task definition is too large: 70\d{3} bytes; the limit is 65536 bytes \(64 KiB\)\.$/,
      },
    },
  ];
  for (const c of cases) {
    let err: unknown;
    try {
      validateTaskDefinition(c.input);
    } catch (e) {
      err = e;
    }
    t.ok(err instanceof TaskDefinitionError, `${c.name}: TaskDefinitionError`);
    if (!(err instanceof TaskDefinitionError)) continue;
    t.equal(err.code, 'BERTH_SCHEDULER_TASK_DEFINITION', `${c.name}: code`);
    t.equal(err.ecsType, c.want.type ?? 'ClientException', `${c.name}: ECS type`);
    t.equal(err.field, c.want.field, `${c.name}: field`);
    if (typeof c.want.message === 'string')
      t.equal(err.message, c.want.message, `${c.name}: message`);
    else t.match(err.message, c.want.message, `${c.name}: message`);
  }
});

t.test('a definition just under 64 KiB is accepted', async (t) => {
  const base = JSON.stringify(td({}, { environment: [{ name: 'BIG', value: '' }] })).length;
  const input = td({}, { environment: [{ name: 'BIG', value: 'x'.repeat(65_536 - base) }] });
  t.equal(JSON.stringify(input).length, 65_536);
  t.doesNotThrow(() => validateTaskDefinition(input));
});

t.test('taskResources: what one task holds on its instance', async (t) => {
  const cases: {
    name: string;
    input: { td: Json; overrides?: unknown };
    want: ReturnType<typeof taskResources>;
  }[] = [
    {
      name: 'task-level size wins',
      input: { td: td({ cpu: '1 vCPU', memory: '2GB' }, { cpu: 128, memory: 256 }) },
      want: { cpu: 1024, memory: 2048, tcpPorts: [], udpPorts: [] },
    },
    {
      name: 'sum of containers; memoryReservation counts when given, else memory',
      input: {
        td: td({
          containerDefinitions: [
            { name: 'a', image: 'x', cpu: 100, memory: 512, memoryReservation: 128 },
            { name: 'b', image: 'x', cpu: 50, memory: 64 },
            { name: 'c', image: 'x', memoryReservation: 32 },
          ],
        }),
      },
      want: { cpu: 150, memory: 224, tcpPorts: [], udpPorts: [] },
    },
    {
      name: 'fixed host ports only (bridge); dynamic ones are not reserved',
      input: {
        td: td(
          {},
          {
            portMappings: [
              { containerPort: 80 },
              { containerPort: 443, hostPort: 8443 },
              { containerPort: 53, hostPort: 53, protocol: 'udp' },
              { containerPort: 80, hostPort: 8080 },
            ],
          },
        ),
      },
      want: { cpu: 0, memory: 256, tcpPorts: [8080, 8443], udpPorts: [53] },
    },
    {
      name: 'host mode reserves the container ports',
      input: {
        td: td(
          { networkMode: 'host' },
          { portMappings: [{ containerPort: 9000 }, { containerPort: 7000, protocol: 'udp' }] },
        ),
      },
      want: { cpu: 0, memory: 256, tcpPorts: [9000], udpPorts: [7000] },
    },
    {
      name: 'task-level overrides',
      input: {
        td: td({ cpu: '256', memory: '512' }),
        overrides: { cpu: '0.5 vCPU', memory: '1GB' },
      },
      want: { cpu: 512, memory: 1024, tcpPorts: [], udpPorts: [] },
    },
    {
      name: 'container overrides',
      input: {
        td: td({}, { cpu: 10, memory: 256 }),
        overrides: {
          containerOverrides: [{ name: 'web', cpu: 20, memoryReservation: 64, command: ['sh'] }],
        },
      },
      want: { cpu: 20, memory: 64, tcpPorts: [], udpPorts: [] },
    },
    {
      name: 'null overrides',
      input: { td: td(), overrides: null },
      want: { cpu: 0, memory: 256, tcpPorts: [], udpPorts: [] },
    },
  ];
  for (const c of cases) {
    t.same(taskResources(validateTaskDefinition(c.input.td), c.input.overrides), c.want, c.name);
  }
});

t.test('task overrides ECS would refuse', async (t) => {
  const def = validateTaskDefinition(td());
  const cases: { name: string; input: unknown; want: { field: string; message: RegExp } }[] = [
    {
      name: 'not an object',
      input: 'x',
      want: { field: 'overrides', message: /must be a JSON object/ },
    },
    {
      name: 'bad cpu',
      input: { cpu: 'fast' },
      want: { field: 'overrides.cpu', message: /Invalid 'cpu' override: 'fast'/ },
    },
    {
      name: 'unknown container',
      input: { containerOverrides: [{ name: 'db' }] },
      want: {
        field: 'overrides.containerOverrides[0].name',
        message: /'db' does not match a container/,
      },
    },
    {
      name: 'negative memory',
      input: { containerOverrides: [{ name: 'web', memory: -1 }] },
      want: { field: 'overrides.containerOverrides[0].memory', message: /must be at least 0/ },
    },
    {
      name: 'command that is not a list',
      input: { containerOverrides: [{ name: 'web', command: 'sh -c x' }] },
      want: { field: 'overrides.containerOverrides[0].command', message: /must be a list/ },
    },
  ];
  for (const c of cases) {
    let err: unknown;
    try {
      validateTaskOverride(c.input, def);
    } catch (e) {
      err = e;
    }
    t.ok(err instanceof TaskDefinitionError, `${c.name}: TaskDefinitionError`);
    if (!(err instanceof TaskDefinitionError)) continue;
    t.equal(err.ecsType, 'InvalidParameterException', `${c.name}: type`);
    t.equal(err.field, c.want.field, `${c.name}: field`);
    t.match(err.message, c.want.message, `${c.name}: message`);
  }
  t.throws(
    () => taskResources(def, { cpu: 'fast' }),
    { code: 'BERTH_SCHEDULER_TASK_DEFINITION' },
    'taskResources validates',
  );
});
