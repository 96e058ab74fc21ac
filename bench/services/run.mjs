// Services benchmark (see ./run): a REPLICA service of TASKS tasks on INSTANCES simulated
// agents; KILLS times, one at a time, an agent reports one RUNNING task STOPPED (exit 1) and we
// time until the agent has reported the replacement RUNNING (acknowledged by the scheduler).
// That span covers: the report, the service loop noticing, reconcile, placement, the KV
// write, delivery to the long-polling agent and its RUNNING report. Loopback only; bounded.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import http from 'node:http';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { EcsJsonClient, SimulatedAgent } from '../../packages/scheduler/dist/testing/index.js';
import { commit, machine, machineLine, summarize } from '../lib/report.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
const env = process.env;
const QUICK = env.QUICK === '1';
const cfg = {
  instances: Number(env.INSTANCES ?? 20),
  tasks: Number(env.TASKS ?? 40),
  kills: Number(env.KILLS ?? (QUICK ? 60 : 300)),
  maxSeconds: Number(env.MAX_SECONDS ?? 300),
};
const log = (m) => process.stderr.write(`[bench/services] ${m}\n`);
const creds = { accessKeyId: 'AKIDBERTHBENCH', secretAccessKey: 'bench-secret-key' };
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-bench-svc-'));
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

const freePort = () => 20000 + Math.floor(Math.random() * 20000);
function get(url) {
  return new Promise((resolve, reject) => {
    http
      .get(url, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      })
      .on('error', reject);
  });
}
async function waitHealthy(url, ms) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if ((await get(url).catch(() => 0)) === 200) return;
    await sleep(100);
  }
  throw new Error(`${url} did not become healthy`);
}

const cport = freePort();
const catalog = spawn(
  process.execPath,
  ['packages/catalog/dist/main.js', '--listen', `127.0.0.1:${cport}`, '--log-level', 'warn'],
  { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] },
);
children.push(catalog);
await waitHealthy(`http://127.0.0.1:${cport}/v1/status/leader`, 20_000);
const sport = freePort();
const scheduler = spawn(
  process.execPath,
  [
    'packages/scheduler/dist/daemon/main.js',
    '--consul',
    `http://127.0.0.1:${cport}`,
    '--listen',
    `127.0.0.1:${sport}`,
    '--credentials',
    credFile,
    '--log-level',
    'warn',
  ],
  { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] },
);
children.push(scheduler);
const url = `http://127.0.0.1:${sport}`;
await waitHealthy(`${url}/health`, 20_000);

const client = new EcsJsonClient({ endpoint: url, credentials: creds });
await client.ecs('RegisterTaskDefinition', {
  family: 'bench',
  containerDefinitions: [
    { name: 'app', image: 'bench', cpu: 10, memory: 16, essential: true, portMappings: [] },
  ],
});
const agents = [];
const running = new Map(); // taskArn -> agent
const waiters = new Set();
for (let i = 0; i < cfg.instances; i++) {
  const a = new SimulatedAgent({
    endpoint: url,
    credentials: creds,
    client,
    availabilityZone: `local-1${'abc'[i % 3]}`,
    waitSeconds: 20,
  });
  a.on('reported', ({ taskArn, status }) => {
    if (status === 'RUNNING') {
      running.set(taskArn, a);
      for (const w of [...waiters]) w(taskArn);
    } else if (status === 'STOPPED') running.delete(taskArn);
  });
  await a.register();
  a.start();
  agents.push(a);
}
log(`${cfg.instances} agents polling; creating a service of ${cfg.tasks} tasks`);
await client.ecs('CreateService', {
  serviceName: 'bench',
  taskDefinition: 'bench',
  desiredCount: cfg.tasks,
});
const until = async (cond, ms) => {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (cond()) return;
    await sleep(10);
  }
  throw new Error('timed out');
};
await until(() => running.size >= cfg.tasks, 60_000);
log(`${running.size} tasks RUNNING; killing ${cfg.kills}, one at a time`);

const lat = [];
const deadline = Date.now() + cfg.maxSeconds * 1000;
for (let k = 0; k < cfg.kills && Date.now() < deadline; k++) {
  await until(() => running.size >= cfg.tasks, 30_000);
  const arns = [...running.keys()];
  const victim = arns[Math.floor(Math.random() * arns.length)];
  const owner = running.get(victim);
  const replaced = new Promise((resolve) => {
    const w = (arn) => {
      if (arn !== victim) {
        waiters.delete(w);
        resolve(performance.now());
      }
    };
    waiters.add(w);
  });
  const t0 = performance.now();
  running.delete(victim);
  await owner.report(victim, 'STOPPED', { exitCode: 1, reason: 'bench kill' });
  const t1 = await Promise.race([replaced, sleep(10_000).then(() => NaN)]);
  if (Number.isNaN(t1)) throw new Error(`no replacement within 10 s for ${victim}`);
  lat.push(t1 - t0);
}
const s = summarize(lat);
log(`replacement latency ms: ${JSON.stringify(s)}`);
for (const a of agents) await a.stop();
client.close();
scheduler.kill('SIGTERM');
catalog.kill('SIGTERM');
await sleep(300);

const date = new Date().toISOString().slice(0, 10);
const out = path.join(root, 'bench', 'results', `services-${date}${QUICK ? '-quick' : ''}.md`);
fs.mkdirSync(path.dirname(out), { recursive: true });
fs.writeFileSync(
  out,
  `# berth services benchmark — ${date}${QUICK ? ' (quick)' : ''}

Commit: ${commit(['packages/scheduler', 'bench/services'])}
Machine: ${machineLine(machine())}
Command: \`${QUICK ? 'QUICK=1 ' : ''}bench/services/run\` (INSTANCES=${cfg.instances} TASKS=${cfg.tasks} KILLS=${cfg.kills})

Catalog and scheduler as child processes on loopback; ${cfg.instances} simulated agents
long-polling in the bench process; a REPLICA service of ${cfg.tasks} tasks (default spread).
Each kill: an agent reports one RUNNING task STOPPED (exit 1); measured until the agent's
RUNNING report of the replacement is acknowledged. One kill at a time.

| kills | p50 ms | p90 ms | p99 ms | max ms | goal |
|---:|---:|---:|---:|---:|---|
| ${s.n} | ${s.p50} | ${s.p90} | ${s.p99} | ${s.max} | p99 < 1000 ms: ${s.p99 < 1000 ? 'met' : 'NOT met'} |
`,
);
log(`wrote ${path.relative(root, out)}`);
process.exit(0);
