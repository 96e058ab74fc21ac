// Consul client benchmark (issue 16): berth's own undici-based client (@berth/consul) against
// the `consul` npm package's public API, on the two calls berth's daemons make most: a
// catalog read (GET /v1/health/service/web, three instances) and the registrator's write
// (PUT /v1/agent/service/register). Both talk to the same stand-in Consul (stub-consul.mjs, a
// child process on 127.0.0.1:0). Rounds alternate reference / berth so machine load hits both
// alike; each round measures sequential latency and throughput with 32 calls in flight.
// Bounded in rounds, calls and time. Writes bench/results/consul-client-<date>.{json,md}.
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { createInterface } from 'node:readline';
import Consul from 'consul';
import { createConsul } from '@berth/consul';
import { commit, machine, machineLine, summarize } from '../lib/report.mjs';

const { values: flags } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    calls: { type: 'string', default: '5000' },
    concurrency: { type: 'string', default: '32' },
    'max-seconds': { type: 'string', default: '240' },
    out: { type: 'string', default: 'bench/results' },
    quick: { type: 'boolean', default: false },
  },
});
const ROUNDS = flags.quick ? 1 : Number(flags.rounds);
const CALLS = flags.quick ? 500 : Number(flags.calls);
const CONCURRENCY = Number(flags.concurrency);
const DEADLINE = Date.now() + Number(flags['max-seconds']) * 1000;

const stub = spawn(process.execPath, [new URL('./stub-consul.mjs', import.meta.url).pathname], {
  stdio: ['pipe', 'pipe', 'inherit'],
});
const port = await new Promise((resolve, reject) => {
  createInterface({ input: stub.stdout }).once('line', (l) => resolve(Number(l)));
  stub.once('exit', () => reject(new Error('stub Consul exited')));
});
const url = `http://127.0.0.1:${port}`;

const registration = (i) => ({
  ID: `bench:web:${i % 50}`,
  Name: 'web',
  Tags: ['urlprefix-/web'],
  Address: '127.0.0.2',
  Port: 32768,
  Meta: { 'berth-owner': 'bench' },
  Checks: [{ CheckID: `service:bench:web:${i % 50}`, TTL: '1h', Status: 'passing' }],
});

/** The two clients, each exposing the two calls. */
const clients = {
  'npm consul (public API)': () => {
    const c = new Consul({ host: '127.0.0.1', port });
    return {
      read: () => c.health.service({ service: 'web' }),
      write: (i) => {
        const r = registration(i);
        return c.agent.service.register({
          id: r.ID,
          name: r.Name,
          tags: r.Tags,
          address: r.Address,
          port: r.Port,
          meta: r.Meta,
          checks: r.Checks.map((x) => ({ id: x.CheckID, ttl: x.TTL, status: x.Status })),
        });
      },
      close: () => c.destroy(),
    };
  },
  '@berth/consul (undici)': () => {
    const c = createConsul({ url });
    return {
      read: () => c.healthService('web'),
      write: (i) => c.agentServiceRegister(registration(i), { replaceExistingChecks: true }),
      close: () => c.close(),
    };
  },
};

async function sequential(fn) {
  const ms = [];
  for (let i = 0; i < CALLS && Date.now() < DEADLINE; i++) {
    const t0 = performance.now();
    await fn(i);
    ms.push(performance.now() - t0);
  }
  return summarize(ms);
}

async function concurrent(fn) {
  let next = 0;
  const t0 = performance.now();
  const worker = async () => {
    while (next < CALLS && Date.now() < DEADLINE) await fn(next++);
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return Math.round((next / (performance.now() - t0)) * 1000);
}

const results = {}; // name -> call -> { p50: [], p99: [], rps: [] }
for (let round = 0; round < ROUNDS && Date.now() < DEADLINE; round++) {
  const order = round % 2 === 0 ? Object.keys(clients) : Object.keys(clients).reverse();
  for (const name of order) {
    const c = clients[name]();
    for (const call of ['read', 'write']) {
      const fn = call === 'read' ? () => c.read() : (i) => c.write(i);
      for (let i = 0; i < 50; i++) await fn(i); // warm the connections and the JIT
      const lat = await sequential(fn);
      const rps = await concurrent(fn);
      const r = ((results[name] ??= {})[call] ??= { p50: [], p99: [], rps: [] });
      r.p50.push(lat.p50);
      r.p99.push(lat.p99);
      r.rps.push(rps);
      console.log(
        `round ${round + 1} ${name} ${call}: p50 ${lat.p50} ms, p99 ${lat.p99} ms, ${rps}/s`,
      );
    }
    c.close();
  }
}
stub.stdin.end();

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const [ref, ours] = Object.keys(clients);
const rows = ['read', 'write'].map((call) => {
  const a = results[ref][call];
  const b = results[ours][call];
  return {
    call,
    ref: { p50: median(a.p50), p99: median(a.p99), rps: median(a.rps) },
    ours: { p50: median(b.p50), p99: median(b.p99), rps: median(b.rps) },
    latencyRatio: Math.round((median(b.p50) / median(a.p50)) * 100) / 100,
    throughputRatio: Math.round((median(b.rps) / median(a.rps)) * 100) / 100,
  };
});
const m = machine();
const report = {
  benchmark: 'consul-client',
  commit: commit(['packages/consul', 'bench/consul-client']),
  date: new Date().toISOString(),
  machine: m,
  settings: { rounds: ROUNDS, calls: CALLS, concurrency: CONCURRENCY },
  rows,
};
mkdirSync(flags.out, { recursive: true });
const stamp = new Date().toISOString().slice(0, 10) + (flags.quick ? '-quick' : '');
const base = join(flags.out, `consul-client-${stamp}`);
writeFileSync(`${base}.json`, `${JSON.stringify(report, null, 2)}\n`);
const md = [
  `# Consul client: @berth/consul (undici) vs the consul npm package's public API`,
  '',
  `Commit ${report.commit}, ${report.date}. Machine: ${machineLine(m)}.`,
  `Command: \`bash bench/consul-client/run${flags.quick ? ' --quick' : ''}\` (${ROUNDS} alternating rounds, ${CALLS} calls per measure, ${CONCURRENCY} in flight for throughput; medians over rounds).`,
  '',
  '| call | reference p50 / p99 ms | berth p50 / p99 ms | reference calls/s | berth calls/s | latency ratio (berth/ref) | throughput ratio (berth/ref) |',
  '|---|---|---|---|---|---|---|',
  ...rows.map(
    (r) =>
      `| ${r.call === 'read' ? 'GET /v1/health/service/web' : 'PUT /v1/agent/service/register'} | ${r.ref.p50} / ${r.ref.p99} | ${r.ours.p50} / ${r.ours.p99} | ${r.ref.rps} | ${r.ours.rps} | ${r.latencyRatio} | ${r.throughputRatio} |`,
  ),
  '',
].join('\n');
writeFileSync(`${base}.md`, md);
console.log(md);
