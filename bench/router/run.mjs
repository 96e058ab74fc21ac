// bench/router: requests per CPU-second and latency of the berth router against four
// references on the same nginx backend (127.0.0.1, `return 200`, 12-byte body), in one run
// with alternating rounds: nginx (1 worker, upstream keep-alive, the usual proxy_set_header
// set), HAProxy (1 thread, http-reuse always, option forwardfor), a node:http + undici Pool
// proxy, and direct. Proxy-bound mode pins every proxy to CPU 0 and wrk, the backend and the
// catalog to CPU 1. Then the p99 each proxy adds at half of berth's saturated rate, the
// scaling from 1 to 2 workers (berth --workers, nginx worker_processes; unpinned), and the
// table update latency against a real berth catalog. Writes bench/results/router-<date>.md
// with commit, machine and load averages. Every run is bounded by --duration; everything
// started is stopped by pid at the end.
//
//   node bench/router/run.mjs [--duration 10] [--rounds 3] [--connections 50] [--updates 50]
//                             [--quick] [--no-scaling] [--no-updates] [--baseline GIT-REF]
//
// --baseline REF adds, in the proxy-bound rounds, the router of commit REF and this tree's
// router, both embedded in a bare process the same way: the cost of a change in one run.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync, mkdirSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { commit, machineLine } from '../lib/report.mjs';
import {
  start,
  stopAll,
  freePort,
  waitPort,
  firstLine,
  tree,
  cpuSeconds,
  httpStatus,
} from './procs.mjs';
import { nginxBackend, nginxProxy, haproxy } from './configs.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const args = process.argv.slice(2);
const flag = (name, def) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : def;
};
const quick = args.includes('--quick');
const baseline = flag('baseline', undefined);
const duration = Number(flag('duration', quick ? 3 : 10));
const rounds = Number(flag('rounds', quick ? 1 : 3));
const connections = Number(flag('connections', 50));
const updates = Number(flag('updates', quick ? 10 : 50));
const ROUTER = join(root, 'packages/router/dist/daemon/main.js');
const CATALOG = join(root, 'packages/catalog/dist/main.js');
const loads = [];
const loadavg = (when) => {
  const l = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  loads.push(`${when}: ${l}`);
  return l;
};

function parseWrk(out) {
  const num = (re) => Number(re.exec(out)?.[1] ?? NaN);
  const ms = (re) => {
    const m = re.exec(out);
    if (!m) return NaN;
    const v = Number(m[1]);
    return m[2] === 'us' ? v / 1000 : m[2] === 's' ? v * 1000 : v;
  };
  const errors = out
    .split('\n')
    .filter((l) => /Non-2xx|Socket errors/.test(l))
    .join('; ');
  return {
    requests: num(/(\d+) requests in/),
    rps: num(/Requests\/sec:\s+([\d.]+)/),
    p50: ms(/^\s+50%\s+([\d.]+)(us|ms|s)/m),
    p99: ms(/^\s+99%\s+([\d.]+)(us|ms|s)/m),
    errors,
  };
}

function wrk(url, { cpus, secs, conns, threads = 1, script }) {
  const argv = [`-t${threads}`, `-c${conns}`, `-d${secs}s`, '--latency'];
  if (script) argv.push('-s', script);
  argv.push(url);
  const full = cpus === undefined ? ['wrk', argv] : ['taskset', ['-c', cpus, 'wrk', ...argv]];
  return parseWrk(execFileSync(full[0], full[1], { timeout: (secs + 30) * 1000 }).toString());
}

/** One measured run: wrk numbers plus the target's CPU per request. */
function measure(target, opts) {
  const pids = target.pids();
  const c0 = cpuSeconds(pids);
  const r = wrk(target.url, opts);
  const used = pids.length === 0 ? NaN : cpuSeconds(pids) - c0;
  return { ...r, cpuUsPerReq: (used * 1e6) / r.requests };
}

const median = (xs) => {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  return s.length ? s[Math.floor(s.length / 2)] : NaN;
};

async function startCatalogWithBackend(backendPort, cpus) {
  const port = await freePort();
  start('node', [CATALOG, '--listen', `127.0.0.1:${port}`, '--log-level', 'warn'], cpus, 'ignore');
  await waitPort(port);
  const body = JSON.stringify({
    Name: 'bench',
    Address: '127.0.0.1',
    Port: backendPort,
    Tags: ['urlprefix-/'],
  });
  const status = await httpStatus(
    `http://127.0.0.1:${port}/v1/agent/service/register`,
    'PUT',
    body,
  );
  if (status !== 200) throw new Error(`register: ${status}`);
  return `http://127.0.0.1:${port}`;
}

async function startBerth(consul, workers, cpus) {
  const port = await freePort();
  const admin = await freePort();
  const argv = [
    ROUTER,
    '--consul',
    consul,
    '--proxy',
    `127.0.0.1:${port}`,
    '--admin',
    `127.0.0.1:${admin}`,
  ];
  const child = start(
    'node',
    [...argv, '--workers', String(workers), '--kv-path', '', '--log-level', 'warn'],
    cpus,
    'ignore',
  );
  for (let i = 0; i < 400; i++) {
    const ok = (await httpStatus(`http://127.0.0.1:${admin}/health`)) === 200;
    if (ok) return { url: `http://127.0.0.1:${port}/`, pids: () => tree(child.pid) };
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('berth router never became healthy');
}

async function startNginx(dir, backendPort, workers, cpus) {
  const port = await freePort();
  const child = start('nginx', nginxProxy(dir, port, backendPort, workers), cpus, 'ignore');
  await waitPort(port);
  // the workers, not the master (which only supervises)
  return { url: `http://127.0.0.1:${port}/`, pids: () => tree(child.pid).slice(1) };
}

async function startHaproxy(dir, backendPort, threads, cpus) {
  const port = await freePort();
  const child = start('haproxy', haproxy(dir, port, backendPort, threads), cpus, 'ignore');
  await waitPort(port);
  return { url: `http://127.0.0.1:${port}/`, pids: () => tree(child.pid) };
}

async function startUndici(backendPort, cpus) {
  const child = start('node', [join(here, 'undici-proxy.mjs'), String(backendPort)], cpus);
  const port = Number(await firstLine(child));
  return { url: `http://127.0.0.1:${port}/`, pids: () => tree(child.pid) };
}

/** Builds the router of `ref` into a temporary directory; returns its dist/index.js. */
function buildBaseline(ref) {
  const d = mkdtempSync(join(tmpdir(), 'berth-bench-baseline-'));
  execFileSync('bash', [
    '-c',
    `git -C "${root}" archive "${ref}" packages/router tsconfig.base.json | tar -x -C "${d}"`,
  ]);
  symlinkSync(join(root, 'node_modules'), join(d, 'node_modules'));
  const config = join(d, 'packages/router/tsconfig.bench.json');
  writeFileSync(
    config,
    JSON.stringify({
      extends: '../../tsconfig.base.json',
      compilerOptions: { rootDir: 'src', outDir: 'dist', composite: false, incremental: false },
      include: ['src'],
    }),
  );
  execFileSync('npx', ['tsc', '-p', config], { cwd: root, stdio: 'inherit' });
  return join(d, 'packages/router/dist/index.js');
}

async function startEmbedded(entry, backendPort, cpus) {
  const child = start(
    'node',
    [join(here, 'embedded-router.mjs'), entry, String(backendPort)],
    cpus,
  );
  const port = Number(await firstLine(child));
  return { url: `http://127.0.0.1:${port}/`, pids: () => tree(child.pid) };
}

/** Alternating rounds over `targets`; returns the runs per target. */
function alternate(mode, targets, opts) {
  const runs = Object.fromEntries(Object.keys(targets).map((k) => [k, []]));
  for (const name of Object.keys(targets)) wrk(targets[name].url, { ...opts, secs: 1 }); // warm-up
  const order = Object.keys(targets);
  for (let r = 0; r < rounds; r++) {
    for (const name of r % 2 === 0 ? order : [...order].reverse()) {
      const m = measure(targets[name], opts);
      runs[name].push(m);
      console.log(
        `${mode} round ${r + 1} ${name}: ${m.rps.toFixed(0)} req/s, ${m.cpuUsPerReq.toFixed(1)} µs CPU/req, p99 ${m.p99} ms ${m.errors}`,
      );
    }
  }
  return runs;
}

const results = {};
const dir = mkdtempSync(join(tmpdir(), 'berth-bench-router-'));
loadavg('start');
try {
  // ---- proxy-bound: four references and berth, one CPU for the proxy
  {
    const pc = '0';
    const lc = '1';
    const backendPort = await freePort();
    start('nginx', nginxBackend(dir, backendPort), lc, 'ignore');
    await waitPort(backendPort);
    const consul = await startCatalogWithBackend(backendPort, lc);
    const targets = {
      nginx: await startNginx(dir, backendPort, 1, pc),
      haproxy: await startHaproxy(dir, backendPort, 1, pc),
      berth: await startBerth(consul, 1, pc),
      undici: await startUndici(backendPort, pc),
      direct: { url: `http://127.0.0.1:${backendPort}/`, pids: () => [] },
    };
    if (baseline !== undefined) {
      const here = join(root, 'packages/router/dist/index.js');
      targets['embedded (this tree)'] = await startEmbedded(here, backendPort, pc);
      targets[`embedded (${baseline})`] = await startEmbedded(
        buildBaseline(baseline),
        backendPort,
        pc,
      );
    }
    const opts = { cpus: lc, secs: duration, conns: connections };
    const runs = alternate('proxy-bound', targets, opts);
    const half = median(runs.berth.map((x) => x.rps)) / 2;
    const conns = 16;
    const script = join(dir, 'delay.lua');
    writeFileSync(script, `function delay() return ${((conns / half) * 1000).toFixed(3)} end\n`);
    const halfRuns = {};
    for (const name of ['direct', 'berth', 'nginx', 'haproxy', 'undici']) {
      halfRuns[name] = wrk(targets[name].url, { cpus: lc, secs: duration, conns, script });
      console.log(
        `half load ${name}: ${halfRuns[name].rps.toFixed(0)} req/s p99 ${halfRuns[name].p99} ms`,
      );
    }
    results.bound = { runs, halfRuns, half, load: loadavg('after proxy-bound') };
    await stopAll();
  }
  // ---- scaling: 1 and 2 workers, unpinned (2 cores: the load generator shares them)
  if (!args.includes('--no-scaling')) {
    const backendPort = await freePort();
    start('nginx', nginxBackend(dir, backendPort), undefined, 'ignore');
    await waitPort(backendPort);
    const consul = await startCatalogWithBackend(backendPort, undefined);
    const targets = {
      'nginx 1': await startNginx(dir, backendPort, 1, undefined),
      'nginx 2': await startNginx(dir, backendPort, 2, undefined),
      'berth 1': await startBerth(consul, 1, undefined),
      'berth 2': await startBerth(consul, 2, undefined),
    };
    const runs = alternate('scaling', targets, {
      secs: duration,
      conns: 2 * connections,
      threads: 2,
    });
    results.scaling = { runs, load: loadavg('after scaling') };
    await stopAll();
  }
  if (!args.includes('--no-updates')) {
    const upd = execFileSync('node', [join(here, 'table-update.mjs'), String(updates)], {
      timeout: 120_000,
    }).toString();
    results.tableUpdate = JSON.parse(upd);
    console.log('table update', upd.trim());
  }
} finally {
  await stopAll();
}

// ---- report
const date = new Date().toISOString().slice(0, 10);
const f = (x, d = 0) => (Number.isFinite(x) ? x.toFixed(d) : 'n/a');
const cmd = `node bench/router/run.mjs ${args.join(' ')}`.trim();
let md = `# bench/router — ${date}${quick ? ' (quick)' : ''}

- commit: ${commit(['packages/router', 'bench/router'])}
- machine: ${machineLine()}
- load: wrk 4.1, ${duration}s per run, ${rounds} alternating rounds; backend nginx 1 worker \`return 200\` (12-byte body)
- load averages (other work shares this machine; CPU µs per request is the steadier figure): ${loads.join('; ')}
- command: \`${cmd}\`; ${safe(['haproxy', '-v']).split('\n')[0]}; ${safe(['nginx', '-v'])}

`;
function safe(argv) {
  // nginx -v and haproxy -v write to different streams: take both
  const r = spawnSync(argv[0], argv.slice(1), { encoding: 'utf8' });
  return `${r.stdout ?? ''}${r.stderr ?? ''}`.trim();
}
if (results.bound) {
  const r = results.bound;
  const med = (name, k) => median(r.runs[name].map((x) => x[k]));
  const nginxCpu = med('nginx', 'cpuUsPerReq');
  const nginxRps = med('nginx', 'rps');
  md += `## Proxy-bound (each proxy alone on CPU 0; wrk, backend and catalog on CPU 1; -t1 -c${connections})

| target | req/s (median) | CPU µs / request | requests per CPU-second ÷ nginx | req/s ÷ nginx | p99 ms (saturated) |
|---|---|---|---|---|---|
`;
  for (const name of Object.keys(r.runs)) {
    const cpu = med(name, 'cpuUsPerReq');
    md += `| ${name} | ${f(med(name, 'rps'))} | ${f(cpu, 1)} | ${name === 'direct' ? '—' : f(nginxCpu / cpu, 2) + '×'} | ${f(med(name, 'rps') / nginxRps, 2)}× | ${f(med(name, 'p99'), 2)} |\n`;
  }
  const bc = med('berth', 'cpuUsPerReq');
  const uc = med('undici', 'cpuUsPerReq');
  md += `
- **berth ÷ nginx per CPU-second: ${f(nginxCpu / bc, 2)}×** (goal ≥ 0.6×); HAProxy ÷ nginx: ${f(nginxCpu / med('haproxy', 'cpuUsPerReq'), 2)}×; undici proxy ÷ nginx: ${f(nginxCpu / uc, 2)}×
- **berth ÷ undici proxy per CPU-second: ${f(uc / bc, 2)}×** (goal ≥ 2×)
${
  baseline === undefined
    ? ''
    : `- this tree's router ÷ ${baseline}'s, both embedded, per CPU-second: **${f(
        med(`embedded (${baseline})`, 'cpuUsPerReq') / med('embedded (this tree)', 'cpuUsPerReq'),
        2,
      )}×**\n`
}
### p99 added at half load (${f(r.half)} req/s, half of berth's saturated rate, 16 connections, same rate for all)

| target | achieved req/s | p50 ms | p99 ms | p99 added over direct |
|---|---|---|---|---|
`;
  for (const name of ['direct', 'berth', 'nginx', 'haproxy', 'undici']) {
    const h = r.halfRuns[name];
    const added = name === 'direct' ? '—' : `${f(h.p99 - r.halfRuns.direct.p99, 3)} ms`;
    md += `| ${name} | ${f(h.rps)} | ${f(h.p50, 3)} | ${f(h.p99, 3)} | ${added} |\n`;
  }
  md += '\n';
}
if (results.scaling) {
  const r = results.scaling;
  const med = (name, k) => median(r.runs[name].map((x) => x[k]));
  md += `## Worker scaling (unpinned on 2 cores shared with wrk -t2 -c${2 * connections} and the backend)

| target | req/s (median) | CPU µs / request | 2 workers ÷ 1 worker (req/s) |
|---|---|---|---|
`;
  for (const name of ['nginx 1', 'nginx 2', 'berth 1', 'berth 2']) {
    const base = name.startsWith('nginx') ? 'nginx 1' : 'berth 1';
    const ratio = name.endsWith('2') ? `${f(med(name, 'rps') / med(base, 'rps'), 2)}×` : '—';
    md += `| ${name} | ${f(med(name, 'rps'))} | ${f(med(name, 'cpuUsPerReq'), 1)} | ${ratio} |\n`;
  }
  md += '\n';
}
const u = results.tableUpdate;
if (u) {
  md += `## Table update (real berth catalog → watch → table → first request that sees it)

${u.samples} samples (register and deregister): p50 ${f(u.p50, 1)} ms, **p99 ${f(u.p99, 1)} ms** (goal < 100 ms), max ${f(u.max, 1)} ms
`;
}
mkdirSync(join(root, 'bench', 'results'), { recursive: true });
const out = join(root, 'bench', 'results', `router-${date}${quick ? '-quick' : ''}.md`);
writeFileSync(out, md);
console.log(`wrote ${out}`);
