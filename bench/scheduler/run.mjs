// Scheduler benchmark (see ./run). Phases:
//   1. latency: RunTask (count 1) and StartTask, one call at a time, with 100 and 1,000
//      registered instances whose simulated agents long-poll (they receive every assignment);
//   2. C1M: TASKS tasks (default 1,000,000) on INSTANCES instances (default 5,000) through the
//      API, RunTask count=10 from CONCURRENCY signed clients; tasks/s at 10k, 100k and 1M.
// The scheduler runs with --agent-grace 1h in phase 2: the 5,000 instances there do not poll
// (5,000 long-polls of 200-task lists would measure the bench client, not placement).
// Every request is SigV4-signed and every placement is committed to the catalog before the
// answer. Loopback only; every loop is bounded in count and time.
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import http from 'node:http';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { EcsJsonClient, SimulatedAgent } from '../../packages/scheduler/dist/testing/index.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const env = process.env;
const QUICK = env.QUICK === '1';
const cfg = {
  latencyCalls: Number(env.LATENCY_CALLS ?? (QUICK ? 100 : 500)),
  latencyInstances: (env.LATENCY_INSTANCES ?? '100,1000').split(',').map(Number),
  tasks: Number(env.TASKS ?? (QUICK ? 20_000 : 1_000_000)),
  instances: Number(env.INSTANCES ?? 5000),
  concurrency: Number(env.CONCURRENCY ?? 32),
  count: 10,
  maxSeconds: Number(env.MAX_SECONDS ?? 900),
  dataDir: env.DATA_DIR === '1',
  /** PROF_DIR=<dir>: run the scheduler under --cpu-prof, writing its profile there. */
  profDir: env.PROF_DIR ? path.resolve(env.PROF_DIR) : undefined,
};
const log = (m) => process.stderr.write(`[bench/scheduler] ${m}\n`);
const creds = { accessKeyId: 'AKIDBERTHBENCH', secretAccessKey: 'bench-secret-key' };
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-bench-sched-'));
const credFile = path.join(work, 'credentials');
fs.writeFileSync(
  credFile,
  `[default]\naws_access_key_id=${creds.accessKeyId}\naws_secret_access_key=${creds.secretAccessKey}\n`,
);
const children = [];
process.on('exit', () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  fs.rmSync(work, { recursive: true, force: true });
});
process.on('SIGINT', () => process.exit(130));
process.on('SIGTERM', () => process.exit(143));

const sh = (cmd, args) => {
  try {
    return execFileSync(cmd, args, {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    return '';
  }
};

function freePort() {
  return 20000 + Math.floor(Math.random() * 20000);
}

async function waitHttp(url, ms) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    try {
      const r = await get(url);
      if (r.status < 500) return;
    } catch {
      // not up yet
    }
    await sleep(100);
  }
  throw new Error(`${url} did not come up`);
}

function cpuMs(pid) {
  try {
    const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return ((Number(f[11]) + Number(f[12])) * 1000) / 100;
  } catch {
    return 0;
  }
}
function rssMiB(pid) {
  try {
    const m = /VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

async function startStack(extraArgs) {
  const cport = freePort();
  const catalogArgs = [
    'packages/catalog/dist/main.js',
    '--listen',
    `127.0.0.1:${cport}`,
    '--log-level',
    'warn',
  ];
  if (cfg.dataDir) catalogArgs.push('--data-dir', fs.mkdtempSync(path.join(work, 'cat-')));
  const catalog = spawn(process.execPath, ['--max-old-space-size=6144', ...catalogArgs], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  children.push(catalog);
  await waitHttp(`http://127.0.0.1:${cport}/v1/status/leader`, 20_000);
  const sport = freePort();
  const scheduler = spawn(
    process.execPath,
    [
      '--max-old-space-size=6144',
      ...(cfg.profDir ? ['--cpu-prof', '--cpu-prof-dir', cfg.profDir] : []),
      'packages/scheduler/dist/daemon/main.js',
      '--consul',
      `http://127.0.0.1:${cport}`,
      '--listen',
      `127.0.0.1:${sport}`,
      '--credentials',
      credFile,
      '--log-level',
      'warn',
      ...extraArgs,
    ],
    { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] },
  );
  children.push(scheduler);
  const url = `http://127.0.0.1:${sport}`;
  await waitHttp(`${url}/health`, 20_000);
  for (let i = 0; i < 100; i++) {
    if ((await get(`${url}/health`)).status === 200) break;
    await sleep(100);
  }
  return {
    url,
    catalog,
    scheduler,
    async stop() {
      // The scheduler first (it may still write), then the catalog; each gets a bounded wait
      // to exit (a --cpu-prof profile is written on exit).
      for (const child of [scheduler, catalog]) {
        if (child.exitCode !== null) continue;
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await Promise.race([exited, sleep(cfg.profDir ? 60_000 : 5_000)]);
      }
    },
  };
}

/** GET `url` -> { status, text } (node:http; loopback only). */
function get(url) {
  return new Promise((resolve, reject) => {
    http
      .get(url, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      })
      .on('error', reject);
  });
}

const pct = (sorted, p) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
const tdBody = (family) => ({
  family,
  containerDefinitions: [{ name: 'app', image: 'bench', cpu: 10, memory: 10, essential: true }],
});

async function latencyPhase(n) {
  const st = await startStack([]);
  const client = new EcsJsonClient({ endpoint: st.url, credentials: creds, maxSockets: 2048 });
  await client.ecs('CreateCluster', { clusterName: 'lat' });
  await client.ecs('RegisterTaskDefinition', tdBody('lat'));
  const agents = [];
  for (let i = 0; i < n; i += 50) {
    const batch = [];
    for (let j = i; j < Math.min(n, i + 50); j++) {
      const a = new SimulatedAgent({
        endpoint: st.url,
        credentials: creds,
        cluster: 'lat',
        instanceId: `i-lat-${j}`,
        cpu: 100_000,
        memory: 100_000,
        autoRun: false,
        waitSeconds: 30,
        client,
      });
      agents.push(a);
      batch.push(a.register());
    }
    await Promise.all(batch);
  }
  for (const a of agents) a.start();
  await sleep(500);
  const run = [];
  const start = [];
  const deadline = Date.now() + 60_000;
  for (let i = 0; i < cfg.latencyCalls && Date.now() < deadline; i++) {
    const t0 = performance.now();
    await client.ecs('RunTask', { cluster: 'lat', taskDefinition: 'lat' });
    run.push(performance.now() - t0);
    const target = agents[Math.floor(Math.random() * agents.length)].arn;
    const t1 = performance.now();
    await client.ecs('StartTask', {
      cluster: 'lat',
      taskDefinition: 'lat',
      containerInstances: [target],
    });
    start.push(performance.now() - t1);
  }
  const delivered = agents.reduce((s, a) => s + a.tasks.size, 0);
  for (const a of agents) await a.stop();
  client.close();
  await st.stop();
  run.sort((a, b) => a - b);
  start.sort((a, b) => a - b);
  return {
    instances: n,
    calls: run.length,
    runP50: pct(run, 50),
    runP99: pct(run, 99),
    startP50: pct(start, 50),
    startP99: pct(start, 99),
    delivered,
  };
}

async function c1m() {
  const st = await startStack(['--agent-grace', '1h', '--lost-after', '2h']);
  const client = new EcsJsonClient({
    endpoint: st.url,
    credentials: creds,
    maxSockets: cfg.concurrency + 8,
  });
  await client.ecs('CreateCluster', { clusterName: 'c1m' });
  await client.ecs('RegisterTaskDefinition', tdBody('c1m'));
  const perInstance = Math.ceil(cfg.tasks / cfg.instances);
  const t0reg = performance.now();
  for (let i = 0; i < cfg.instances; i += 100) {
    const batch = [];
    for (let j = i; j < Math.min(cfg.instances, i + 100); j++) {
      const a = new SimulatedAgent({
        endpoint: st.url,
        credentials: creds,
        cluster: 'c1m',
        instanceId: `i-c1m-${j}`,
        cpu: Math.max(2048, perInstance * 10 * 2),
        memory: Math.max(4096, perInstance * 10 * 2),
        client,
      });
      batch.push(a.register());
    }
    await Promise.all(batch);
  }
  const regSeconds = (performance.now() - t0reg) / 1000;
  log(`registered ${cfg.instances} instances in ${regSeconds.toFixed(1)} s`);
  const calls = Math.ceil(cfg.tasks / cfg.count);
  let next = 0;
  let placed = 0;
  let failures = 0;
  let errors = 0;
  const marks = [10_000, 100_000, 1_000_000].filter((m) => m <= cfg.tasks);
  if (!marks.includes(cfg.tasks)) marks.push(cfg.tasks);
  const hit = {};
  const cpu0 = { s: cpuMs(st.scheduler.pid), c: cpuMs(st.catalog.pid) };
  const t0 = performance.now();
  const deadline = Date.now() + cfg.maxSeconds * 1000;
  let lastLog = Date.now();
  const worker = async () => {
    while (next < calls && Date.now() < deadline) {
      next++;
      try {
        const r = await client.ecs('RunTask', {
          cluster: 'c1m',
          taskDefinition: 'c1m',
          count: cfg.count,
        });
        placed += r.tasks.length;
        if (r.failures.length) failures++;
      } catch (e) {
        errors++;
        if (errors < 5) log(`error: ${e.message}`);
        await sleep(50);
      }
      for (const m of marks) {
        if (hit[m] === undefined && placed >= m) {
          hit[m] = {
            seconds: (performance.now() - t0) / 1000,
            schedCpu: cpuMs(st.scheduler.pid) - cpu0.s,
            catCpu: cpuMs(st.catalog.pid) - cpu0.c,
            schedRss: rssMiB(st.scheduler.pid),
            catRss: rssMiB(st.catalog.pid),
          };
          log(
            `${m} tasks in ${hit[m].seconds.toFixed(1)} s (${(m / hit[m].seconds).toFixed(0)} tasks/s)`,
          );
        }
      }
      if (Date.now() - lastLog > 10_000) {
        lastLog = Date.now();
        log(`${placed} placed, ${((placed / (performance.now() - t0)) * 1000).toFixed(0)} tasks/s`);
      }
    }
  };
  await Promise.all(Array.from({ length: cfg.concurrency }, worker));
  const seconds = (performance.now() - t0) / 1000;
  // Spot-check durability: the count the leader reports equals what was acknowledged.
  const metrics = (await get(`${st.url}/metrics`)).text;
  const kvTxns = Number(/berth_scheduler_kv_txns_total\{[^}]*\} (\d+)/.exec(metrics)?.[1] ?? 0);
  client.close();
  await st.stop();
  return { placed, seconds, failures, errors, marks: hit, regSeconds, kvTxns };
}

const results = { latency: [], c1m: undefined };
for (const n of cfg.latencyInstances) {
  log(`latency with ${n} instances`);
  results.latency.push(await latencyPhase(n));
}
log(`C1M: ${cfg.tasks} tasks on ${cfg.instances} instances, concurrency ${cfg.concurrency}`);
results.c1m = await c1m();

const commit = sh('git', ['rev-parse', 'HEAD']);
const dirty = sh('git', ['status', '--porcelain']) ? ' (working tree has uncommitted changes)' : '';
const cpus = os.cpus();
const date = new Date().toISOString();
const f = (x, d = 1) => (x === undefined ? '–' : Number(x).toFixed(d));
const lines = [
  `# Scheduler benchmark, ${date}`,
  '',
  `- commit: \`${commit}\`${dirty}`,
  `- machine: ${cpus.length} CPUs (${cpus[0]?.model.trim()}), ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, ${os.type()} ${os.release()}, Node ${process.version}, load average at end ${os
    .loadavg()
    .map((x) => x.toFixed(1))
    .join(' ')}`,
  `- command: \`${['QUICK', 'TASKS', 'INSTANCES', 'CONCURRENCY', 'LATENCY_CALLS', 'DATA_DIR']
    .filter((k) => env[k])
    .map((k) => `${k}=${env[k]}`)
    .join(' ')} bench/scheduler/run\``,
  `- settings: ${JSON.stringify(cfg)}`,
  '',
  '## RunTask / StartTask latency (one call at a time, SigV4, committed to the catalog)',
  '',
  '| instances | calls | RunTask p50 (ms) | RunTask p99 (ms) | StartTask p50 (ms) | StartTask p99 (ms) | assignments delivered |',
  '|---|---|---|---|---|---|---|',
  ...results.latency.map(
    (r) =>
      `| ${r.instances} | ${r.calls} | ${f(r.runP50)} | ${f(r.runP99)} | ${f(r.startP50)} | ${f(r.startP99)} | ${r.delivered} |`,
  ),
  '',
  'Reference (ECS, from the seed material, end to end on a 100-node cluster): p50 1.44 s, p99 2.05 s.',
  '',
  `## C1M: ${cfg.tasks} tasks on ${cfg.instances} instances (RunTask count=${cfg.count}, ${cfg.concurrency} clients)`,
  '',
  '| tasks | seconds | tasks/s (cumulative) | scheduler CPU (s) | catalog CPU (s) | scheduler RSS (MiB) | catalog RSS (MiB) |',
  '|---|---|---|---|---|---|---|',
  ...Object.entries(results.c1m.marks).map(
    ([m, h]) =>
      `| ${m} | ${f(h.seconds)} | ${f(Number(m) / h.seconds, 0)} | ${f(h.schedCpu / 1000)} | ${f(h.catCpu / 1000)} | ${f(h.schedRss, 0)} | ${f(h.catRss, 0)} |`,
  ),
  '',
  `Placed ${results.c1m.placed} tasks in ${f(results.c1m.seconds)} s; ${results.c1m.failures} calls with placement failures, ${results.c1m.errors} errors; ${results.c1m.kvTxns} KV transactions (≈${f(results.c1m.placed / Math.max(1, results.c1m.kvTxns))} tasks per transaction). Registering the instances took ${f(results.c1m.regSeconds)} s.`,
  'Reference: Nomad C1M, 1,000,000 containers on 5,000 hosts in under 5 minutes with 5 servers (3,750/s). Goal here: under 5 minutes on 2 cores.',
  '',
];
fs.mkdirSync(path.join(root, 'bench', 'results'), { recursive: true });
const out = path.join(
  root,
  'bench',
  'results',
  `scheduler-${date.slice(0, 10)}${QUICK ? '-quick' : env.TASKS ? `-${cfg.tasks}` : ''}.md`,
);
fs.writeFileSync(out, lines.join('\n'));
log(`wrote ${out}`);
process.stdout.write(lines.join('\n'));
process.exit(0);
