// bench/agent: time from assignment to RUNNING reported (and to an answering HTTP port) for a
// real berth agent on the local Docker engine, next to `docker run -d` of the same image to an
// answering HTTP port, and to Docker's own API (create + start) on the same machine. Tasks run
// one at a time, the three kinds interleaved, each container removed after its measurement
// (untimed). The scheduler is berth's in-memory one in the same process, so only the agent's
// own time is measured. All traffic goes to 127.0.0.1; every container carries
// berth.bench=<run id> and is removed at the end. Writes bench/results/agent-<date>.md.
//
//   node bench/agent/run.mjs [--tasks 50] [--quick]
/* global fetch, AbortSignal */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { performance } from 'node:perf_hooks';
import Docker from 'dockerode';
import { commit, machine, machineLine, summarize } from '../lib/report.mjs';
import { startAgent } from '../../packages/agent/dist/index.js';
import { MemoryScheduler } from '../../packages/agent/dist/testing/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const args = process.argv.slice(2);
const flag = (name, def) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : def;
};
const quick = args.includes('--quick');
const N = Number(flag('tasks', quick ? 10 : 50));
const IMAGE = 'berth/busybox:test';
const RUN = `${process.pid}-${Date.now().toString(36)}`;
const LABEL = 'berth.bench';
const run = promisify(execFile);
const docker = new Docker();

function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const p = s.address().port;
      s.close(() => resolve(p));
    });
  });
}

/** Polls until http://127.0.0.1:port/ answers 200 (bounded: 20 s). */
async function answering(port) {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(500) });
      await res.arrayBuffer();
      if (res.status === 200) return;
    } catch {
      // not yet
    }
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`port ${port} never answered`);
}

async function removeMine() {
  const list = await docker.listContainers({ all: true, filters: { label: [`${LABEL}=${RUN}`] } });
  for (const c of list) {
    if (c.Labels?.[LABEL] !== RUN) continue;
    await docker
      .getContainer(c.Id)
      .remove({ force: true })
      .catch(() => undefined);
  }
}

async function dockerCli() {
  const port = await freePort();
  const t0 = performance.now();
  const { stdout } = await run('docker', [
    'run',
    '-d',
    '--label',
    `${LABEL}=${RUN}`,
    '-p',
    `${port}:8080`,
    IMAGE,
  ]);
  const cliDone = performance.now() - t0;
  await answering(port);
  const http = performance.now() - t0;
  await docker.getContainer(stdout.trim()).remove({ force: true });
  return { cliDone, http };
}

async function dockerApi() {
  const t0 = performance.now();
  const c = await docker.createContainer({
    Image: IMAGE,
    Labels: { [LABEL]: RUN },
    ExposedPorts: { '8080/tcp': {} },
    HostConfig: { PortBindings: { '8080/tcp': [{ HostIp: '', HostPort: '' }] } },
  });
  await c.start();
  const info = await c.inspect();
  const started = performance.now() - t0;
  const port = Number(
    info.NetworkSettings.Ports['8080/tcp']?.find((b) => !b.HostIp.includes(':'))?.HostPort,
  );
  await answering(port);
  const http = performance.now() - t0;
  await c.remove({ force: true });
  return { started, http };
}

async function agentTask(scheduler, agent, i) {
  const t0 = performance.now();
  const arn = scheduler.runTask(agent.instanceArn, {
    family: `bench-${i}`,
    revision: 1,
    containerDefinitions: [
      {
        name: 'web',
        image: IMAGE,
        portMappings: [{ containerPort: 8080, hostPort: 0 }],
        stopTimeout: 1,
        dockerLabels: { [LABEL]: RUN },
      },
    ],
  });
  const task = await scheduler.waitForStatus(arn, 'RUNNING', 30_000);
  const reported = task.reportedAt.RUNNING - performance.timeOrigin - t0;
  const port = task.reports[0].containers[0].networkBindings[0].hostPort;
  await answering(port);
  const http = performance.now() - t0;
  scheduler.stopTask(arn);
  await scheduler.waitForStatus(arn, 'STOPPED', 30_000);
  return { reported, http };
}

async function main() {
  await docker.getImage(IMAGE).inspect();
  const dataDir = mkdtempSync(join(tmpdir(), 'berth-bench-agent-'));
  const scheduler = new MemoryScheduler('bench');
  const agent = await startAgent(
    {
      cluster: 'bench',
      instanceId: `i-bench-${RUN}`,
      advertiseIp: '127.0.0.1',
      dataDir,
      listen: '127.0.0.1:0',
      imagePullBehavior: 'prefer-cached',
      cleanupWait: 0,
      housekeepingIntervalMs: 1000,
      pollWait: 20_000,
    },
    { client: scheduler.client() },
  );
  const results = { cli: [], cliHttp: [], api: [], apiHttp: [], agent: [], agentHttp: [] };
  try {
    // One warm-up of each, not counted.
    await dockerCli();
    await dockerApi();
    await agentTask(scheduler, agent, 0);
    for (let i = 1; i <= N; i++) {
      const order = [0, 1, 2].sort(() => Math.random() - 0.5);
      for (const k of order) {
        if (k === 0) {
          const r = await dockerCli();
          results.cli.push(r.cliDone);
          results.cliHttp.push(r.http);
        } else if (k === 1) {
          const r = await dockerApi();
          results.api.push(r.started);
          results.apiHttp.push(r.http);
        } else {
          const r = await agentTask(scheduler, agent, i);
          results.agent.push(r.reported);
          results.agentHttp.push(r.http);
        }
      }
      if (i % 10 === 0) process.stderr.write(`bench/agent: ${i}/${N}\n`);
    }
  } finally {
    await agent.close();
    await removeMine();
    rmSync(dataDir, { recursive: true, force: true });
  }
  const s = Object.fromEntries(Object.entries(results).map(([k, v]) => [k, summarize(v)]));
  const pct = (a, b) => `${a > b ? '+' : ''}${(((a - b) / b) * 100).toFixed(1)}%`;
  const { Version: dockerVersion, Driver } = await docker
    .info()
    .then((i) => ({ Version: i.ServerVersion, Driver: i.Driver }));
  const m = machine();
  const date = new Date().toISOString().slice(0, 10);
  const row = (name, x) => `| ${name} | ${x.n} | ${x.p50} | ${x.p90} | ${x.p99} | ${x.max} |`;
  const md = [
    `# bench/agent — ${date}`,
    '',
    `- commit: ${commit(['packages/agent', 'bench/agent'])}`,
    `- machine: ${machineLine(m)}`,
    `- Docker: ${dockerVersion} (storage driver ${Driver}), image ${IMAGE}`,
    `- command: \`bench/agent/run${args.length ? ` ${args.join(' ')}` : ''}\` (${N} tasks of each kind, one at a time, kinds interleaved in random order)`,
    '',
    'Times in milliseconds from the start of each operation.',
    '',
    '| measurement | n | p50 | p90 | p99 | max |',
    '|---|---:|---:|---:|---:|---:|',
    row('`docker run -d -p PORT:8080` → CLI returned', s.cli),
    row('`docker run -d -p PORT:8080` → HTTP 200 on the port', s.cliHttp),
    row('Docker API create + start + inspect (dockerode)', s.api),
    row('Docker API create + start → HTTP 200', s.apiHttp),
    row('**agent: assignment → RUNNING reported**', s.agent),
    row('**agent: assignment → HTTP 200 on the reported port**', s.agentHttp),
    '',
    "## Against the goal (agent adds < 20% to Docker's own time)",
    '',
    `- assignment → HTTP 200 vs \`docker run -d\` → HTTP 200: p50 ${pct(s.agentHttp.p50, s.cliHttp.p50)}, p99 ${pct(s.agentHttp.p99, s.cliHttp.p99)}`,
    `- assignment → RUNNING reported vs Docker API create + start: p50 ${pct(s.agent.p50, s.api.p50)}, p99 ${pct(s.agent.p99, s.api.p99)}`,
    `- assignment → HTTP 200 vs Docker API create + start → HTTP 200: p50 ${pct(s.agentHttp.p50, s.apiHttp.p50)}, p99 ${pct(s.agentHttp.p99, s.apiHttp.p99)}`,
    '',
    'The agent path includes the long-poll wake-up, image check (`prefer-cached`), create, start,',
    'inspect for the bound port, and the report (to the in-process memory scheduler: no HTTP hop);',
    'the `docker run` path includes the CLI process start-up.',
    '',
  ].join('\n');
  mkdirSync(join(root, 'bench', 'results'), { recursive: true });
  const file = join(root, 'bench', 'results', `agent-${date}${quick ? '-quick' : ''}.md`);
  writeFileSync(file, md);
  process.stdout.write(`${md}\nwritten: ${file}\n`);
}

main().catch(async (err) => {
  process.stderr.write(`bench/agent failed: ${err?.stack ?? err}\n`);
  await removeMine().catch(() => undefined);
  process.exit(1);
});
