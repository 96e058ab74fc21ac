// Placement micro-benchmark for @berth/scheduler (pure code, no I/O): places tasks in RunTask-
// sized calls (count 10) on N simulated instances and reports microseconds per placed task.
// Between calls it updates the snapshot the way the scheduler's state does (the chosen
// instances are replaced with new objects whose task list and remaining resources changed), so
// per-call setup costs are measured, not hidden. Run against the built dist:
//
//   npx tsc -b packages/scheduler
//   node bench/scheduler/placement.mjs [--instances 100,1000,5000] [--tasks 20000] [--seconds 5]
//
// Every run is bounded by --tasks per scenario and --seconds per scenario, and each (size,
// scenario) runs in its own child process so one scenario's heap does not slow the next.
// Instances have 16 vCPU / 64 GiB; tasks 16 CPU units / 32 MiB (up to 1024 per instance).
// Prints a table and, with --json, one JSON line per scenario. The mean covers every call; the median and best of
// 50-call batches show the cost with less interference from other processes.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import os from 'node:os';
import { place } from '../../packages/scheduler/dist/core/placement/index.js';

const args = new Map();
for (let i = 2; i < process.argv.length; i++) {
  const a = process.argv[i];
  if (a === '--json') args.set('json', 'true');
  else args.set(a.replace(/^--/, ''), process.argv[++i]);
}
const sizes = (args.get('instances') ?? '100,1000,5000').split(',').map(Number);
const maxTasks = Number(args.get('tasks') ?? 20000);
const maxSeconds = Number(args.get('seconds') ?? 5);
const json = args.get('json') === 'true';

const scenarios = [
  { name: 'binpack memory', strategies: [{ type: 'binpack', field: 'memory' }], constraints: [] },
  {
    name: 'spread instanceId',
    strategies: [{ type: 'spread', field: 'instanceId' }],
    constraints: [],
  },
  {
    name: 'spread az, binpack cpu',
    strategies: [
      { type: 'spread', field: 'attribute:ecs.availability-zone' },
      { type: 'binpack', field: 'cpu' },
    ],
    constraints: [],
  },
  { name: 'random (default)', strategies: [], constraints: [] },
  {
    name: 'spread + memberOf + distinct',
    strategies: [{ type: 'spread', field: 'instanceId' }],
    constraints: [
      {
        type: 'memberOf',
        expression: 'attribute:ecs.instance-type =~ m5.* and agentConnected == true',
      },
      { type: 'distinctInstance' },
    ],
    groups: true,
  },
];

// Deterministic PRNG so runs are comparable.
function mulberry32(seed) {
  return () => {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function makeInstances(n) {
  const out = [];
  for (let i = 0; i < n; i++) {
    out.push({
      arn: `arn:aws:ecs:us-east-1:000000000000:container-instance/bench/${i}`,
      ec2InstanceId: `i-${i.toString(16).padStart(8, '0')}`,
      status: 'ACTIVE',
      agentConnected: true,
      attributes: {
        'ecs.availability-zone': `us-east-1${'abc'[i % 3]}`,
        'ecs.instance-type': i % 2 ? 'm5.large' : 'm5.xlarge',
      },
      registeredAt: 1_700_000_000_000,
      agentVersion: '1.80.0',
      remaining: { cpu: 16384, memory: 65536, tcpPorts: new Set([22]), udpPorts: new Set() },
      total: { cpu: 16384, memory: 65536 },
      tasks: [],
    });
  }
  return out;
}

function run(n, scenario) {
  let instances = makeInstances(n);
  const index = new Map(instances.map((x, i) => [x.arn, i]));
  const random = mulberry32(42);
  let placed = 0;
  let calls = 0;
  let spent = 0;
  // Per-batch figures (50 calls each): the median resists other processes on a shared machine.
  const batches = [];
  let batchSpent = 0;
  let batchTasks = 0;
  const started = performance.now();
  // distinctInstance caps a group at one task per instance: rotate over 8 service groups.
  while (placed < maxTasks && performance.now() - started < maxSeconds * 1000) {
    const request = {
      count: 10,
      resources: { cpu: 16, memory: 32, tcpPorts: [], udpPorts: [] },
      strategies: scenario.strategies,
      constraints: scenario.constraints,
      family: 'bench',
      group: scenario.groups ? `service:bench-${calls % 8}` : undefined,
      random,
    };
    const t0 = performance.now();
    const result = place(instances, request);
    const dt = performance.now() - t0;
    spent += dt;
    calls++;
    if (result.placements.length === 0) break;
    placed += result.placements.length;
    batchSpent += dt;
    batchTasks += result.placements.length;
    if (calls % 50 === 0) {
      batches.push((batchSpent * 1000) / batchTasks);
      batchSpent = 0;
      batchTasks = 0;
    }
    // Immutable update of the chosen instances, as the scheduler's state does.
    instances = instances.slice();
    for (const p of result.placements) {
      const i = index.get(p.instanceArn);
      const old = instances[i];
      instances[i] = {
        ...old,
        remaining: {
          ...old.remaining,
          cpu: old.remaining.cpu - request.resources.cpu,
          memory: old.remaining.memory - request.resources.memory,
        },
        tasks: [...old.tasks, { group: request.group, family: 'bench', taskArn: `t${placed}` }],
      };
    }
  }
  return {
    instances: n,
    scenario: scenario.name,
    tasks: placed,
    calls,
    usPerTask: (spent * 1000) / placed,
    medianBatch: batches.sort((a, b) => a - b)[Math.floor(batches.length / 2)] ?? NaN,
    bestBatch: batches[0] ?? NaN,
  };
}

if (args.has('child')) {
  const r = run(sizes[0], scenarios[Number(args.get('child'))]);
  process.stdout.write(JSON.stringify(r) + '\n');
  process.exit(0);
}

const rows = [];
const self = fileURLToPath(import.meta.url);
for (const n of sizes) {
  for (let s = 0; s < scenarios.length; s++) {
    const child = spawnSync(
      process.execPath,
      [
        self,
        '--child',
        String(s),
        '--instances',
        String(n),
        '--tasks',
        String(maxTasks),
        '--seconds',
        String(maxSeconds),
      ],
      { encoding: 'utf8', timeout: (maxSeconds + 30) * 1000 },
    );
    if (child.status !== 0) throw new Error(`scenario ${s} at ${n} failed: ${child.stderr}`);
    rows.push(JSON.parse(child.stdout));
  }
}

if (json) for (const r of rows) process.stdout.write(JSON.stringify(r) + '\n');
else {
  console.log(
    `# placement micro-benchmark, node ${process.version}, ${os.cpus()[0]?.model ?? ''} x${os.cpus().length}`,
  );
  console.log('| instances | scenario | tasks | µs/placement mean | median batch | best batch |');
  console.log('|---:|---|---:|---:|---:|---:|');
  const f = (x) => x.toFixed(2);
  for (const r of rows) {
    const cells = [
      r.instances,
      r.scenario,
      r.tasks,
      f(r.usPerTask),
      f(r.medianBatch),
      f(r.bestBatch),
    ];
    console.log(`| ${cells.join(' | ')} |`);
  }
}
