// Catalog benchmark: starts the built catalog as a child process on loopback and measures
//   1. N idle blocked watchers (default 5,000): the catalog's RSS and CPU while they wait;
//   2. wake-up latency: from one KV write to every watcher notified (p50/p99/max per round);
//   3. KV write throughput, memory only and with --data-dir (fsync), bounded in count and time.
// It writes bench/results/catalog-<date>T<HH-MM>.{json,md} with the commit and the machine,
// side by side with the previous report when there is one. Run it through run (raises
// `ulimit -n`).
// It must never contact anything but 127.0.0.1, and every phase stops by itself.
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = fileURLToPath(new URL('../..', import.meta.url));
const { values: flags } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    watchers: { type: 'string' },
    'idle-seconds': { type: 'string' },
    rounds: { type: 'string' },
    writes: { type: 'string' },
    'write-seconds': { type: 'string' },
    concurrency: { type: 'string' },
    out: { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});
if (flags.help) {
  console.log(`usage: bash bench/catalog/run [--quick] [--watchers N] [--idle-seconds S]
  [--rounds N] [--writes N] [--write-seconds S] [--concurrency N] [--out DIR]`);
  process.exit(0);
}
const num = (v, quick, full) => (v === undefined ? (flags.quick ? quick : full) : Number(v));
const cfg = {
  watchers: num(flags.watchers, 500, 5000),
  idleSeconds: num(flags['idle-seconds'], 2, 10),
  rounds: num(flags.rounds, 2, 5),
  writes: num(flags.writes, 2000, 20000),
  writeSeconds: num(flags['write-seconds'], 3, 10),
  concurrency: num(flags.concurrency, 16, 16),
  out: flags.out ?? path.join(root, 'bench', 'results'),
};
for (const [k, v] of Object.entries(cfg)) {
  if (k !== 'out' && !(Number.isFinite(v) && v > 0)) throw new Error(`--${k} must be > 0`);
}

const log = (msg) => process.stderr.write(`[bench/catalog] ${msg}\n`);
const CLK_TCK = Number(safeExec('getconf', ['CLK_TCK']) || 100);

function safeExec(cmd, args) {
  try {
    return execFileSync(cmd, args, {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    return '';
  }
}

function percentile(sorted, q) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

const round1 = (x) => Math.round(x * 10) / 10;

/** utime+stime ticks and RSS (KiB) of a process, from /proc. */
function procSample(pid) {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const rssKiB = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
  return { ticks, rssKiB, at: performance.now() };
}

/** Starts catalog-child.mjs; resolves with { child, host, port, pid }. */
async function startCatalog(extraArgs) {
  const child = spawn(
    process.execPath,
    [path.join(root, 'bench/catalog/catalog-child.mjs'), ...extraArgs],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const line = await new Promise((resolve, reject) => {
    let buf = '';
    const timer = setTimeout(() => reject(new Error('catalog did not start within 15 s')), 15_000);
    child.stdout.on('data', (d) => {
      buf += d;
      const nl = buf.indexOf('\n');
      if (nl >= 0) {
        clearTimeout(timer);
        resolve(buf.slice(0, nl));
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`catalog exited with ${code} before listening`));
    });
  });
  const { address } = JSON.parse(line);
  const m = /(\d+\.\d+\.\d+\.\d+):(\d+)/.exec(address);
  if (m === null || !m[1].startsWith('127.'))
    throw new Error(`unexpected catalog address ${address}`);
  return { child, host: m[1], port: Number(m[2]), pid: child.pid };
}

async function stopCatalog(c) {
  if (c.child.exitCode !== null) return;
  const exited = new Promise((r) => c.child.once('exit', r));
  c.child.kill('SIGTERM');
  const timeout = sleep(8000).then(() => 'timeout');
  if ((await Promise.race([exited, timeout])) === 'timeout') {
    c.child.kill('SIGKILL');
    await exited;
  }
}

/** One HTTP request; resolves with { status, index, body }. */
function request(c, agent, method, urlPath, body) {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: c.host, port: c.port, method, path: urlPath, agent },
      (res) => {
        const chunks = [];
        res.on('data', (d) => chunks.push(d));
        res.on('end', () =>
          resolve({
            status: res.statusCode,
            index: BigInt(res.headers['x-consul-index'] ?? '0'),
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

async function put(c, agent, key, value) {
  const r = await request(c, agent, 'PUT', `/v1/kv/${key}`, value);
  if (r.status !== 200 || r.body.trim() !== 'true')
    throw new Error(`PUT ${key}: ${r.status} ${r.body}`);
}

/**
 * Arms `n` blocking GETs on `key` at `index`. Each resolves with the time it came back
 * (performance.now()) and the index it returned.
 */
function armWatchers(c, agent, key, index, n) {
  const pending = [];
  for (let i = 0; i < n; i++) {
    pending.push(
      request(c, agent, 'GET', `/v1/kv/${key}?index=${index}&wait=120s`).then(
        (r) => ({ at: performance.now(), index: r.index, status: r.status }),
        (err) => ({ at: performance.now(), error: String(err?.code ?? err) }),
      ),
    );
  }
  return pending;
}

async function settle(promises, ms) {
  let done = 0;
  for (const p of promises) void p.then(() => done++);
  await sleep(ms);
  return done;
}

/**
 * Waits until the catalog used at most one clock tick in a 500 ms window (bounded by 20 s), so
 * the idle window starts after the watchers' requests were all read; returns the time waited.
 */
async function untilQuiet(pid) {
  const start = performance.now();
  let prev = procSample(pid);
  while (performance.now() - start < 20_000) {
    await sleep(500);
    const now = procSample(pid);
    if (now.ticks - prev.ticks <= 1) break;
    prev = now;
  }
  return Math.round(performance.now() - start);
}

async function watcherPhase(c) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity });
  const key = 'bench/watch';
  await put(c, agent, key, 'v0');
  await sleep(500);
  const before = procSample(c.pid);
  let index = (await request(c, agent, 'GET', `/v1/kv/${key}`)).index;
  log(`arming ${cfg.watchers} watchers at index ${index}`);
  let watchers = armWatchers(c, agent, key, index, cfg.watchers);
  const early = await settle(watchers, Math.max(2000, cfg.watchers / 2));
  const settleMs = await untilQuiet(c.pid);
  const idleStart = procSample(c.pid);
  let rssPeakKiB = idleStart.rssKiB;
  const idleCpuMsPerSecond = [];
  let prev = idleStart;
  for (let s = 0; s < cfg.idleSeconds; s++) {
    await sleep(1000);
    const now = procSample(c.pid);
    rssPeakKiB = Math.max(rssPeakKiB, now.rssKiB);
    idleCpuMsPerSecond.push(Math.round(((now.ticks - prev.ticks) / CLK_TCK) * 1000));
    prev = now;
  }
  const idleEnd = procSample(c.pid);
  const idleCpuPct =
    ((idleEnd.ticks - idleStart.ticks) / CLK_TCK / ((idleEnd.at - idleStart.at) / 1000)) * 100;
  const returnedWhileIdle = await settle(watchers, 0);
  log(
    `idle: RSS ${idleEnd.rssKiB} KiB, CPU ${idleCpuPct.toFixed(2)} %, returned early ${returnedWhileIdle}`,
  );

  const rounds = [];
  for (let r = 1; r <= cfg.rounds; r++) {
    const t0 = performance.now();
    const cpu0 = procSample(c.pid);
    const client0 = process.cpuUsage();
    await put(c, agent, key, `v${r}`);
    const ackMs = performance.now() - t0;
    const deadline = sleep(30_000).then(() => 'timeout');
    const results = await Promise.race([Promise.all(watchers), deadline]);
    if (results === 'timeout')
      throw new Error(`round ${r}: not every watcher was notified in 30 s`);
    const cpu1 = procSample(c.pid);
    const client = process.cpuUsage(client0);
    const notified = results.filter(
      (x) => x.error === undefined && x.status === 200 && x.index > index,
    );
    const lat = notified.map((x) => x.at - t0).sort((a, b) => a - b);
    const errors = results.length - notified.length;
    const newIndex = notified.reduce((m, x) => (x.index > m ? x.index : m), index);
    rounds.push({
      round: r,
      notified: notified.length,
      errors,
      writeAckMs: round1(ackMs),
      p50Ms: round1(percentile(lat, 0.5)),
      p99Ms: round1(percentile(lat, 0.99)),
      maxMs: round1(lat[lat.length - 1] ?? NaN),
      serverCpuMs: Math.round(((cpu1.ticks - cpu0.ticks) / CLK_TCK) * 1000),
      clientCpuMs: Math.round((client.user + client.system) / 1000),
    });
    log(
      `round ${r}: ${notified.length}/${cfg.watchers} notified, p50 ${rounds.at(-1).p50Ms} ms, p99 ${rounds.at(-1).p99Ms} ms`,
    );
    index = newIndex;
    if (r < cfg.rounds) {
      watchers = armWatchers(c, agent, key, index, cfg.watchers);
      await settle(watchers, Math.max(1500, cfg.watchers / 3));
    }
  }
  agent.destroy();
  const all = rounds.flatMap((x) => [x.p50Ms]);
  return {
    watchers: cfg.watchers,
    rssBeforeKiB: before.rssKiB,
    rssIdleKiB: idleEnd.rssKiB,
    rssPeakIdleKiB: rssPeakKiB,
    rssPerWatcherBytes: Math.round(((idleEnd.rssKiB - before.rssKiB) * 1024) / cfg.watchers),
    idleSeconds: round1((idleEnd.at - idleStart.at) / 1000),
    idleCpuPercent: Math.round(idleCpuPct * 100) / 100,
    idleCpuMsPerSecond,
    settleBeforeIdleMs: settleMs,
    returnedBeforeWrite: Math.max(early, returnedWhileIdle),
    rounds,
    wakeP50MedianMs: all.sort((a, b) => a - b)[Math.floor(all.length / 2)],
    wakeP99WorstMs: Math.max(...rounds.map((x) => x.p99Ms)),
  };
}

async function writePhase(c, label) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: cfg.concurrency });
  const value = 'x'.repeat(64);
  const lat = [];
  let next = 0;
  let errors = 0;
  const start = performance.now();
  const stopAt = start + cfg.writeSeconds * 1000;
  const cpu0 = procSample(c.pid);
  const worker = async () => {
    while (next < cfg.writes && performance.now() < stopAt) {
      const i = next++;
      const t0 = performance.now();
      try {
        await put(c, agent, `bench/w/${i % 1000}/${i}`, value);
        lat.push(performance.now() - t0);
      } catch {
        errors++;
      }
    }
  };
  await Promise.all(Array.from({ length: cfg.concurrency }, worker));
  const seconds = (performance.now() - start) / 1000;
  const cpu1 = procSample(c.pid);
  agent.destroy();
  lat.sort((a, b) => a - b);
  const r = {
    label,
    writes: lat.length,
    errors,
    seconds: round1(seconds),
    writesPerSecond: Math.round(lat.length / seconds),
    p50Ms: round1(percentile(lat, 0.5)),
    p99Ms: round1(percentile(lat, 0.99)),
    serverCpuPercent: Math.round(((cpu1.ticks - cpu0.ticks) / CLK_TCK / seconds) * 100),
    rssKiB: cpu1.rssKiB,
  };
  log(
    `${label}: ${r.writesPerSecond} writes/s (${r.writes} in ${r.seconds} s), p50 ${r.p50Ms} ms, p99 ${r.p99Ms} ms`,
  );
  return r;
}

function machine() {
  const cpus = os.cpus();
  return {
    nproc: Number(safeExec('nproc', [])) || cpus.length,
    cpuModel: cpus[0]?.model ?? 'unknown',
    memoryGiB: round1(os.totalmem() / 2 ** 30),
    kernel: `${os.type()} ${os.release()}`,
    node: process.version,
    loadAverage: os.loadavg().map(round1),
  };
}

function dirSize(dir) {
  let total = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    total += e.isDirectory() ? dirSize(p) : fs.statSync(p).size;
  }
  return total;
}

function previousReport(outDir, exclude) {
  if (!fs.existsSync(outDir)) return undefined;
  const files = fs
    .readdirSync(outDir)
    .filter((f) => /^catalog-.*\.json$/.test(f) && f !== exclude)
    .filter((f) => f.endsWith('-quick.json') === Boolean(flags.quick))
    .sort();
  const last = files.at(-1);
  if (last === undefined) return undefined;
  try {
    return { file: last, data: JSON.parse(fs.readFileSync(path.join(outDir, last), 'utf8')) };
  } catch {
    return undefined;
  }
}

function markdown(report, prev) {
  const p = prev?.data;
  const col = (v) => (v === undefined || Number.isNaN(v) ? '–' : String(v));
  const rows = [
    ['blocked watchers', report.watch.watchers, p?.watch?.watchers],
    [
      'catalog RSS before watchers (MiB)',
      round1(report.watch.rssBeforeKiB / 1024),
      p && round1(p.watch.rssBeforeKiB / 1024),
    ],
    [
      'catalog RSS with watchers idle (MiB)',
      round1(report.watch.rssIdleKiB / 1024),
      p && round1(p.watch.rssIdleKiB / 1024),
    ],
    ['RSS per watcher (bytes)', report.watch.rssPerWatcherBytes, p?.watch?.rssPerWatcherBytes],
    [
      `catalog CPU while idle (% of one core, ${report.watch.idleSeconds} s)`,
      report.watch.idleCpuPercent,
      p?.watch?.idleCpuPercent,
    ],
    [
      'watchers returned before the write',
      report.watch.returnedBeforeWrite,
      p?.watch?.returnedBeforeWrite,
    ],
    [
      'wake-up p50, median over rounds (ms)',
      report.watch.wakeP50MedianMs,
      p?.watch?.wakeP50MedianMs,
    ],
    ['wake-up p99, worst round (ms)', report.watch.wakeP99WorstMs, p?.watch?.wakeP99WorstMs],
    ...report.writes.flatMap((w, i) => [
      [`KV writes/s, ${w.label}`, w.writesPerSecond, p?.writes?.[i]?.writesPerSecond],
      [
        `KV write p50 / p99 (ms), ${w.label}`,
        `${w.p50Ms} / ${w.p99Ms}`,
        p?.writes?.[i] && `${p.writes[i].p50Ms} / ${p.writes[i].p99Ms}`,
      ],
    ]),
  ];
  const lines = [
    `# Catalog benchmark, ${report.date}`,
    '',
    `- commit: \`${report.commit}\`${report.dirty ? ' (working tree has uncommitted changes)' : ''}`,
    `- machine: ${report.machine.nproc} CPUs (${report.machine.cpuModel}), ${report.machine.memoryGiB} GiB, ${report.machine.kernel}, Node ${report.machine.node}, load average at start ${report.machine.loadAverage.join(' ')}`,
    `- command: \`${report.command}\``,
    `- settings: ${JSON.stringify(report.config)}`,
    '',
    `| metric | this run | ${prev ? `previous (${prev.file})` : 'previous'} |`,
    '|---|---|---|',
    ...rows.map(([name, now, before]) => `| ${name} | ${col(now)} | ${col(before)} |`),
    '',
    `Catalog CPU per idle second (ms): ${report.watch.idleCpuMsPerSecond.join(', ')} (idle window started once the catalog was quiet, ${report.watch.settleBeforeIdleMs} ms after the watchers were armed).`,
    '',
    '## Wake-up rounds',
    '',
    '| round | notified | errors | write ack (ms) | p50 (ms) | p99 (ms) | max (ms) | catalog CPU (ms) | client CPU (ms) |',
    '|---|---|---|---|---|---|---|---|---|',
    ...report.watch.rounds.map(
      (r) =>
        `| ${r.round} | ${r.notified} | ${r.errors} | ${r.writeAckMs} | ${r.p50Ms} | ${r.p99Ms} | ${r.maxMs} | ${r.serverCpuMs} | ${r.clientCpuMs} |`,
    ),
    '',
    '## KV writes',
    '',
    '| mode | writes | errors | seconds | writes/s | p50 (ms) | p99 (ms) | catalog CPU (%) | RSS (MiB) |',
    '|---|---|---|---|---|---|---|---|---|',
    ...report.writes.map(
      (w) =>
        `| ${w.label} | ${w.writes} | ${w.errors} | ${w.seconds} | ${w.writesPerSecond} | ${w.p50Ms} | ${w.p99Ms} | ${w.serverCpuPercent} | ${round1(w.rssKiB / 1024)} |`,
    ),
    '',
    'How it is measured: the catalog runs as its own process (bench/catalog/catalog-child.mjs on',
    'the built dist); one client process holds every watcher as a blocking',
    '`GET /v1/kv/bench/watch?index=N&wait=120s` on a keep-alive socket. Wake-up latency runs',
    'from just before the PUT is sent to the moment each watcher has read its whole response',
    "in the client, so it includes the client's own event-loop time for N responses. CPU and",
    'RSS come from /proc/<catalog pid>. Writes use `--concurrency` keep-alive connections, 64-byte',
    'values on distinct keys; with a data dir every write is acknowledged after its fsync.',
    '',
  ];
  return lines.join('\n');
}

async function main() {
  const started = new Date();
  const report = {
    date: started.toISOString(),
    commit: safeExec('git', ['rev-parse', 'HEAD']) || 'none (no commit yet)',
    dirty: safeExec('git', ['status', '--porcelain']) !== '',
    machine: machine(),
    command: `bash bench/catalog/run ${process.argv.slice(2).join(' ')}`.trim(),
    config: { ...cfg, out: undefined },
  };

  log('starting the catalog (memory only)');
  const mem = await startCatalog([]);
  try {
    report.watch = await watcherPhase(mem);
    report.writes = [await writePhase(mem, 'memory only')];
  } finally {
    await stopCatalog(mem);
  }

  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-bench-catalog-'));
  log(`starting the catalog with --data-dir ${dataDir}`);
  const disk = await startCatalog(['--data-dir', dataDir]);
  try {
    const w = await writePhase(disk, 'with --data-dir (fsync)');
    w.dataDirBytes = dirSize(dataDir);
    report.writes.push(w);
  } finally {
    await stopCatalog(disk);
    fs.rmSync(dataDir, { recursive: true, force: true });
  }

  fs.mkdirSync(cfg.out, { recursive: true });
  // Date and time, so a second run on the same day never overwrites the first.
  const stamp = started.toISOString().slice(0, 16).replace(':', '-');
  const base = `catalog-${stamp}${flags.quick ? '-quick' : ''}`;
  const prev = previousReport(cfg.out, `${base}.json`);
  fs.writeFileSync(path.join(cfg.out, `${base}.json`), JSON.stringify(report, null, 2) + '\n');
  fs.writeFileSync(path.join(cfg.out, `${base}.md`), markdown(report, prev));
  log(`wrote ${path.join(cfg.out, base)}.{json,md}`);
  process.stdout.write(markdown(report, prev));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
