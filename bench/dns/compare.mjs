// berth dns against dnsmasq on the same records and query mix, in alternating rounds, and
// berth's scaling from 1 to 2 workers. Both servers run for real: berth as the daemon
// (packages/dns/dist/daemon/main.js) following a berth catalog that holds the records,
// dnsmasq from a hosts file and srv-host lines. The mix: 10% of queries over persistent TCP
// connections (a second dnsperf with -m tcp -c 4), the rest over UDP; 5% of names are
// forwarded by both servers to the same local dnsmasq recursor (neither caches them).
//
// Per core: both servers pinned to SERVER_CPUS (one core), every client process (dnsperf,
// recursor, catalog) to CLIENT_CPUS. Each measurement is the highest offered rate (dnsperf
// -Q, 90% UDP + 10% TCP) that completes with 0 lost, found by a bounded search of
// DURATION-second steps. Then both at half of berth's rate for p50/p99 latency. Then the
// scaling part: berth with 1 and 2 workers and dnsmasq, on every core, clients included
// (the machine has no core to spare). Writes bench/results/dns-<date>.md.
//
// Every process started here is stopped at the end (or on Ctrl-C); every step is bounded by
// DURATION and the step count. Needs dnsperf, dnsmasq, taskset, dig and a built tree.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync, chmodSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const { fetch } = globalThis;
import { commit, machineLine, percentile, safeExec } from '../lib/report.mjs';
import { benchRecords } from './records.mjs';

const env = process.env;
const ROUNDS = Number(env.ROUNDS ?? 3);
const DURATION = Number(env.DURATION ?? 5);
const STEPS = Number(env.STEPS ?? 7);
const SCALING_ROUNDS = Number(env.SCALING_ROUNDS ?? 3);
/** The fixed rates at which the CPU per query of both servers is compared. */
const CPU_RATES = (env.CPU_RATES ?? '5000,10000').split(',').map(Number);
const SERVER_CPUS = env.SERVER_CPU ?? '1';
const CLIENT_CPUS = env.CLIENT_CPU ?? '0';
const ALL_CPUS = env.ALL_CPUS ?? '0-1';
const PROFILE = env.PROFILE === '1';
const PORTS = {
  berth: Number(env.BERTH_PORT ?? 18600),
  admin: Number(env.ADMIN_PORT ?? 18601),
  dnsmasq: Number(env.DNSMASQ_PORT ?? 18700),
  recursor: Number(env.RECURSOR_PORT ?? 18800),
  catalog: Number(env.CATALOG_PORT ?? 18500),
};
const root = new URL('../../', import.meta.url).pathname;
const work = mkdtempSync(join(tmpdir(), 'berth-dns-bench-'));
chmodSync(work, 0o755); // dnsmasq drops to nobody and must read its files
const children = new Set();
const log = (...a) => console.log(...a);

const TICKS = Number(safeExec('getconf', ['CLK_TCK'])) || 100;

/**
 * CPU seconds used by process `pid` and every process below it (dnsmasq's TCP children,
 * berth's workers), including children already reaped. Read from /proc.
 */
function treeCpu(pid) {
  const stats = new Map();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const text = readFileSync(`/proc/${d}/stat`, 'utf8');
      const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
      // After the comm: state ppid ... utime(14) stime(15) cutime(16) cstime(17), 1-based.
      stats.set(Number(d), {
        ppid: Number(f[1]),
        own: Number(f[11]) + Number(f[12]),
        reaped: Number(f[13]) + Number(f[14]),
      });
    } catch {
      // gone
    }
  }
  let ticks = 0;
  const walk = (p, top) => {
    const s = stats.get(p);
    if (!s) return;
    ticks += s.own + (top ? s.reaped : 0);
    for (const [child, c] of stats) if (c.ppid === p) walk(child, false);
  };
  walk(pid, true);
  return ticks / TICKS;
}

function start(name, cpus, cmd, args, extraEnv = {}) {
  const child = spawn('taskset', ['-c', cpus, cmd, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...env, ...extraEnv },
  });
  let out = '';
  child.stdout.on('data', (d) => (out = (out + d).slice(-20000)));
  child.stderr.on('data', (d) => (out = (out + d).slice(-20000)));
  const exited = new Promise((r) => child.on('exit', r));
  const handle = {
    name,
    pid: child.pid,
    output: () => out,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const done = await Promise.race([exited.then(() => true), sleep(5000).then(() => false)]);
      if (!done) child.kill('SIGKILL');
      await exited;
      children.delete(handle);
    },
  };
  children.add(handle);
  return handle;
}

async function stopAll() {
  await Promise.all([...children].map((c) => c.stop()));
  rmSync(work, { recursive: true, force: true });
}
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => stopAll().then(() => process.exit(130)));
}

async function until(what, check, ms = 15000) {
  const end = Date.now() + ms;
  for (;;) {
    try {
      if (await check()) return;
    } catch {
      // not yet
    }
    if (Date.now() > end) throw new Error(`bench: timed out waiting for ${what}`);
    await sleep(100);
  }
}

const dig = (port, ...args) =>
  safeExec('dig', ['@127.0.0.1', '-p', String(port), '+short', '+tries=1', '+time=2', ...args])
    .split('\n')
    .filter(Boolean)
    .sort()
    .join(' ');

function sanity(name, port) {
  const want = {
    a: '127.10.0.2 127.10.0.3 127.10.0.4',
    fwd: '127.0.0.9',
  };
  const got = {
    a: dig(port, 'svc1.service.consul'),
    tcp: dig(port, '+tcp', 'svc1.service.consul'),
    fwd: dig(port, 'f1.fwd.test'),
    srv: dig(port, '_svc1._tcp.service.consul', 'SRV'),
  };
  if (
    got.a !== want.a ||
    got.tcp !== want.a ||
    got.fwd !== want.fwd ||
    got.srv.split(' ').length !== 12
  )
    throw new Error(`bench: ${name} answered ${JSON.stringify(got)}`);
}

// --- what runs ---------------------------------------------------------------------------

async function startCatalog() {
  const c = start('catalog', CLIENT_CPUS, process.execPath, [
    join(root, 'packages/catalog/dist/main.js'),
    '--listen',
    `127.0.0.1:${PORTS.catalog}`,
    '--log-level',
    'warn',
  ]);
  const url = `http://127.0.0.1:${PORTS.catalog}`;
  await until('the catalog', async () => (await fetch(`${url}/v1/status/leader`)).ok);
  const recs = benchRecords();
  for (const s of recs.services) {
    for (const i of s.instances) {
      const r = await fetch(`${url}/v1/catalog/register`, {
        method: 'PUT',
        body: JSON.stringify({
          Node: i.node,
          Address: i.address,
          Service: { ID: i.id, Service: s.service, Port: i.port },
        }),
      });
      if (!r.ok) throw new Error(`bench: register ${i.id}: ${r.status}`);
    }
  }
  return { handle: c, url };
}

async function startBerth(catalogUrl, cpus, workers, profile = false) {
  const nodeArgs = profile ? ['--cpu-prof', `--cpu-prof-dir=${join(work, 'prof')}`] : [];
  const b = start(`berth (${workers} worker${workers > 1 ? 's' : ''})`, cpus, process.execPath, [
    ...nodeArgs,
    join(root, 'packages/dns/dist/daemon/main.js'),
    '--consul',
    catalogUrl,
    '--listen',
    `127.0.0.1:${PORTS.berth}`,
    '--admin',
    `127.0.0.1:${PORTS.admin}`,
    '--recursor',
    `127.0.0.1:${PORTS.recursor}`,
    '--no-node-meta-txt',
    '--workers',
    String(workers),
    '--log-level',
    'warn',
  ]);
  await until(
    `${b.name} /health`,
    async () => (await fetch(`http://127.0.0.1:${PORTS.admin}/health`)).ok,
  );
  sanity(b.name, PORTS.berth);
  return b;
}

function startDnsmasq(name, cpus, conf) {
  return start(name, cpus, 'dnsmasq', [
    '--keep-in-foreground',
    `--conf-file=${join(work, conf)}`,
    `--pid-file=${join(work, `${conf}.pid`)}`,
  ]);
}

// --- load --------------------------------------------------------------------------------

function field(out, label) {
  const m = new RegExp(`${label}:\\s+([\\d.]+)`).exec(out);
  return m ? Number(m[1]) : NaN;
}

function runPerf(cpus, args) {
  return new Promise((resolve) => {
    const p = spawn('taskset', ['-c', cpus, 'dnsperf', ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const chunks = [];
    p.stdout.on('data', (d) => chunks.push(d));
    p.stderr.on('data', (d) => chunks.push(d));
    const kill = setTimeout(() => p.kill('SIGKILL'), (DURATION + 30) * 1000);
    p.on('exit', () => {
      clearTimeout(kill);
      resolve(Buffer.concat(chunks).toString());
    });
  });
}

/**
 * One measurement at `rate` qps (90% UDP, 10% TCP), both dnsperfs at once, and the CPU the
 * server (`pid` and its children) spent meanwhile.
 */
async function perf(port, rate, cpus, pid, verbose = false) {
  const cpu0 = treeCpu(pid);
  // -b: a 4 MiB client socket buffer, or the client's own drops count as lost when the busy
  // client core stalls; -q 100: a larger first burst overflows dnsmasq's default 208 KiB one.
  const common = [
    '-s',
    '127.0.0.1',
    '-p',
    String(port),
    '-d',
    join(work, 'queries.txt'),
    '-b',
    '4096',
  ];
  const tail = ['-l', String(DURATION), '-t', '2', ...(verbose ? ['-v'] : [])];
  const [udp, tcp] = await Promise.all([
    runPerf(cpus, [...common, '-q', '100', '-Q', String(Math.round(rate * 0.9)), ...tail]),
    runPerf(cpus, [
      ...common,
      '-m',
      'tcp',
      '-c',
      '4',
      '-q',
      '60',
      '-Q',
      String(Math.round(rate * 0.1)),
      ...tail,
    ]),
  ]);
  const part = (out) => ({
    sent: field(out, 'Queries sent'),
    completed: field(out, 'Queries completed'),
    lost: field(out, 'Queries lost'),
    qps: field(out, 'Queries per second'),
  });
  const u = part(udp);
  const t = part(tcp);
  const latencies = verbose
    ? `${udp}\n${tcp}`
        .split('\n')
        .filter((l) => l.startsWith('> '))
        .map((l) => Number(l.trim().split(/\s+/).at(-1)) * 1000)
        .filter((x) => Number.isFinite(x))
        .sort((a, b) => a - b)
    : [];
  // Let dnsmasq reap the TCP children whose connections just closed.
  await sleep(300);
  const cpu = treeCpu(pid) - cpu0;
  const completed = u.completed + t.completed;
  const lost = u.lost + t.lost;
  const ok = lost === 0 && completed >= 0.99 * rate * DURATION && Number.isFinite(completed);
  return {
    rate,
    ok,
    completed,
    lost,
    qps: u.qps + t.qps,
    tcpShare: t.completed / completed,
    cpuUs: (cpu * 1e6) / completed,
    latencies,
  };
}

/** The highest rate with 0 lost, by a bounded search from `guess`. */
async function maxRate(name, port, cpus, pid, guess) {
  let lo = 0;
  let hi = Infinity;
  let rate = guess;
  let best;
  const load = loadavg()[0];
  for (let step = 0; step < STEPS; step++) {
    const r = await perf(port, rate, cpus, pid);
    log(
      `  ${name} @ ${Math.round(rate)}: ${r.ok ? 'ok' : 'FAIL'} completed ${r.completed} lost ${r.lost} (tcp ${(r.tcpShare * 100).toFixed(1)}%, ${r.cpuUs.toFixed(1)} µs CPU/query)`,
    );
    if (r.ok) {
      lo = rate;
      best = r;
    } else hi = rate;
    if (hi !== Infinity && (hi - lo) / hi < 0.04) break;
    rate = hi === Infinity ? rate * 1.25 : lo === 0 ? rate * 0.6 : (lo + hi) / 2;
  }
  return {
    name,
    rate: lo,
    tcpShare: best?.tcpShare ?? NaN,
    cpuUs: best?.cpuUs ?? NaN,
    load: [load, loadavg()[0]],
  };
}

// --- profile -----------------------------------------------------------------------------

function topFunctions(n = 12) {
  const dir = join(work, 'prof');
  let files;
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
  } catch {
    return [];
  }
  const self = new Map();
  let total = 0;
  for (const f of files) {
    const p = JSON.parse(readFileSync(join(dir, f), 'utf8'));
    const dt = new Map();
    p.samples.forEach((id, i) => dt.set(id, (dt.get(id) ?? 0) + (p.timeDeltas[i] ?? 0)));
    for (const node of p.nodes) {
      const cf = node.callFrame;
      const key = `${cf.functionName || '(anonymous)'} ${cf.url.replace(/^.*\/(packages|node_modules)\//, '$1/').replace(/^node:/, 'node:')}:${cf.lineNumber + 1}`;
      const t = dt.get(node.id) ?? 0;
      self.set(key, (self.get(key) ?? 0) + t);
      total += t;
    }
  }
  const idle = [...self].filter(([k]) => k.startsWith('(idle)')).reduce((a, [, t]) => a + t, 0);
  return [...self]
    .filter(([k]) => !k.startsWith('(idle)'))
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([k, t]) => ({ fn: k, share: t / (total - idle) }));
}

// --- main --------------------------------------------------------------------------------

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const loads = [];

async function main() {
  for (const tool of ['dnsperf', 'dnsmasq', 'taskset', 'dig']) {
    if (!safeExec('which', [tool])) throw new Error(`bench: missing ${tool}`);
  }
  safeExec(process.execPath, [
    join(root, 'bench/dns/gen-config.mjs'),
    work,
    String(PORTS.dnsmasq),
    String(PORTS.recursor),
  ]);
  for (const f of readdirSync(work)) chmodSync(join(work, f), 0o644);
  loads.push(['start', loadavg()]);

  startDnsmasq('recursor', CLIENT_CPUS, 'recursor.conf');
  const catalog = await startCatalog();
  const dnsmasq = startDnsmasq('dnsmasq', SERVER_CPUS, 'dnsmasq.conf');
  await until('dnsmasq', async () => dig(PORTS.dnsmasq, 'svc1.service.consul') !== '');
  sanity('dnsmasq', PORTS.dnsmasq);
  let berth = await startBerth(catalog.url, SERVER_CPUS, 1);

  // Per core, alternating: the order flips every round.
  const perCore = { berth: [], dnsmasq: [] };
  const guess = { berth: Number(env.GUESS ?? 40000), dnsmasq: Number(env.GUESS ?? 40000) };
  for (let round = 1; round <= ROUNDS; round++) {
    const order = round % 2 ? ['berth', 'dnsmasq'] : ['dnsmasq', 'berth'];
    for (const who of order) {
      log(`round ${round}: ${who}`);
      const pid = who === 'berth' ? berth.pid : dnsmasq.pid;
      const r = await maxRate(who, PORTS[who], CLIENT_CPUS, pid, guess[who]);
      perCore[who].push(r);
      if (r.rate > 0) guess[who] = r.rate;
      log(
        `round ${round}: ${who} ${Math.round(r.rate)} qps at 0 lost (load ${r.load.map((x) => x.toFixed(2)).join(' -> ')})`,
      );
    }
  }
  // CPU per query at one fixed rate, alternating: what a core costs each server per query,
  // far less sensitive to the other processes on the machine than the highest rate is.
  const cpu = Object.fromEntries(CPU_RATES.map((rate) => [rate, { berth: [], dnsmasq: [] }]));
  for (let round = 1; round <= ROUNDS; round++) {
    const order = round % 2 ? ['dnsmasq', 'berth'] : ['berth', 'dnsmasq'];
    for (const rate of CPU_RATES) {
      for (const who of order) {
        const pid = who === 'berth' ? berth.pid : dnsmasq.pid;
        const r = await perf(PORTS[who], rate, CLIENT_CPUS, pid);
        cpu[rate][who].push(r);
        log(
          `cpu round ${round}: ${who} ${r.cpuUs.toFixed(2)} µs CPU/query at ${rate} qps (lost ${r.lost})`,
        );
      }
    }
  }
  const bMed = median(perCore.berth.map((r) => r.rate));
  const dMed = median(perCore.dnsmasq.map((r) => r.rate));
  const half = Math.round(bMed / 2);
  const halfLoad = {};
  for (const who of ['berth', 'dnsmasq']) {
    const r = await perf(
      PORTS[who],
      half,
      CLIENT_CPUS,
      who === 'berth' ? berth.pid : dnsmasq.pid,
      true,
    );
    const l = r.latencies;
    halfLoad[who] = {
      completed: r.completed,
      lost: r.lost,
      cpuUs: r.cpuUs,
      p50: percentile(l, 0.5),
      p99: percentile(l, 0.99),
      max: l.at(-1),
    };
  }
  loads.push(['after per-core', loadavg()]);
  await berth.stop();
  // The profiler costs berth CPU: a separate run, never one of the measurements above.
  let profile = [];
  if (PROFILE) {
    const profiled = await startBerth(catalog.url, SERVER_CPUS, 1, true);
    // Three runs, so the process's start-up weighs little in the profile.
    for (let i = 0; i < 3; i++)
      await perf(PORTS.berth, Math.round(bMed * 0.8) || CPU_RATES[0], CLIENT_CPUS, profiled.pid);
    await profiled.stop();
    profile = topFunctions();
  }

  // Scaling: every core for everyone (the clients included).
  await dnsmasq.stop();
  const dnsmasqAll = startDnsmasq('dnsmasq', ALL_CPUS, 'dnsmasq.conf');
  await until('dnsmasq', async () => dig(PORTS.dnsmasq, 'svc1.service.consul') !== '');
  const scaling = { w1: [], w2: [], dnsmasq: [] };
  const sGuess = { w1: bMed || 40000, w2: bMed || 40000, dnsmasq: dMed || 40000 };
  for (let round = 1; round <= SCALING_ROUNDS; round++) {
    const order = round % 2 ? ['w1', 'w2', 'dnsmasq'] : ['dnsmasq', 'w2', 'w1'];
    for (const who of order) {
      log(`scaling round ${round}: ${who}`);
      if (who !== 'dnsmasq') berth = await startBerth(catalog.url, ALL_CPUS, who === 'w2' ? 2 : 1);
      const port = who === 'dnsmasq' ? PORTS.dnsmasq : PORTS.berth;
      const pid = who === 'dnsmasq' ? dnsmasqAll.pid : berth.pid;
      const r = await maxRate(who, port, ALL_CPUS, pid, sGuess[who]);
      if (who !== 'dnsmasq') await berth.stop();
      scaling[who].push(r);
      if (r.rate > 0) sGuess[who] = r.rate;
      log(`scaling round ${round}: ${who} ${Math.round(r.rate)} qps`);
    }
  }
  loads.push(['end', loadavg()]);
  await dnsmasqAll.stop();
  writeReport({ perCore, cpu, bMed, dMed, half, halfLoad, scaling, profile });
}

function writeReport(r) {
  const date = new Date().toISOString().slice(0, 10);
  const file = join(root, `bench/results/dns-${date}.md`);
  const q = (x) => Math.round(x).toLocaleString('en-US');
  const ms = (x) => (Number.isFinite(x) ? x.toFixed(3) : 'n/a');
  const ratio = (a, b) => (b > 0 ? (a / b).toFixed(2) : 'n/a');
  const sMed = (k) => median(r.scaling[k].map((x) => x.rate));
  const lines = [
    `# berth dns vs dnsmasq — ${date}`,
    '',
    `- commit: ${commit(['packages/dns', 'bench/dns'])}`,
    `- machine: ${machineLine()}`,
    `- load average (1/5/15 min): ${loads.map(([w, l]) => `${w} ${l.map((x) => x.toFixed(2)).join(' ')}`).join('; ')}`,
    `- ${safeExec('dnsmasq', ['--version']).split('\n')[0]}; ${safeExec('sh', ['-c', 'dnsperf -h 2>&1 | grep -m1 Version'])}`,
    `- records: 100 services x 3 instances on 10 hosts (berth: from a berth catalog; dnsmasq: addn-hosts + srv-host); query mix per 100: 38 service A, 38 RFC 2782 SRV (target addresses in the additional section), 19 NXDOMAIN, 5 forwarded to a local dnsmasq recursor (neither server caches them); 10% of queries over 4 persistent TCP connections (dnsperf -m tcp -c 4), 90% UDP`,
    `- berth: \`berth dns --recursor … --no-node-meta-txt\` (node metadata TXT off so both answers hold the same records)`,
    `- a rate passes when both dnsperfs complete ≥ 99% of rate × ${DURATION} s with 0 lost (-t 2 s); search of ≤ ${STEPS} steps of ${DURATION} s from the previous best`,
    `- command: \`ROUNDS=${ROUNDS} DURATION=${DURATION} STEPS=${STEPS} SCALING_ROUNDS=${SCALING_ROUNDS} CPU_RATES=${CPU_RATES.join(',')}${env.GUESS ? ` GUESS=${env.GUESS}` : ''}${PROFILE ? ' PROFILE=1' : ''} bench/dns/run\``,
    '',
    `## Per core (servers on CPU ${SERVER_CPUS}, clients on CPU ${CLIENT_CPUS}), alternating rounds`,
    '',
    '| round | server | max qps at 0 lost | TCP share | CPU per query there (µs) | load 1-min before → after |',
    '|---|---|---|---|---|---|',
    ...[
      ...r.perCore.berth.map((x, i) => ({ ...x, i })),
      ...r.perCore.dnsmasq.map((x, i) => ({ ...x, i })),
    ]
      .sort((a, b) => a.i - b.i || a.name.localeCompare(b.name))
      .map(
        (x) =>
          `| ${x.i + 1} | ${x.name} | ${q(x.rate)} | ${(x.tcpShare * 100).toFixed(1)}% | ${x.cpuUs.toFixed(2)} | ${x.load.map((l) => l.toFixed(2)).join(' → ')} |`,
      ),
    '',
    `**berth / dnsmasq (median max qps per core): ${ratio(r.bMed, r.dMed)}** (${q(r.bMed)} vs ${q(r.dMed)}; goal ≥ 1.0)`,
    '',
    'CPU per query at fixed rates (the server and its children, from /proc; alternating rounds):',
    '',
    '| rate offered | server | µs CPU per query, per round | median | queries per CPU-second |',
    '|---|---|---|---|---|',
    ...CPU_RATES.flatMap((rate) =>
      ['berth', 'dnsmasq'].map((w) => {
        const m = median(r.cpu[rate][w].map((x) => x.cpuUs));
        return `| ${q(rate)} | ${w} | ${r.cpu[rate][w].map((x) => x.cpuUs.toFixed(2)).join(', ')} | ${m.toFixed(2)} | ${q(1e6 / m)} |`;
      }),
    ),
    '',
    ...CPU_RATES.map(
      (rate) =>
        `**berth / dnsmasq, queries per CPU-second at ${q(rate)} qps: ${ratio(median(r.cpu[rate].dnsmasq.map((x) => x.cpuUs)), median(r.cpu[rate].berth.map((x) => x.cpuUs)))}**`,
    ),
    '',
    `At half of berth's rate (${q(r.half)} qps offered, ${DURATION} s; latency as dnsperf sees it on the client core):`,
    '',
    '| server | completed | lost | µs CPU per query | p50 (ms) | p99 (ms) | max (ms) |',
    '|---|---|---|---|---|---|---|',
    ...['berth', 'dnsmasq'].map((w) => {
      const h = r.halfLoad[w];
      return `| ${w} | ${h.completed} | ${h.lost} | ${h.cpuUs.toFixed(2)} | ${ms(h.p50)} | ${ms(h.p99)} | ${ms(h.max)} |`;
    }),
    '',
    `## Workers (servers and clients on CPUs ${ALL_CPUS}: the machine has no core to spare)`,
    '',
    '| server | max qps at 0 lost, per round | median |',
    '|---|---|---|',
    ...[
      ['w1', 'berth, 1 worker'],
      ['w2', 'berth, --workers 2'],
      ['dnsmasq', 'dnsmasq'],
    ].map(
      ([k, label]) =>
        `| ${label} | ${r.scaling[k].map((x) => q(x.rate)).join(', ')} | ${q(sMed(k))} |`,
    ),
    '',
    `**Scaling 1 → 2 workers: ${ratio(sMed('w2'), sMed('w1'))}×**; against dnsmasq: 1 worker ${ratio(sMed('w1'), sMed('dnsmasq'))}, 2 workers ${ratio(sMed('w2'), sMed('dnsmasq'))}.`,
  ];
  if (r.profile.length) {
    lines.push(
      '',
      `## Where berth's core goes (node --cpu-prof, a separate process run 3 × ${DURATION} s at 80% of its rate; share of busy time, self)`,
      '',
      '| share | function |',
      '|---|---|',
      ...r.profile.map((p) => `| ${(p.share * 100).toFixed(1)}% | \`${p.fn}\` |`),
    );
  }
  writeFileSync(file, lines.join('\n') + '\n');
  log(`report: ${file}`);
}

main()
  .catch((e) => {
    console.error(e);
    for (const c of children) console.error(`--- ${c.name}\n${c.output().slice(-2000)}`);
    process.exitCode = 1;
  })
  .finally(() => stopAll());
