// Task definition → Docker create options (src/docker-config.ts), table-driven: one case per
// field of issue 8, each naming the ECS input and the Docker option it must become.
import t from 'tap';
import type { ContainerDefinition, TaskDefinition } from '@berth/protocol';
import { type TaskPlanInput, TaskConfigError, planTask } from '../src/index.js';

const TASK = 'arn:aws:ecs:us-east-1:000000000000:task/dev/0123abcd';
const base: ContainerDefinition = { name: 'web', image: 'berth/busybox:test' };

function input(
  containers: ContainerDefinition[],
  more: Partial<TaskDefinition> = {},
  extra: Partial<TaskPlanInput> = {},
): TaskPlanInput {
  return {
    cluster: 'dev',
    instanceId: 'i-1',
    taskArn: TASK,
    taskDefinition: { family: 'web', revision: 3, containerDefinitions: containers, ...more },
    ...extra,
  };
}

const web = (c: Partial<ContainerDefinition>): ContainerDefinition[] => [{ ...base, ...c }];
const MiB = 1024 * 1024;

const cases: { name: string; input: TaskPlanInput; want: Record<string, unknown> }[] = [
  {
    name: 'image → Image',
    input: input(web({ image: 'nginx:1.25' })),
    want: { Image: 'nginx:1.25' },
  },
  {
    name: 'command → Cmd',
    input: input(web({ command: ['sh', '-c', 'echo hi'] })),
    want: { Cmd: ['sh', '-c', 'echo hi'] },
  },
  {
    name: 'entryPoint → Entrypoint',
    input: input(web({ entryPoint: ['/bin/sh', '-c'] })),
    want: { Entrypoint: ['/bin/sh', '-c'] },
  },
  {
    name: 'environment → Env (later names win)',
    input: input(
      web({
        environment: [
          { name: 'A', value: '1' },
          { name: 'B', value: 'x=y' },
          { name: 'A', value: '2' },
        ],
      }),
    ),
    want: { Env: ['A=2', 'B=x=y'] },
  },
  {
    name: 'overrides: command replaces, environment merges by name, cpu/memory replace',
    input: input(
      web({ command: ['a'], environment: [{ name: 'A', value: '1' }], cpu: 10, memory: 64 }),
      {},
      {
        overrides: {
          containerOverrides: [
            {
              name: 'web',
              command: ['b'],
              environment: [
                { name: 'A', value: 'o' },
                { name: 'C', value: '3' },
              ],
              cpu: 20,
              memory: 32,
            },
          ],
        },
      },
    ),
    want: { Cmd: ['b'], Env: ['A=o', 'C=3'], HostConfig: { CpuShares: 20, Memory: 32 * MiB } },
  },
  {
    name: 'portMappings hostPort 0 → random host port (HostPort "")',
    input: input(web({ portMappings: [{ containerPort: 8080, hostPort: 0 }] })),
    want: {
      ExposedPorts: { '8080/tcp': {} },
      HostConfig: { PortBindings: { '8080/tcp': [{ HostIp: '', HostPort: '' }] } },
    },
  },
  {
    name: 'portMappings without hostPort → random host port',
    input: input(web({ portMappings: [{ containerPort: 8080 }] })),
    want: { HostConfig: { PortBindings: { '8080/tcp': [{ HostIp: '', HostPort: '' }] } } },
  },
  {
    name: 'portMappings fixed hostPort, udp, --host-ip',
    input: input(
      web({ portMappings: [{ containerPort: 53, hostPort: 5353, protocol: 'udp' }] }),
      {},
      { hostIp: '127.0.0.1' },
    ),
    want: {
      ExposedPorts: { '53/udp': {} },
      HostConfig: { PortBindings: { '53/udp': [{ HostIp: '127.0.0.1', HostPort: '5353' }] } },
    },
  },
  {
    name: 'cpu → CpuShares',
    input: input(web({ cpu: 512 })),
    want: { HostConfig: { CpuShares: 512 } },
  },
  {
    name: 'cpu 0/absent → CpuShares 2 (ECS minimum)',
    input: input(web({})),
    want: { HostConfig: { CpuShares: 2 } },
  },
  {
    name: 'memory (MiB) → Memory (bytes, hard)',
    input: input(web({ memory: 128 })),
    want: { HostConfig: { Memory: 128 * MiB } },
  },
  {
    name: 'memoryReservation (MiB) → MemoryReservation (bytes, soft)',
    input: input(web({ memoryReservation: 64 })),
    want: { HostConfig: { MemoryReservation: 64 * MiB } },
  },
  {
    name: 'links → Links with the Docker names of the task',
    input: input([
      { ...base, links: ['db:database', 'cache'] },
      { name: 'db', image: 'i', essential: false },
      { name: 'cache', image: 'i', essential: false },
    ]),
    want: {
      HostConfig: { Links: ['ecs-web-3-db-0123abcd:database', 'ecs-web-3-cache-0123abcd:cache'] },
    },
  },
  {
    name: 'dockerLabels → Labels, berth identity labels win',
    input: input(web({ dockerLabels: { team: 'a', 'com.amazonaws.ecs.task-arn': 'forged' } })),
    want: {
      Labels: {
        team: 'a',
        'com.amazonaws.ecs.cluster': 'dev',
        'com.amazonaws.ecs.task-arn': TASK,
        'com.amazonaws.ecs.container-name': 'web',
        'com.amazonaws.ecs.task-definition-family': 'web',
        'com.amazonaws.ecs.task-definition-version': '3',
        'berth.instance-id': 'i-1',
      },
    },
  },
  {
    name: 'volumes host sourcePath + mountPoints → Binds (readOnly → :ro)',
    input: input(
      web({ mountPoints: [{ sourceVolume: 'data', containerPath: '/data', readOnly: true }] }),
      { volumes: [{ name: 'data', host: { sourcePath: '/srv/data' } }] },
    ),
    want: { HostConfig: { Binds: ['/srv/data:/data:ro'] } },
  },
  {
    name: 'task-scoped volume → Docker volume named after the task',
    input: input(web({ mountPoints: [{ sourceVolume: 'scratch', containerPath: '/scratch' }] }), {
      volumes: [{ name: 'scratch' }],
    }),
    want: { HostConfig: { Binds: ['ecs-0123abcd-scratch:/scratch'] } },
  },
  {
    name: 'shared docker volume → its own name',
    input: input(web({ mountPoints: [{ sourceVolume: 'cache', containerPath: '/c' }] }), {
      volumes: [
        { name: 'cache', dockerVolumeConfiguration: { scope: 'shared', autoprovision: true } },
      ],
    }),
    want: { HostConfig: { Binds: ['cache:/c'] } },
  },
  {
    name: 'volumesFrom → VolumesFrom with Docker names (readOnly → :ro)',
    input: input([
      { ...base, volumesFrom: [{ sourceContainer: 'data', readOnly: true }] },
      { name: 'data', image: 'i', essential: false },
    ]),
    want: { HostConfig: { VolumesFrom: ['ecs-web-3-data-0123abcd:ro'] } },
  },
  {
    name: 'ulimits → Ulimits',
    input: input(web({ ulimits: [{ name: 'nofile', softLimit: 1024, hardLimit: 4096 }] })),
    want: { HostConfig: { Ulimits: [{ Name: 'nofile', Soft: 1024, Hard: 4096 }] } },
  },
  {
    name: 'healthCheck → Healthcheck (seconds → ns)',
    input: input(
      web({
        healthCheck: {
          command: ['CMD-SHELL', 'wget -q -O- localhost:8080'],
          interval: 5,
          timeout: 2,
          retries: 4,
          startPeriod: 1,
        },
      }),
    ),
    want: {
      Healthcheck: {
        Test: ['CMD-SHELL', 'wget -q -O- localhost:8080'],
        Interval: 5e9,
        Timeout: 2e9,
        Retries: 4,
        StartPeriod: 1e9,
      },
    },
  },
  {
    name: 'healthCheck defaults are ECS defaults (30s, 5s, 3, 0)',
    input: input(web({ healthCheck: { command: ['CMD', 'true'] } })),
    want: {
      Healthcheck: {
        Test: ['CMD', 'true'],
        Interval: 30e9,
        Timeout: 5e9,
        Retries: 3,
        StartPeriod: 0,
      },
    },
  },
  {
    name: 'workingDirectory → WorkingDir',
    input: input(web({ workingDirectory: '/app' })),
    want: { WorkingDir: '/app' },
  },
  { name: 'user → User', input: input(web({ user: '1000:1000' })), want: { User: '1000:1000' } },
  {
    name: 'hostname → Hostname',
    input: input(web({ hostname: 'web-1' })),
    want: { Hostname: 'web-1' },
  },
  {
    name: 'networkMode default → bridge',
    input: input(web({})),
    want: { HostConfig: { NetworkMode: 'bridge' } },
  },
  {
    name: 'networkMode host → host, no port bindings',
    input: input(web({ portMappings: [{ containerPort: 8080 }] }), { networkMode: 'host' }),
    want: {
      ExposedPorts: { '8080/tcp': {} },
      HostConfig: { NetworkMode: 'host', PortBindings: {} },
    },
  },
  {
    name: 'logConfiguration json-file → LogConfig',
    input: input(
      web({ logConfiguration: { logDriver: 'json-file', options: { 'max-size': '10m' } } }),
    ),
    want: { HostConfig: { LogConfig: { Type: 'json-file', Config: { 'max-size': '10m' } } } },
  },
  {
    name: 'stopTimeout → StopTimeout',
    input: input(web({ stopTimeout: 5 })),
    want: { StopTimeout: 5 },
  },
  {
    name: 'stopTimeout absent → the agent default',
    input: input(web({}), {}, { defaultStopTimeoutS: 7 }),
    want: { StopTimeout: 7 },
  },
  {
    name: 'dnsServers, dnsSearchDomains → Dns, DnsSearch',
    input: input(web({ dnsServers: ['127.0.0.53'], dnsSearchDomains: ['corp'] })),
    want: { HostConfig: { Dns: ['127.0.0.53'], DnsSearch: ['corp'] } },
  },
  {
    name: '--container-dns when no dnsServers → Dns + search service.consul',
    input: input(web({ dnsSearchDomains: ['corp'] }), {}, { containerDns: '127.0.0.153' }),
    want: { HostConfig: { Dns: ['127.0.0.153'], DnsSearch: ['corp', 'service.consul'] } },
  },
  {
    name: '--container-dns is not used when the task names dnsServers',
    input: input(web({ dnsServers: ['127.0.0.53'] }), {}, { containerDns: '127.0.0.153' }),
    want: { HostConfig: { Dns: ['127.0.0.53'] } },
  },
  {
    name: 'extraHosts → ExtraHosts',
    input: input(web({ extraHosts: [{ hostname: 'db.local', ipAddress: '127.0.0.5' }] })),
    want: { HostConfig: { ExtraHosts: ['db.local:127.0.0.5'] } },
  },
  {
    name: 'restartPolicy is the agent\'s: Docker RestartPolicy stays "no"',
    input: input(web({ restartPolicy: { enabled: true, restartAttemptPeriod: 60 } })),
    want: { HostConfig: { RestartPolicy: { Name: 'no' } } },
  },
  {
    name: 'Docker name is deterministic (ecs-family-rev-name-taskid)',
    input: input(web({})),
    want: { name: 'ecs-web-3-web-0123abcd' },
  },
];

for (const c of cases) {
  t.test(c.name, async (t) => {
    const plan = planTask(c.input);
    const web = plan.containers.find((x) => x.name === 'web');
    t.ok(web, 'web planned');
    t.match(web?.options, c.want);
  });
}

t.test('fields that must be absent when not set', async (t) => {
  const o = planTask(input(web({}))).containers[0]?.options;
  for (const k of ['Cmd', 'Entrypoint', 'WorkingDir', 'User', 'Hostname', 'Healthcheck'] as const) {
    t.notOk(k in (o ?? {}), `${k} absent`);
  }
  for (const k of [
    'Memory',
    'MemoryReservation',
    'Links',
    'Binds',
    'VolumesFrom',
    'Ulimits',
    'LogConfig',
    'Dns',
    'DnsSearch',
    'ExtraHosts',
  ] as const) {
    t.notOk(k in (o?.HostConfig ?? {}), `HostConfig.${k} absent`);
  }
  t.same(o?.Env, []);
});

t.test(
  '--container-dns is not applied with networkMode host (Docker refuses --dns there)',
  async (t) => {
    const o = planTask(input(web({}), { networkMode: 'host' }, { containerDns: '127.0.0.153' }))
      .containers[0]?.options;
    t.notOk('Dns' in (o?.HostConfig ?? {}));
  },
);

t.test('essential, restart policy, stop timeout and ports of the plan', async (t) => {
  const plan = planTask(
    input([
      {
        ...base,
        portMappings: [{ containerPort: 8080 }],
        restartPolicy: { enabled: true, ignoredExitCodes: [0] },
      },
      { name: 'side', image: 'i', essential: false, stopTimeout: 3 },
    ]),
  );
  t.same(
    plan.containers.map((c) => [c.name, c.essential, c.stopTimeoutS, c.portMappings]),
    [
      ['web', true, 30, [{ containerPort: 8080, hostPort: 0, protocol: 'tcp' }]],
      ['side', false, 3, []],
    ],
  );
  t.same(plan.containers[0]?.restartPolicy, { enabled: true, ignoredExitCodes: [0] });
});

t.test('host mode: hostPort is the containerPort', async (t) => {
  const plan = planTask(
    input(web({ portMappings: [{ containerPort: 9000 }] }), { networkMode: 'host' }),
  );
  t.same(plan.containers[0]?.portMappings, [
    { containerPort: 9000, hostPort: 9000, protocol: 'tcp' },
  ]);
});

t.test('task volumes: task-scoped ones labelled with the task, shared ones not', async (t) => {
  const plan = planTask(
    input(web({}), {
      volumes: [
        { name: 'scratch' },
        {
          name: 'cache',
          dockerVolumeConfiguration: { scope: 'shared', driver: 'local', labels: { a: 'b' } },
        },
        { name: 'host', host: { sourcePath: '/srv' } },
      ],
    }),
  );
  t.same(
    plan.volumes.map((v) => [
      v.name,
      v.dockerName,
      v.taskScoped,
      v.labels['com.amazonaws.ecs.task-arn'],
    ]),
    [
      ['scratch', 'ecs-0123abcd-scratch', true, TASK],
      ['cache', 'cache', false, undefined],
    ],
  );
});

t.test('start order puts links, volumesFrom and dependsOn targets first', async (t) => {
  const plan = planTask(
    input([
      { name: 'app', image: 'i', links: ['db'], volumesFrom: [{ sourceContainer: 'data' }] },
      {
        name: 'db',
        image: 'i',
        essential: false,
        dependsOn: [{ containerName: 'init', condition: 'START' }],
      },
      { name: 'data', image: 'i', essential: false },
      { name: 'init', image: 'i', essential: false },
    ]),
  );
  t.same(
    plan.containers.map((c) => c.name),
    ['init', 'db', 'data', 'app'],
  );
});

const bad: { name: string; input: TaskPlanInput; want: RegExp }[] = [
  {
    name: 'awsvpc is not supported',
    input: input(web({}), { networkMode: 'awsvpc' }),
    want: /^networkMode: "awsvpc" is not supported/,
  },
  {
    name: 'mountPoint names no task volume',
    input: input(web({ mountPoints: [{ sourceVolume: 'nope', containerPath: '/x' }] })),
    want: /mountPoints\[0\]\.sourceVolume: "nope" is not a volume/,
  },
  {
    name: 'relative containerPath',
    input: input(web({ mountPoints: [{ sourceVolume: 'v', containerPath: 'x' }] }), {
      volumes: [{ name: 'v' }],
    }),
    want: /containerPath: "x" is not an absolute path/,
  },
  {
    name: 'relative host sourcePath',
    input: input(web({}), { volumes: [{ name: 'v', host: { sourcePath: 'srv' } }] }),
    want: /sourcePath: "srv" is not an absolute path/,
  },
  {
    name: 'bad containerPort',
    input: input(web({ portMappings: [{ containerPort: 70000 }] })),
    want: /portMappings\[0\]\.containerPort: 70000 is not a port/,
  },
  {
    name: 'host mode with a different hostPort',
    input: input(web({ portMappings: [{ containerPort: 80, hostPort: 8080 }] }), {
      networkMode: 'host',
    }),
    want: /hostPort: must equal containerPort \(80\)/,
  },
  {
    name: 'links with host mode',
    input: input(
      [
        { ...base, links: ['db'] },
        { name: 'db', image: 'i' },
      ],
      { networkMode: 'host' },
    ),
    want: /links: links need networkMode bridge/,
  },
  {
    name: 'link to an unknown container',
    input: input(web({ links: ['nope'] })),
    want: /refers to unknown container "nope"/,
  },
  {
    name: 'dependency cycle',
    input: input([
      { ...base, links: ['b'] },
      { name: 'b', image: 'i', volumesFrom: [{ sourceContainer: 'web' }] },
    ]),
    want: /dependency cycle: web → b → web/,
  },
  {
    name: 'no essential container',
    input: input(web({ essential: false })),
    want: /at least one container must be essential/,
  },
  { name: 'repeated container name', input: input([base, base]), want: /web is repeated/ },
  { name: 'missing image', input: input(web({ image: '' })), want: /image: is required/ },
  {
    name: 'empty health check command',
    input: input(web({ healthCheck: { command: [] } })),
    want: /healthCheck\.command: must be a non-empty list/,
  },
];

for (const c of bad) {
  t.test(`bad definition: ${c.name}`, async (t) => {
    t.throws(() => planTask(c.input), TaskConfigError);
    try {
      planTask(c.input);
    } catch (err) {
      t.match((err as Error).message, c.want);
      t.equal((err as TaskConfigError).code, 'AGENT_BAD_TASK_DEFINITION');
    }
  });
}
