// Auto scaling benchmark (see ./run). Each round: a new service of 1 task behind /<name>;
// a steady low load (half a task's capacity) through the router; then a step to 3.5 tasks'
// worth. "auto" rounds have a target-tracking policy at 70 % of a task's capacity and
// nothing else: METRIC=requests (default) ALBRequestCountPerTarget, measured by the router
// itself and reported with --scheduler every REPORT_MS (the real path: router counts per
// container → scheduler → scaler); METRIC=cpu ECSServiceAverageCPUUtilization from the
// simulated agents' reports below. "manual"
// rounds (the reference) call UpdateService desiredCount 4 at the step, as a person reacting
// at once would. Measured: step → the 4th distinct task answering through the router.
//
// The simulated agents' tasks are local HTTP servers; each reports its utilisation as
// requests served / CAPACITY_RPS (what a CPU-bound handler would show) every STATS_MS, with
// the same BerthAgentV1.ReportTaskStats the real agent sends from Docker's stats. So the
// figure covers the stats interval, the scaler's pass, UpdateService, placement, delivery to
// the agent, registration in the catalog and the router's table update, but not Docker's
// container start nor its one-second stats sampling. Loopback only; bounded.
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import Consul from 'consul';
import { startCatalog } from '@berth/catalog';
import { startRouter } from '@berth/router';
import { EcsJsonClient, startScheduler } from '@berth/scheduler';
import { SimulatedAgent } from '@berth/scheduler/testing';
import { SignatureV4 } from '@smithy/signature-v4';
import { Sha256 } from '@aws-crypto/sha256-js';
import { commit, machine, machineLine, summarize } from '../lib/report.mjs';

const env = process.env;
const cfg = {
  rounds: Number(env.ROUNDS ?? 5),
  metric: env.METRIC === 'cpu' ? 'cpu' : 'requests',
  statsMs: Number(env.STATS_MS ?? 10_000),
  reportMs: Number(env.REPORT_MS ?? 10_000),
  capacityRps: Number(env.CAPACITY_RPS ?? 40),
  roundTimeoutMs: Number(env.ROUND_TIMEOUT_MS ?? 120_000),
  maxSeconds: Number(env.MAX_SECONDS ?? 900),
};
const log = (m) => process.stderr.write(`[bench/autoscaling] ${m}\n`);
const started = performance.now();
const creds = { accessKeyId: 'AKIDBERTHBENCH', secretAccessKey: 'bench-secret-key' };
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-bench-as-'));
const credFile = path.join(work, 'credentials');
fs.writeFileSync(
  credFile,
  `[default]\naws_access_key_id=${creds.accessKeyId}\naws_secret_access_key=${creds.secretAccessKey}\n`,
);

const catalog = await startCatalog({ listen: '127.0.0.1:0' });
const sched = await startScheduler({
  consul: catalog.url,
  listen: '127.0.0.1:0',
  credentials: credFile,
  discoveryDrain: 0,
});
for (let i = 0; i < 100 && !sched.replica.isLeader; i++) await sleep(100);
const router = await startRouter({
  consul: catalog.url,
  proxy: { host: '127.0.0.1', port: 0 },
  admin: null,
  kvPath: '',
  ...(cfg.metric === 'requests' && {
    scheduler: [sched.url],
    reportInterval: cfg.reportMs,
    env: { AWS_ACCESS_KEY_ID: creds.accessKeyId, AWS_SECRET_ACCESS_KEY: creds.secretAccessKey },
  }),
});
const consul = new Consul({ host: '127.0.0.1', port: catalog.address.port });
const json = new EcsJsonClient({ endpoint: sched.url, credentials: creds });
await json.ecs('CreateCluster', { clusterName: 'default' });

/** taskArn → its backend: server, requests served since the last report. */
const backends = new Map();
async function startBackend(a) {
  if (backends.has(a.taskArn) || a.desiredStatus !== 'RUNNING') return;
  const id = a.taskArn.slice(a.taskArn.lastIndexOf('/') + 1);
  const b = { served: 0, server: undefined, id };
  backends.set(a.taskArn, b);
  b.server = http.createServer((req, res) => {
    b.served++;
    res.setHeader('x-task', id);
    res.end('ok');
  });
  b.server.keepAliveTimeout = 1000;
  await new Promise((r) => b.server.listen(0, '127.0.0.1', r));
  const family = a.taskDefinition.family;
  await consul.agent.service.register({
    name: family,
    id: `bench-${id}`,
    // the container ID the registrator writes: the simulated agent's runtimeId of container web
    meta: { 'berth-container': `sim-${a.taskArn.slice(-12)}-web` },
    address: '127.0.0.1',
    port: b.server.address().port,
    tags: [`urlprefix-/${family}`],
  });
}
async function stopBackend(arn) {
  const b = backends.get(arn);
  if (!b) return;
  backends.delete(arn);
  await consul.agent.service.deregister(`bench-${b.id}`).catch(() => {});
  b.server.closeAllConnections();
  await new Promise((r) => b.server.close(r));
}

const agents = [0, 1].map(
  (i) =>
    new SimulatedAgent({
      endpoint: sched.url,
      credentials: creds,
      cpu: 8192,
      memory: 16384,
      waitSeconds: 20,
      advertiseIp: `127.0.0.${i + 2}`,
    }),
);
for (const a of agents) {
  await a.register();
  a.on('assignments', (as) => {
    for (const t of as.tasks) {
      if (t.desiredStatus === 'RUNNING') void startBackend(t);
      else void stopBackend(t.taskArn);
    }
  });
  a.start();
}

// The agents' stats reports: utilisation = requests served / (CAPACITY_RPS × seconds).
let lastReport = performance.now();
const reporter = setInterval(() => {
  if (cfg.metric !== 'cpu') return;
  const now = performance.now();
  const secs = (now - lastReport) / 1000;
  lastReport = now;
  for (const a of agents) {
    const tasks = [];
    for (const [arn] of a.tasks) {
      const b = backends.get(arn);
      if (!b) continue;
      const util = b.served / secs / cfg.capacityRps;
      b.served = 0;
      tasks.push({ taskArn: arn, cpuUnits: util * 256, memoryMiB: 16 });
    }
    if (tasks.length)
      json
        .agent('ReportTaskStats', {
          cluster: 'default',
          containerInstance: a.arn,
          sampledAt: Date.now(),
          tasks,
        })
        .catch((e) => log(`stats report failed: ${e.message}`));
  }
}, cfg.statsMs);

async function aas(action, body) {
  const url = new URL(sched.url);
  const text = JSON.stringify(body);
  const signed = await new SignatureV4({
    credentials: creds,
    region: 'us-east-1',
    service: 'application-autoscaling',
    sha256: Sha256,
  }).sign({
    method: 'POST',
    protocol: url.protocol,
    hostname: url.hostname,
    port: Number(url.port),
    path: '/',
    headers: {
      host: url.host,
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': `AnyScaleFrontendService.${action}`,
    },
    body: text,
  });
  const res = await globalThis.fetch(url, { method: 'POST', headers: signed.headers, body: text });
  if (!res.ok) throw new Error(`${action}: ${await res.text()}`);
  return res.json();
}

/** A bounded open-loop load through the router: `rps` GETs a second; answers by task. */
function load(pathName) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const seen = new Map();
  let rps = 0;
  let stop = false;
  let timer;
  const fire = () => {
    http
      .get({ host: '127.0.0.1', port: router.proxyAddress.port, path: pathName, agent }, (res) => {
        res.resume();
        const task = res.headers['x-task'];
        if (res.statusCode === 200 && task && !seen.has(task)) seen.set(task, performance.now());
      })
      .on('error', () => {});
  };
  const tick = () => {
    if (stop) return;
    const n = Math.round(rps / 20);
    for (let i = 0; i < n; i++) fire();
    timer = setTimeout(tick, 50);
  };
  tick();
  return {
    seen,
    set(v) {
      rps = v;
    },
    close() {
      stop = true;
      clearTimeout(timer);
      agent.destroy();
    },
  };
}

const target = (name) => ({
  ServiceNamespace: 'ecs',
  ScalableDimension: 'ecs:service:DesiredCount',
  ResourceId: `service/default/${name}`,
});

async function round(i, mode) {
  const name = `${mode}${i}`;
  await json.ecs('RegisterTaskDefinition', {
    family: name,
    containerDefinitions: [
      { name: 'web', image: 'bench', cpu: 256, memory: 64, portMappings: [{ containerPort: 80 }] },
    ],
  });
  await json.ecs('CreateService', { serviceName: name, taskDefinition: name, desiredCount: 1 });
  const l = load(`/${name}`);
  try {
    l.set(cfg.capacityRps / 2);
    const deadline = performance.now() + cfg.roundTimeoutMs;
    while (l.seen.size < 1) {
      if (performance.now() > deadline) throw new Error(`${name}: the first task never served`);
      await sleep(100);
    }
    if (mode === 'auto') {
      await aas('RegisterScalableTarget', { ...target(name), MinCapacity: 1, MaxCapacity: 4 });
      await aas('PutScalingPolicy', {
        ...target(name),
        PolicyName: 'p70',
        PolicyType: 'TargetTrackingScaling',
        TargetTrackingScalingPolicyConfiguration: {
          // 70 % of a task's capacity: in percent, or in requests a minute
          TargetValue: cfg.metric === 'cpu' ? 70 : cfg.capacityRps * 60 * 0.7,
          PredefinedMetricSpecification: {
            PredefinedMetricType:
              cfg.metric === 'cpu' ? 'ECSServiceAverageCPUUtilization' : 'ALBRequestCountPerTarget',
          },
          ScaleOutCooldown: 60,
          ScaleInCooldown: 300,
        },
      });
    }
    // Steady low load long enough for a report at the low level.
    await sleep((cfg.metric === 'cpu' ? cfg.statsMs : cfg.reportMs) * 1.5);
    const t0 = performance.now();
    l.set(cfg.capacityRps * 3.5);
    if (mode === 'manual') {
      await json.ecs('UpdateService', { service: name, desiredCount: 4 });
    }
    while (l.seen.size < 4) {
      if (performance.now() - t0 > cfg.roundTimeoutMs) throw new Error(`${name}: never 4 tasks`);
      await sleep(50);
    }
    const times = [...l.seen.values()].sort((a, b) => a - b);
    return (times[3] - t0) / 1000;
  } finally {
    l.close();
    if (mode === 'auto') await aas('DeregisterScalableTarget', target(name)).catch(() => {});
    await json.ecs('DeleteService', { service: name, force: true }).catch(() => {});
  }
}

const results = { auto: [], manual: [] };
try {
  for (let i = 1; i <= cfg.rounds; i++) {
    for (const mode of i % 2 ? ['auto', 'manual'] : ['manual', 'auto']) {
      if ((performance.now() - started) / 1000 > cfg.maxSeconds) throw new Error('MAX_SECONDS');
      const s = await round(i, mode);
      results[mode].push(s);
      log(`round ${i} ${mode}: ${s.toFixed(2)} s`);
    }
  }
} finally {
  clearInterval(reporter);
  for (const a of agents) await a.stop();
  for (const arn of [...backends.keys()]) await stopBackend(arn);
  json.close();
  await router.close();
  await sched.close();
  await catalog.close();
  fs.rmSync(work, { recursive: true, force: true });
}

const auto = summarize(results.auto);
const manual = summarize(results.manual);
const m = machine();
const date = new Date().toISOString().slice(0, 10);
const cmd =
  cfg.metric === 'cpu'
    ? `METRIC=cpu ROUNDS=${cfg.rounds} STATS_MS=${cfg.statsMs} bench/autoscaling/run`
    : `ROUNDS=${cfg.rounds} REPORT_MS=${cfg.reportMs} bench/autoscaling/run`;
const what =
  cfg.metric === 'cpu'
    ? `CPU 70 %; agents report every ${cfg.statsMs / 1000} s`
    : `ALBRequestCountPerTarget ${cfg.capacityRps * 60 * 0.7} a minute, counted by the router and reported every ${cfg.reportMs / 1000} s`;
const report = `# Auto scaling reaction time (${date})

Commit ${commit(['packages', 'bench/autoscaling'])}; ${machineLine(m)}.
Command: \`${cmd}\` (capacity ${cfg.capacityRps} requests/s a task; load step from 0.5 to 3.5
tasks' worth; ${what}; scaler pass every 5 s; service loop every 2 s).

Step → the 4th task answering through the router, seconds (${cfg.rounds} rounds each,
alternating):

| | n | p50 | p90 | max |
|---|---|---|---|---|
| target tracking (${cfg.metric === 'cpu' ? 'CPU 70 %' : 'requests per target, 70 %'}) | ${auto.n} | ${auto.p50} | ${auto.p90} | ${auto.max} |
| reference: UpdateService at the step | ${manual.n} | ${manual.p50} | ${manual.p90} | ${manual.max} |

Ratio of p50s (auto / reference): ${(auto.p50 / manual.p50).toFixed(2)}. Detection costs
${(auto.p50 - manual.p50).toFixed(2)} s at p50 (the ${cfg.metric === 'cpu' ? 'stats' : 'report'} interval's phase plus the scaler's
pass). Samples: auto ${results.auto.map((x) => x.toFixed(2)).join(', ')}; reference
${results.manual.map((x) => x.toFixed(2)).join(', ')}.

Not covered here: Docker's container start${cfg.metric === 'cpu' ? ' and its one-second stats sampling' : ''} (tasks are local
HTTP servers); test/autoscaling${cfg.metric === 'cpu' ? '' : '-requests'}.test.ts measures the same step with Docker and prints it.
`;
fs.mkdirSync('bench/results', { recursive: true });
const file = `bench/results/autoscaling${cfg.metric === 'cpu' ? '' : '-requests'}-${date}.md`;
fs.writeFileSync(file, report);
process.stdout.write(report);
log(`wrote ${file}`);
process.exit(0);
