// Process helpers for bench/router: start (optionally pinned with taskset), stop by pid, wait
// for a port, and the CPU time of a process tree read from /proc. Loopback only.
import { spawn } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import net from 'node:net';
import http from 'node:http';
import { execFileSync } from 'node:child_process';

const tick = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim());
const started = [];

/** Starts `cmd argv`, pinned to `cpus` ("0", "0,1") when given. */
export function start(cmd, argv, cpus, stdout = 'pipe') {
  const full = cpus === undefined ? [cmd, argv] : ['taskset', ['-c', cpus, cmd, ...argv]];
  const child = spawn(full[0], full[1], { stdio: ['ignore', stdout, 'inherit'] });
  started.push(child);
  return child;
}

/** Stops one child (SIGTERM) and waits for it, at most `ms`. */
export async function stop(child, ms = 5000) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), ms);
  await gone;
  clearTimeout(timer);
}

/** Stops everything started, in reverse order. */
export async function stopAll() {
  for (const c of started.reverse()) await stop(c);
}

export function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const p = s.address().port;
      s.close(() => resolve(p));
    });
  });
}

export async function waitPort(port, ms = 10_000) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
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

/** The first line a child prints (a port, for the router and undici children). */
export function firstLine(child) {
  return new Promise((resolve, reject) => {
    let buf = '';
    const onData = (d) => {
      buf += d.toString();
      const nl = buf.indexOf('\n');
      if (nl >= 0) {
        child.stdout.off('data', onData);
        resolve(buf.slice(0, nl).trim());
      }
    };
    child.stdout.on('data', onData);
    child.once('exit', (c) => reject(new Error(`child exited ${c}`)));
  });
}

function stat(pid) {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return f.slice(f.lastIndexOf(')') + 2).split(' ');
}

/** `pid` and all its descendants. */
export function tree(pid) {
  const kids = new Map();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const ppid = Number(stat(d)[1]);
      if (!kids.has(ppid)) kids.set(ppid, []);
      kids.get(ppid).push(Number(d));
    } catch {
      // gone
    }
  }
  const out = [];
  const walk = (p) => {
    out.push(p);
    for (const k of kids.get(p) ?? []) walk(k);
  };
  walk(pid);
  return out;
}

/** CPU seconds (user + system) used so far by `pids`. */
export function cpuSeconds(pids) {
  let t = 0;
  for (const p of pids) {
    try {
      const s = stat(p);
      t += Number(s[11]) + Number(s[12]);
    } catch {
      // gone
    }
  }
  return t / tick;
}

/** The status of one HTTP request to 127.0.0.1 (0 when it fails). */
export function httpStatus(url, method = 'GET', body = undefined) {
  return new Promise((resolve) => {
    const req = http.request(url, { method, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', () => resolve(0));
    req.end(body);
  });
}
