import t from 'tap';
import {
  place,
  placeOn,
  type PlacementConstraint,
  type PlacementInstance,
  type PlacementRequest,
  type PlacementStrategy,
} from '../src/core/placement/index.js';

/** A container instance in the notation of the cases: `i-1` with resources and tasks. */
interface Inst {
  az?: string;
  type?: string;
  cpu?: number;
  memory?: number;
  tcp?: number[];
  udp?: number[];
  status?: PlacementInstance['status'];
  agent?: boolean;
  /** Groups of the tasks already there (`family:web`, `service:api`). */
  tasks?: string[];
}

function instance(id: string, i: Inst): PlacementInstance {
  return {
    arn: `arn:aws:ecs:us-east-1:000000000000:container-instance/c/${id}`,
    ec2InstanceId: id,
    status: i.status ?? 'ACTIVE',
    agentConnected: i.agent ?? true,
    attributes: {
      'ecs.availability-zone': i.az ?? 'us-east-1a',
      'ecs.instance-type': i.type ?? 't3.medium',
    },
    registeredAt: 0,
    remaining: {
      cpu: i.cpu ?? 2048,
      memory: i.memory ?? 4096,
      tcpPorts: new Set([22, 2375, 2376, 51678, ...(i.tcp ?? [])]),
      udpPorts: new Set(i.udp ?? []),
    },
    total: { cpu: 2048, memory: 4096 },
    tasks: (i.tasks ?? []).map((g, n) => ({ group: g, family: 'x', taskArn: `${id}-t${n}` })),
  };
}

function cluster(spec: Record<string, Inst>): PlacementInstance[] {
  return Object.entries(spec).map(([id, i]) => instance(id, i));
}

interface Run {
  count?: number;
  cpu?: number;
  memory?: number;
  tcp?: number[];
  udp?: number[];
  placementStrategy?: PlacementStrategy[];
  placementConstraints?: PlacementConstraint[];
  group?: string;
  random?: () => number;
}

function request(r: Run): PlacementRequest {
  return {
    count: r.count ?? 1,
    resources: {
      cpu: r.cpu ?? 256,
      memory: r.memory ?? 512,
      tcpPorts: r.tcp ?? [],
      udpPorts: r.udp ?? [],
    },
    strategies: r.placementStrategy ?? [{ type: 'binpack', field: 'memory' }],
    constraints: r.placementConstraints ?? [],
    family: 'web',
    ...(r.group !== undefined ? { group: r.group } : {}),
    ...(r.random !== undefined ? { random: r.random } : {}),
  };
}

/** The result in the cases' notation: instance ids placed, and `id REASON` failures. */
function outcome(instances: PlacementInstance[], r: Run) {
  const res = place(instances, request(r));
  return summarize(instances, res);
}

function summarize(
  instances: PlacementInstance[],
  res: ReturnType<typeof place>,
): { placed: string[]; failures: string[] } {
  const id = (arn: string) => instances.find((i) => i.arn === arn)?.ec2InstanceId ?? arn;
  return {
    placed: res.placements.map((p) => id(p.instanceArn)),
    failures: res.failures.map((f) => `${id(f.arn)} ${f.reason}`),
  };
}

/** A deterministic stand-in for Math.random. */
function sequence(...values: number[]): () => number {
  let i = 0;
  return () => values[i++ % values.length]!;
}

t.test('strategies, each alone and chained, as ECS applies them', async (t) => {
  const cases: {
    name: string;
    input: { instances: Record<string, Inst>; run: Run };
    want: string[];
  }[] = [
    {
      name: 'binpack memory fills the tightest instance first',
      input: {
        instances: { 'i-1': { memory: 4096 }, 'i-2': { memory: 1200 }, 'i-3': { memory: 2048 } },
        run: { count: 5, memory: 512, placementStrategy: [{ type: 'binpack', field: 'memory' }] },
      },
      want: ['i-2', 'i-2', 'i-3', 'i-3', 'i-3'],
    },
    {
      name: 'binpack cpu looks at cpu, not memory',
      input: {
        instances: { 'i-1': { cpu: 300, memory: 100000 }, 'i-2': { cpu: 1024, memory: 600 } },
        run: {
          count: 3,
          cpu: 256,
          memory: 256,
          placementStrategy: [{ type: 'binpack', field: 'cpu' }],
        },
      },
      want: ['i-1', 'i-2', 'i-2'],
    },
    {
      name: 'spread instanceId evens out tasks of the group, counting those already there',
      input: {
        instances: {
          'i-1': { tasks: ['family:web', 'family:web'] },
          'i-2': { tasks: ['service:other', 'service:other', 'service:other'] },
          'i-3': { tasks: ['family:web'] },
        },
        run: { count: 4, placementStrategy: [{ type: 'spread', field: 'instanceId' }] },
      },
      want: ['i-2', 'i-2', 'i-3', 'i-1'],
    },
    {
      name: 'spread host is spread instanceId',
      input: {
        instances: { 'i-1': {}, 'i-2': {}, 'i-3': {} },
        run: { count: 4, placementStrategy: [{ type: 'spread', field: 'host' }] },
      },
      want: ['i-1', 'i-2', 'i-3', 'i-1'],
    },
    {
      name: 'spread by availability zone balances zones, then earliest instance',
      input: {
        instances: {
          'i-1': { az: 'a', tasks: ['family:web'] },
          'i-2': { az: 'a' },
          'i-3': { az: 'b' },
          'i-4': { az: 'c' },
        },
        run: {
          count: 5,
          placementStrategy: [{ type: 'spread', field: 'attribute:ecs.availability-zone' }],
        },
      },
      want: ['i-3', 'i-4', 'i-1', 'i-3', 'i-4'],
    },
    {
      name: 'spread zones then instances, as the ECS example',
      input: {
        instances: {
          'i-1': { az: 'a' },
          'i-2': { az: 'a' },
          'i-3': { az: 'b' },
          'i-4': { az: 'b' },
        },
        run: {
          count: 4,
          placementStrategy: [
            { type: 'spread', field: 'attribute:ecs.availability-zone' },
            { type: 'spread', field: 'instanceId' },
          ],
        },
      },
      want: ['i-1', 'i-3', 'i-2', 'i-4'],
    },
    {
      name: 'spread zones then binpack memory within the zone',
      input: {
        instances: {
          'i-1': { az: 'a', memory: 4096 },
          'i-2': { az: 'a', memory: 1024 },
          'i-3': { az: 'b', memory: 4096 },
          'i-4': { az: 'b', memory: 2048 },
        },
        run: {
          count: 4,
          placementStrategy: [
            { type: 'spread', field: 'attribute:ecs.availability-zone' },
            { type: 'binpack', field: 'memory' },
          ],
        },
      },
      want: ['i-2', 'i-4', 'i-2', 'i-4'],
    },
    {
      name: 'spread over an attribute no instance has: one value, so earliest instance',
      input: {
        instances: { 'i-1': {}, 'i-2': {}, 'i-3': {} },
        run: { count: 2, placementStrategy: [{ type: 'spread', field: 'attribute:rack' }] },
      },
      want: ['i-1', 'i-1'],
    },
    {
      name: 'random picks by the injected source among all candidates',
      input: {
        instances: { 'i-1': {}, 'i-2': {}, 'i-3': {}, 'i-4': {} },
        run: { count: 3, placementStrategy: [{ type: 'random' }], random: sequence(0.99, 0, 0.5) },
      },
      want: ['i-4', 'i-1', 'i-3'],
    },
    {
      name: 'no strategy means random, as RunTask',
      input: {
        instances: { 'i-1': {}, 'i-2': {}, 'i-3': {} },
        run: { count: 2, placementStrategy: [], random: sequence(0.7, 0.4) },
      },
      want: ['i-3', 'i-2'],
    },
    {
      name: 'random after binpack only breaks binpack ties',
      input: {
        instances: { 'i-1': { memory: 4096 }, 'i-2': { memory: 1024 }, 'i-3': { memory: 1024 } },
        run: {
          count: 1,
          placementStrategy: [{ type: 'binpack', field: 'memory' }, { type: 'random' }],
          random: sequence(0.9),
        },
      },
      want: ['i-3'],
    },
    {
      name: 'strategies after random are never consulted',
      input: {
        instances: { 'i-1': { memory: 1024 }, 'i-2': { memory: 4096 } },
        run: {
          count: 1,
          placementStrategy: [{ type: 'random' }, { type: 'binpack', field: 'memory' }],
          random: sequence(0.9),
        },
      },
      want: ['i-2'],
    },
  ];
  for (const c of cases) {
    t.same(outcome(cluster(c.input.instances), c.input.run).placed, c.want, c.name);
  }
});

t.test('constraints filter, and see the tasks placed earlier in the same call', async (t) => {
  const cases: {
    name: string;
    input: { instances: Record<string, Inst>; run: Run };
    want: { placed: string[]; failures: string[] };
  }[] = [
    {
      name: 'distinctInstance: one task of the group per instance, this call included',
      input: {
        instances: {
          'i-1': {},
          'i-2': { tasks: ['family:web'] },
          'i-3': {},
          'i-4': { tasks: ['family:api'] },
        },
        run: { count: 4, placementConstraints: [{ type: 'distinctInstance' }] },
      },
      want: {
        placed: ['i-1', 'i-3', 'i-4'],
        failures: ['i-1 ATTRIBUTE', 'i-2 ATTRIBUTE', 'i-3 ATTRIBUTE', 'i-4 ATTRIBUTE'],
      },
    },
    {
      name: 'distinctInstance with an explicit group',
      input: {
        instances: { 'i-1': { tasks: ['service:api'] }, 'i-2': { tasks: ['family:web'] } },
        run: {
          count: 1,
          group: 'service:api',
          placementConstraints: [{ type: 'distinctInstance' }],
        },
      },
      want: { placed: ['i-2'], failures: [] },
    },
    {
      name: 'memberOf an attribute',
      input: {
        instances: {
          'i-1': { type: 't2.small' },
          'i-2': { type: 'g2.2xlarge' },
          'i-3': { type: 'g2.8xlarge' },
        },
        run: {
          count: 2,
          placementConstraints: [
            { type: 'memberOf', expression: 'attribute:ecs.instance-type =~ g2.*' },
          ],
        },
      },
      want: { placed: ['i-2', 'i-2'], failures: [] },
    },
    {
      name: 'memberOf task:group affinity',
      input: {
        instances: { 'i-1': {}, 'i-2': { tasks: ['service:db'] } },
        run: {
          count: 1,
          placementConstraints: [{ type: 'memberOf', expression: 'task:group == service:db' }],
        },
      },
      want: { placed: ['i-2'], failures: [] },
    },
    {
      name: 'memberOf anti-affinity with its own group is re-evaluated after each task',
      input: {
        instances: { 'i-1': {}, 'i-2': {} },
        run: {
          count: 3,
          placementConstraints: [{ type: 'memberOf', expression: 'not(task:group == family:web)' }],
        },
      },
      want: { placed: ['i-1', 'i-2'], failures: ['i-1 ATTRIBUTE', 'i-2 ATTRIBUTE'] },
    },
    {
      name: 'memberOf runningTasksCount counts tasks placed in this call',
      input: {
        instances: { 'i-1': { tasks: ['family:x'] }, 'i-2': {} },
        run: {
          count: 4,
          placementStrategy: [{ type: 'binpack', field: 'memory' }],
          placementConstraints: [{ type: 'memberOf', expression: 'runningTasksCount < 2' }],
        },
      },
      want: { placed: ['i-1', 'i-2', 'i-2'], failures: ['i-1 ATTRIBUTE', 'i-2 ATTRIBUTE'] },
    },
    {
      name: 'two memberOf constraints must both hold',
      input: {
        instances: {
          'i-1': { az: 'a', type: 'g2' },
          'i-2': { az: 'b', type: 'g2' },
          'i-3': { az: 'b', type: 't2' },
        },
        run: {
          count: 1,
          placementConstraints: [
            { type: 'memberOf', expression: 'attribute:ecs.availability-zone == b' },
            { type: 'memberOf', expression: 'attribute:ecs.instance-type == g2' },
          ],
        },
      },
      want: { placed: ['i-2'], failures: [] },
    },
    {
      name: 'a fixed host port is taken once per instance, this call included',
      input: {
        instances: { 'i-1': { tcp: [80] }, 'i-2': {}, 'i-3': {} },
        run: { count: 3, tcp: [80] },
      },
      want: {
        placed: ['i-2', 'i-3'],
        failures: ['i-1 RESOURCE:PORTS', 'i-2 RESOURCE:PORTS', 'i-3 RESOURCE:PORTS'],
      },
    },
    {
      name: 'udp and tcp ports are separate',
      input: {
        instances: { 'i-1': { tcp: [53] }, 'i-2': { udp: [53] } },
        run: { count: 1, udp: [53], placementStrategy: [{ type: 'spread', field: 'instanceId' }] },
      },
      want: { placed: ['i-1'], failures: [] },
    },
    {
      name: 'reserved agent ports cannot be taken',
      input: { instances: { 'i-1': {} }, run: { count: 1, tcp: [51678] } },
      want: { placed: [], failures: ['i-1 RESOURCE:PORTS'] },
    },
  ];
  for (const c of cases) t.same(outcome(cluster(c.input.instances), c.input.run), c.want, c.name);
});

t.test('each failure reason, one instance per reason', async (t) => {
  const instances = cluster({
    'i-draining': { status: 'DRAINING' },
    'i-inactive': { status: 'INACTIVE' },
    'i-registering': { status: 'REGISTERING' },
    'i-agent': { agent: false },
    'i-attr': { type: 't2.small' },
    'i-cpu': { cpu: 100 },
    'i-mem': { memory: 100 },
    'i-ports': { tcp: [8080] },
  });
  const res = place(
    instances,
    request({
      count: 1,
      tcp: [8080],
      placementConstraints: [
        { type: 'memberOf', expression: 'attribute:ecs.instance-type != t2.small' },
      ],
    }),
  );
  t.same(res.placements, []);
  t.same(
    res.failures.map((f) => [f.arn.split('/').pop(), f.reason]),
    [
      ['i-draining', 'INACTIVE'],
      ['i-inactive', 'INACTIVE'],
      ['i-registering', 'INACTIVE'],
      ['i-agent', 'AGENT'],
      ['i-attr', 'ATTRIBUTE'],
      ['i-cpu', 'RESOURCE:CPU'],
      ['i-mem', 'RESOURCE:MEMORY'],
      ['i-ports', 'RESOURCE:PORTS'],
    ],
  );
  const details = Object.fromEntries(res.failures.map((f) => [f.arn.split('/').pop(), f.detail]));
  t.match(details, {
    'i-draining': 'instance status is DRAINING',
    'i-agent': 'agent is disconnected',
    'i-attr': 'memberOf(attribute:ecs.instance-type != t2.small) does not match',
    'i-cpu': 'needs 256 CPU units, 100 remaining',
    'i-mem': 'needs 512 MiB, 100 remaining',
    'i-ports': 'port tcp/8080 is in use',
  });
  t.same(place([], request({ count: 3 })), { placements: [], failures: [] }, 'empty cluster');
  t.same(place(instances, request({ count: 0 })), { placements: [], failures: [] }, 'count 0');
});

t.test('placeOn (StartTask): named instances, MISSING for unknown ones', async (t) => {
  const instances = cluster({ 'i-1': { memory: 1024 }, 'i-2': { agent: false }, 'i-3': {} });
  const arn = (id: string) => instance(id, {}).arn;
  const cases: {
    name: string;
    input: { arns: string[]; run: Run };
    want: { placed: string[]; failures: string[] };
  }[] = [
    {
      name: 'one task per listed instance, in order',
      input: { arns: [arn('i-3'), arn('i-1')], run: {} },
      want: { placed: ['i-3', 'i-1'], failures: [] },
    },
    {
      name: 'unknown ARN is MISSING, disconnected agent is AGENT',
      input: { arns: [arn('i-9'), arn('i-2'), arn('i-1')], run: {} },
      want: { placed: ['i-1'], failures: [`${arn('i-9')} MISSING`, 'i-2 AGENT'] },
    },
    {
      name: 'an instance named twice takes two tasks while it has room',
      input: { arns: [arn('i-1'), arn('i-1'), arn('i-1')], run: { memory: 512 } },
      want: { placed: ['i-1', 'i-1'], failures: ['i-1 RESOURCE:MEMORY'] },
    },
    {
      name: 'fixed ports count across the call',
      input: { arns: [arn('i-3'), arn('i-3')], run: { tcp: [443] } },
      want: { placed: ['i-3'], failures: ['i-3 RESOURCE:PORTS'] },
    },
  ];
  for (const c of cases) {
    t.same(
      summarize(instances, placeOn(instances, c.input.arns, request(c.input.run))),
      c.want,
      c.name,
    );
  }
});

t.test('placement never mutates its inputs', async (t) => {
  const instances = cluster({ 'i-1': { tasks: ['family:web'] }, 'i-2': {} });
  const before = JSON.stringify(instances, (_k, v: unknown) => (v instanceof Set ? [...v] : v));
  for (const i of instances) deepFreeze(i);
  const req = request({
    count: 3,
    tcp: [80],
    placementStrategy: [{ type: 'spread', field: 'instanceId' }],
    placementConstraints: [{ type: 'memberOf', expression: 'runningTasksCount < 5' }],
  });
  const res = place(instances, req);
  t.equal(res.placements.length, 2);
  t.equal(
    JSON.stringify(instances, (_k, v: unknown) => (v instanceof Set ? [...v] : v)),
    before,
  );
  t.same(instances[0]!.remaining.tcpPorts.has(80), false, 'port sets untouched');
});

t.test('task counts follow a task list that changed in place', async (t) => {
  const instances = cluster({ 'i-1': {}, 'i-2': {} });
  const req = request({ count: 1, placementStrategy: [{ type: 'spread', field: 'instanceId' }] });
  t.same(summarize(instances, place(instances, req)).placed, ['i-1']);
  (instances[0]!.tasks as { group?: string; family: string; taskArn: string }[]).push({
    group: 'family:web',
    family: 'web',
    taskArn: 't',
  });
  t.same(summarize(instances, place(instances, req)).placed, ['i-2'], 'the pushed task counts');
});

t.test('successive calls over snapshots updated as the scheduler does', async (t) => {
  // Each call sees a new array in which only the chosen instances were replaced: appended
  // tasks, and now and then a stopped one removed. Counts must match a fresh count each time.
  let instances = cluster({ 'i-1': {}, 'i-2': { tasks: ['family:web'] }, 'i-3': {}, 'i-4': {} });
  const rnd = mulberry32(3);
  for (let call = 0; call < 40; call++) {
    const req = request({
      count: 3,
      cpu: 1,
      memory: 1,
      placementStrategy: [{ type: 'spread', field: 'instanceId' }],
      group: call % 5 === 0 ? 'service:api' : undefined,
    });
    const want = reference(instances, req);
    const got = summarize(instances, place(instances, req)).placed;
    t.same(got, want, `call ${call}`);
    instances = instances.map((inst) => {
      const added = got.filter((id) => id === inst.ec2InstanceId).length;
      let tasks = [
        ...inst.tasks,
        ...Array.from({ length: added }, (_, k) => ({
          group: req.group ?? 'family:web',
          family: 'web',
          taskArn: `${inst.ec2InstanceId}-${call}-${k}`,
        })),
      ];
      if (rnd() < 0.2 && tasks.length > 0) tasks = tasks.filter((_, k) => k !== 0);
      return added > 0 || tasks.length !== inst.tasks.length ? { ...inst, tasks } : inst;
    });
  }
});

t.test('agrees with a naive reference on random clusters', async (t) => {
  const rnd = mulberry32(7);
  const strategies: PlacementStrategy[][] = [
    [{ type: 'binpack', field: 'memory' }],
    [
      { type: 'binpack', field: 'cpu' },
      { type: 'spread', field: 'instanceId' },
    ],
    [{ type: 'spread', field: 'instanceId' }],
    [
      { type: 'spread', field: 'attribute:ecs.availability-zone' },
      { type: 'binpack', field: 'cpu' },
    ],
  ];
  let compared = 0;
  for (let round = 0; round < 120; round++) {
    const spec: Record<string, Inst> = {};
    for (let i = 0; i < 12; i++) {
      spec[`i-${i}`] = {
        az: 'abc'[Math.floor(rnd() * 3)]!,
        cpu: 256 * Math.floor(rnd() * 6),
        memory: 256 * Math.floor(rnd() * 10),
        tcp: rnd() < 0.2 ? [80] : [],
        status: rnd() < 0.1 ? 'DRAINING' : 'ACTIVE',
        agent: rnd() > 0.05,
        tasks: Array.from({ length: Math.floor(rnd() * 4) }, () =>
          rnd() < 0.5 ? 'family:web' : 'family:db',
        ),
      };
    }
    const instances = cluster(spec);
    const run: Run = {
      count: 1 + Math.floor(rnd() * 10),
      cpu: 128 * Math.floor(rnd() * 4),
      memory: 128 * (1 + Math.floor(rnd() * 4)),
      tcp: rnd() < 0.2 ? [80] : [],
      placementStrategy: strategies[round % strategies.length]!,
      placementConstraints: rnd() < 0.3 ? [{ type: 'distinctInstance' }] : [],
    };
    const got = summarize(instances, place(instances, request(run))).placed;
    t.same(got, reference(instances, request(run)), `round ${round}`);
    compared++;
  }
  t.equal(compared, 120);
});

/** Straightforward placement: filter, then sort every candidate by the strategy keys. */
function reference(instances: PlacementInstance[], req: PlacementRequest): string[] {
  const group = req.group ?? `family:${req.family}`;
  const st = instances.map((i) => ({
    i,
    cpu: i.remaining.cpu,
    mem: i.remaining.memory,
    groupTasks: i.tasks.filter((x) => (x.group ?? `family:${x.family}`) === group).length,
    ports: new Set(i.remaining.tcpPorts),
  }));
  const eligible = st.filter((s) => s.i.status === 'ACTIVE' && s.i.agentConnected);
  const distinct = req.constraints.some((c) => c.type === 'distinctInstance');
  const out: string[] = [];
  for (let n = 0; n < req.count; n++) {
    const fits = eligible.filter(
      (s) =>
        s.cpu >= req.resources.cpu &&
        s.mem >= req.resources.memory &&
        !(distinct && s.groupTasks > 0) &&
        req.resources.tcpPorts.every((p) => !s.ports.has(p)),
    );
    if (fits.length === 0) break;
    const key = (s: (typeof st)[number]) =>
      req.strategies.map((strategy) => {
        if (strategy.type === 'binpack') return strategy.field === 'cpu' ? s.cpu : s.mem;
        if (strategy.field === 'instanceId') return s.groupTasks;
        const az = s.i.attributes['ecs.availability-zone'];
        return eligible
          .filter((o) => o.i.attributes['ecs.availability-zone'] === az)
          .reduce((sum, o) => sum + o.groupTasks, 0);
      });
    const sorted = fits
      .map((s) => ({ s, k: key(s), order: st.indexOf(s) }))
      .sort((a, b) => {
        for (let k = 0; k < a.k.length; k++) if (a.k[k] !== b.k[k]) return a.k[k]! - b.k[k]!;
        return a.order - b.order;
      });
    const chosen = sorted[0]!.s;
    chosen.cpu -= req.resources.cpu;
    chosen.mem -= req.resources.memory;
    chosen.groupTasks++;
    for (const p of req.resources.tcpPorts) chosen.ports.add(p);
    out.push(chosen.i.ec2InstanceId);
  }
  return out;
}

function mulberry32(seed: number): () => number {
  return () => {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let x = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

function deepFreeze<T>(v: T): T {
  if (v !== null && typeof v === 'object' && !(v instanceof Set)) {
    for (const x of Object.values(v)) deepFreeze(x);
    Object.freeze(v);
  }
  return v;
}
