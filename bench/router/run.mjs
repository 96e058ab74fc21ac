// bench/router: requests/s and CPU per request of berth router vs nginx (1 worker, upstream
// keepalive 256) vs direct, to the same nginx backend on 127.0.0.1; alternating runs; proxy-bound
// (proxy pinned to CPU 0, wrk + backend to CPU 1) and plain (unpinned); p99 latency added over
// direct at half load; table update p99 against a real berth catalog. Writes
// bench/results/router-<date>.md. Every run is bounded by --duration; all processes it starts
// are stopped by pid at the end.
//
//   node bench/router/run.mjs [--duration 10] [--rounds 3] [--connections 50] [--updates 50] [--quick]
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync, readdirSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { commit, machineLine } from '../lib/report.mjs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import net from 'node:net';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const args = process.argv.slice(2);
const flag = (name, def) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : def;
};
const quick = args.includes('--quick');
const duration = Number(flag('duration', quick ? 3 : 10));
const rounds = Number(flag('rounds', quick ? 1 : 3));
const connections = Number(flag('connections', 50));
const updates = Number(flag('updates', quick ? 10 : 50));
const modes = (flag('modes', 'proxy-bound,plain') ?? '').split(',');
const tick = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim());
const children = [];

function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const p = s.address().port;
      s.close(() => resolve(p));
    });
  });
}

function start(cmd, argv, cpu) {
  const full = cpu === undefined ? [cmd, argv] : ['taskset', ['-c', String(cpu), cmd, ...argv]];
  const child = spawn(full[0], full[1], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  return child;
}

function stop(child) {
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
}

async function waitPort(port) {
  for (let i = 0; i < 200; i++) {
    const ok = await new Promise((resolve) => {
      const s = net.connect(port, '127.0.0.1', () => {
        s.destroy();
        resolve(true);
      });
      s.on('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`port ${port} never opened`);
}

function cpuTicks(pid) {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const parts = f.slice(f.lastIndexOf(')') + 2).split(' ');
  return Number(parts[11]) + Number(parts[12]); // utime + stime
}

function childPids(ppid) {
  const out = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const f = readFileSync(`/proc/${d}/stat`, 'utf8');
      const parts = f.slice(f.lastIndexOf(')') + 2).split(' ');
      if (Number(parts[1]) === ppid) out.push(Number(d));
    } catch {
      // gone
    }
  }
  return out;
}

function nginxConf(dir, name, body) {
  const file = join(dir, `${name}.conf`);
  writeFileSync(
    file,
    `worker_processes 1;
daemon off;
master_process on;
pid ${dir}/${name}.pid;
error_log ${dir}/${name}-error.log warn;
events { worker_connections 8192; }
http {
  access_log off;
  keepalive_requests 10000000;
  client_body_temp_path ${dir}/body-${name};
  proxy_temp_path ${dir}/proxy-${name};
  fastcgi_temp_path ${dir}/fcgi-${name};
  uwsgi_temp_path ${dir}/uwsgi-${name};
  scgi_temp_path ${dir}/scgi-${name};
${body}
}
`,
  );
  return file;
}

function parseWrk(out) {
  const num = (re) => {
    const m = re.exec(out);
    return m ? Number(m[1]) : NaN;
  };
  const ms = (re) => {
    const m = re.exec(out);
    if (!m) return NaN;
    const v = Number(m[1]);
    return m[2] === 'us' ? v / 1000 : m[2] === 's' ? v * 1000 : v;
  };
  return {
    requests: num(/(\d+) requests in/),
    rps: num(/Requests\/sec:\s+([\d.]+)/),
    p50: ms(/^\s+50%\s+([\d.]+)(us|ms|s)/m),
    p99: ms(/^\s+99%\s+([\d.]+)(us|ms|s)/m),
    errors: /Non-2xx|Socket errors/.test(out)
      ? out
          .split('\n')
          .filter((l) => /Non-2xx|Socket errors/.test(l))
          .join('; ')
      : '',
  };
}

function wrk(url, { cpu, secs, conns, script }) {
  const argv = ['-t1', `-c${conns}`, `-d${secs}s`, '--latency'];
  if (script) argv.push('-s', script);
  argv.push(url);
  const full = cpu === undefined ? ['wrk', argv] : ['taskset', ['-c', String(cpu), 'wrk', ...argv]];
  return parseWrk(execFileSync(full[0], full[1], { timeout: (secs + 30) * 1000 }).toString());
}

async function setup(mode, dir) {
  const pinned = mode === 'proxy-bound';
  const pc = pinned ? 0 : undefined; // proxies
  const lc = pinned ? 1 : undefined; // load generator and backend
  const backendPort = await freePort();
  const nginxPort = await freePort();
  const be = nginxConf(
    dir,
    `backend-${mode}`,
    `  server { listen 127.0.0.1:${backendPort}; location / { return 200 "hello world\\n"; } }`,
  );
  const px = nginxConf(
    dir,
    `proxy-${mode}`,
    `  upstream be { server 127.0.0.1:${backendPort}; keepalive 256; keepalive_requests 10000000; }
  server { listen 127.0.0.1:${nginxPort};
    location / { proxy_pass http://be; proxy_http_version 1.1; proxy_set_header Connection ""; } }`,
  );
  const backend = start('nginx', ['-p', dir, '-e', join(dir, 'e.log'), '-c', be], lc);
  const nginx = start('nginx', ['-p', dir, '-e', join(dir, 'e.log'), '-c', px], pc);
  await waitPort(backendPort);
  await waitPort(nginxPort);
  const berth = start('node', [join(here, 'router-child.mjs'), String(backendPort)], pc);
  const berthPort = await new Promise((resolve, reject) => {
    berth.stdout.once('data', (d) => resolve(Number(d.toString().trim())));
    berth.once('exit', (c) => reject(new Error(`router exited ${c}`)));
  });
  await new Promise((r) => setTimeout(r, 200));
  const nginxWorker = childPids(nginx.pid)[0];
  const targets = {
    nginx: { url: `http://127.0.0.1:${nginxPort}/`, pid: nginxWorker },
    berth: { url: `http://127.0.0.1:${berthPort}/`, pid: berth.pid },
    direct: { url: `http://127.0.0.1:${backendPort}/`, pid: undefined },
  };
  return { targets, lc, procs: [berth, nginx, backend] };
}

function measure(target, opts) {
  const t0 = target.pid ? cpuTicks(target.pid) : 0;
  const r = wrk(target.url, opts);
  const used = target.pid ? (cpuTicks(target.pid) - t0) / tick : NaN;
  return { ...r, cpuUsPerReq: target.pid ? (used * 1e6) / r.requests : NaN };
}

const median = (xs) => {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  return s.length ? s[Math.floor(s.length / 2)] : NaN;
};

const results = {};
const dir = mkdtempSync(join(tmpdir(), 'berth-bench-router-'));
try {
  for (const mode of modes) {
    const { targets, lc, procs } = await setup(mode, dir);
    const runs = { nginx: [], berth: [], direct: [] };
    for (const name of Object.keys(targets))
      wrk(targets[name].url, { cpu: lc, secs: 1, conns: connections });
    const order = ['nginx', 'berth', 'direct'];
    for (let r = 0; r < rounds; r++) {
      for (const name of r % 2 === 0 ? order : [...order].reverse()) {
        const m = measure(targets[name], { cpu: lc, secs: duration, conns: connections });
        runs[name].push(m);
        console.log(
          `${mode} round ${r + 1} ${name}: ${m.rps.toFixed(0)} req/s, ${m.cpuUsPerReq.toFixed(1)} µs CPU/req, p99 ${m.p99} ms ${m.errors}`,
        );
      }
    }
    // half load: the rate berth sustains at half its measured maximum, same rate for all
    const half = median(runs.berth.map((x) => x.rps)) / 2;
    const conns = 16;
    const delayMs = (conns / half) * 1000;
    const script = join(dir, 'delay.lua');
    writeFileSync(script, `function delay() return ${delayMs.toFixed(3)} end\n`);
    const halfRuns = {};
    for (const name of ['direct', 'berth', 'nginx']) {
      halfRuns[name] = wrk(targets[name].url, { cpu: lc, secs: duration, conns, script });
      console.log(
        `${mode} half load ${name}: ${halfRuns[name].rps.toFixed(0)} req/s p50 ${halfRuns[name].p50} ms p99 ${halfRuns[name].p99} ms`,
      );
    }
    results[mode] = { runs, halfRuns, halfTarget: half };
    for (const p of procs) stop(p);
    await new Promise((r) => setTimeout(r, 300));
  }
  const upd = execFileSync('node', [join(here, 'table-update.mjs'), String(updates)], {
    timeout: 120_000,
  }).toString();
  results.tableUpdate = JSON.parse(upd);
  console.log('table update', upd.trim());
} finally {
  for (const c of children) stop(c);
}

// ---- report
const date = new Date().toISOString().slice(0, 10);
const measured = commit(['packages/router']);
const f = (x, d = 0) => (Number.isFinite(x) ? x.toFixed(d) : 'n/a');
const cmd = `node bench/router/run.mjs ${args.join(' ')}`.trim();
let md = `# bench/router — ${date}${quick ? ' (quick)' : ''}

- commit: ${measured}
- machine: ${machineLine()}
- load: wrk 4.1 (-t1 -c${connections}, ${duration}s per run, ${rounds} alternating rounds), backend nginx 1 worker \`return 200\` (12-byte body)
- load average at the end: ${readFileSync('/proc/loadavg', 'utf8').trim()} (other work shares this machine; CPU µs per request is the steadier figure)
- command: \`${cmd}\`

`;
for (const mode of modes) {
  const r = results[mode];
  const med = (name, k) => median(r.runs[name].map((x) => x[k]));
  const nr = med('nginx', 'rps');
  const br = med('berth', 'rps');
  const nc = med('nginx', 'cpuUsPerReq');
  const bc = med('berth', 'cpuUsPerReq');
  md += `## ${mode === 'proxy-bound' ? 'Proxy-bound (proxy on CPU 0; wrk + backend on CPU 1)' : 'Plain (no pinning)'}

| target | req/s (median) | CPU µs / request | p99 ms (saturated) |
|---|---|---|---|
| nginx proxy | ${f(nr)} | ${f(nc, 1)} | ${f(med('nginx', 'p99'), 2)} |
| berth router | ${f(br)} | ${f(bc, 1)} | ${f(med('berth', 'p99'), 2)} |
| direct | ${f(med('direct', 'rps'))} | — | ${f(med('direct', 'p99'), 2)} |

- berth / nginx requests per second: **${f(br / nr, 2)}×**
- berth / nginx requests per CPU-second (nginx µs ÷ berth µs): **${f(nc / bc, 2)}×** (goal ≥ 0.5×)
- half load (${f(r.halfTarget)} req/s target, 16 connections): p99 direct ${f(r.halfRuns.direct.p99, 3)} ms, berth ${f(r.halfRuns.berth.p99, 3)} ms, nginx ${f(r.halfRuns.nginx.p99, 3)} ms → **added by berth: ${f(r.halfRuns.berth.p99 - r.halfRuns.direct.p99, 3)} ms** (goal < 1 ms); achieved ${f(r.halfRuns.berth.rps)} req/s

`;
}
const u = results.tableUpdate;
md += `## Table update (real berth catalog → watch → table → first request that sees it)

${u.samples} samples (register and deregister): p50 ${f(u.p50, 1)} ms, **p99 ${f(u.p99, 1)} ms** (goal < 100 ms), max ${f(u.max, 1)} ms
`;
mkdirSync(join(root, 'bench', 'results'), { recursive: true });
const out = join(root, 'bench', 'results', `router-${date}${quick ? '-quick' : ''}.md`);
writeFileSync(out, md);
console.log(`wrote ${out}`);
