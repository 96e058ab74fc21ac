// End-to-end benchmark (see ./run). For each of TASKS task definitions `bench-<i>` (the test
// image's HTTP server, SERVICE_NAME=bench-<i>, urlprefix-/bench-<i>/): t0 = just before
// RunTask; "routed" = first 200 from the router of host 1 on /bench-<i>/; "dns" = first
// non-empty SRV answer for bench-<i>.service.consul from host 2's berth dns. Baseline: `docker
// run -d -p 127.0.0.1::8080` of the same image to the first 200 on the published port.
// Every wait is bounded (10 s per task, MAX_SECONDS overall); loopback only.
/* global fetch, AbortSignal */
import { execFile, spawn } from 'node:child_process';
import { Resolver } from 'node:dns/promises';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { ECSClient, RegisterTaskDefinitionCommand, RunTaskCommand } from '@aws-sdk/client-ecs';
import { commit, machine, machineLine, summarize } from '../lib/report.mjs';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const exec = promisify(execFile);
const env = process.env;
const QUICK = env.QUICK === '1';
const cfg = {
  tasks: Number(env.TASKS ?? (QUICK ? 10 : 30)),
  dockerRuns: Number(env.DOCKER_RUNS ?? (QUICK ? 10 : 30)),
  perTaskMs: 10_000,
  maxSeconds: Number(env.MAX_SECONDS ?? 240),
};
const deadline = Date.now() + cfg.maxSeconds * 1000;
const log = (m) => process.stderr.write(`[bench/e2e] ${m}\n`);
const root = new URL('../..', import.meta.url).pathname;
const berth = path.join(root, 'packages/cli/bin/berth.js');
const home = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-bench-e2e-'));
const offset = 10_000 + Math.floor(Math.random() * 12_000);
const runLabel = `berth.bench=e2e-${process.pid}`;

let out = '';
const dev = spawn(
  process.execPath,
  [berth, 'dev', '--hosts', '3', '--port-offset', String(offset)],
  {
    env: { ...env, BERTH_HOME: home },
    stdio: ['ignore', 'pipe', 'pipe'],
  },
);
dev.stdout.on('data', (d) => (out += d));
dev.stderr.on('data', (d) => (out += d));
const devExited = new Promise((r) => dev.once('exit', r));
async function cleanup() {
  if (dev.exitCode === null && dev.signalCode === null) {
    dev.kill('SIGINT');
    const timer = setTimeout(() => dev.kill('SIGKILL'), 30_000);
    await devExited;
    clearTimeout(timer);
  }
  const ids = await exec('docker', ['ps', '-aq', '--filter', `label=${runLabel}`]).catch(() => ({
    stdout: '',
  }));
  const list = ids.stdout.trim().split('\n').filter(Boolean);
  if (list.length) await exec('docker', ['rm', '-f', ...list]).catch(() => {});
  fs.rmSync(home, { recursive: true, force: true });
}
process.on('SIGINT', () => void cleanup().then(() => process.exit(130)));

async function get(url) {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
    await res.arrayBuffer();
    return res.status;
  } catch {
    return 0;
  }
}

/** Polls `probe` every 10 ms until it is truthy; ms since `t0`, or NaN after the bound. */
async function firstTime(t0, probe) {
  const end = Math.min(Date.now() + cfg.perTaskMs, deadline);
  while (Date.now() < end) {
    if (await probe()) return performance.now() - t0;
    await sleep(10);
  }
  return NaN;
}

try {
  const end = Date.now() + 90_000;
  while (
    !/berth is running|failed to start/.test(out) &&
    Date.now() < end &&
    dev.exitCode === null
  ) {
    await sleep(200);
  }
  if (!/berth is running/.test(out))
    throw new Error(`berth dev did not start:\n${out.slice(-3000)}`);
  const info = JSON.parse(fs.readFileSync(path.join(home, 'dev.json'), 'utf8'));
  const creds = fs.readFileSync(info.credentialsFile, 'utf8');
  const ecs = new ECSClient({
    endpoint: info.endpoint,
    region: info.region,
    credentials: {
      accessKeyId: /aws_access_key_id = (\S+)/.exec(creds)[1],
      secretAccessKey: /aws_secret_access_key = (\S+)/.exec(creds)[1],
    },
  });
  const router = info.hosts[0].router;
  const [dnsHost, dnsPort] = info.hosts[1].dns.split(':');
  const resolver = new Resolver({ timeout: 500, tries: 1 });
  resolver.setServers([`${dnsHost}:${dnsPort}`]);

  const routed = [];
  const dns = [];
  const api = [];
  let failed = 0;
  log(`berth dev up (offset ${offset}); ${cfg.tasks} tasks, one at a time`);
  for (let i = 1; i <= cfg.tasks && Date.now() < deadline; i++) {
    const name = `bench-${i}`;
    await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: name,
        containerDefinitions: [
          {
            name,
            image: 'berth/busybox:test',
            cpu: 16,
            memory: 32,
            portMappings: [{ containerPort: 8080, hostPort: 0 }],
            environment: [
              { name: 'SERVICE_NAME', value: name },
              { name: 'SERVICE_TAGS', value: `urlprefix-/${name}/` },
            ],
          },
        ],
      }),
    );
    const t0 = performance.now();
    const res = await ecs.send(new RunTaskCommand({ cluster: 'default', taskDefinition: name }));
    api.push(performance.now() - t0);
    if (!res.tasks?.length) {
      failed++;
      log(`${name}: not placed ${JSON.stringify(res.failures)}`);
      continue;
    }
    const [r, d] = await Promise.all([
      firstTime(t0, async () => (await get(`${router}/${name}/`)) === 200),
      firstTime(
        t0,
        async () =>
          (await resolver.resolveSrv(`${name}.service.consul`).catch(() => [])).length > 0,
      ),
    ]);
    if (Number.isNaN(r) || Number.isNaN(d)) failed++;
    else {
      routed.push(r);
      dns.push(d);
    }
  }
  ecs.destroy();

  log(`docker run -d baseline: ${cfg.dockerRuns} runs`);
  const docker = [];
  for (let i = 0; i < cfg.dockerRuns && Date.now() < deadline; i++) {
    const t0 = performance.now();
    const { stdout } = await exec('docker', [
      'run',
      '-d',
      '--label',
      runLabel,
      '-p',
      '127.0.0.1::8080',
      'berth/busybox:test',
    ]);
    const id = stdout.trim();
    const port = (await exec('docker', ['port', id, '8080/tcp'])).stdout
      .trim()
      .split('\n')[0]
      .split(':')
      .pop();
    const ms = await firstTime(t0, async () => (await get(`http://127.0.0.1:${port}/`)) === 200);
    if (!Number.isNaN(ms)) docker.push(ms);
    await exec('docker', ['rm', '-f', id]);
  }

  const s = (v) => summarize(v.map((x) => x / 1000));
  const rows = [
    ['RunTask → answers through the router', s(routed)],
    ['RunTask → resolvable in DNS (SRV)', s(dns)],
    ['RunTask API call itself', s(api)],
    ['`docker run -d` → answering port (baseline)', s(docker)],
  ];
  const date = new Date().toISOString().slice(0, 10);
  const file = path.join(root, 'bench/results', `e2e-${date}${QUICK ? '-quick' : ''}.md`);
  const m = machine();
  const text = [
    `# berth end-to-end benchmark, ${date}${QUICK ? ' (QUICK)' : ''}`,
    '',
    `Commit: ${commit()}  `,
    `Machine: ${machineLine(m)}  `,
    `Command: \`${QUICK ? 'QUICK=1 ' : ''}bench/e2e/run\` (${cfg.tasks} tasks one at a time on \`berth dev --hosts 3\`, ${cfg.dockerRuns} docker runs)`,
    '',
    '| span | n | p50 s | p90 s | p99 s | max s |',
    '|---|---|---|---|---|---|',
    ...rows.map(([k, v]) => `| ${k} | ${v.n} | ${v.p50} | ${v.p90} | ${v.p99} | ${v.max} |`),
    '',
    `Failed or unbounded tasks: ${failed}. Goal: p50 < 0.6 s, p99 < 1.0 s (seed ECS: p50 1.44 s, p99 2.05 s).`,
    '',
    'Tasks have no registrator HTTP check (SERVICE_CHECK_* unset), so a registration passes as',
    'soon as the registrator sees the container start; the router retries connect failures.',
    'Router and DNS are polled every 10 ms from the first moment, each on a different host.',
    '',
  ].join('\n');
  fs.writeFileSync(file, text);
  process.stdout.write(text);
  log(`wrote ${path.relative(root, file)}`);
} catch (err) {
  log(`failed: ${err.message}`);
  process.exitCode = 1;
} finally {
  await cleanup();
}
