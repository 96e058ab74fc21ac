/**
 * Checks, before `berth dev` starts anything, that every address it will listen on is free,
 * and names the process that holds a busy one (from /proc on Linux), so a second `berth dev` or
 * an orphaned daemon is refused clearly instead of answering the new one's readiness checks.
 * It binds each port for an instant and closes it; it never signals or changes another process.
 */

import { createSocket } from 'node:dgram';
import { readFile, readdir, readlink } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { ChildSpec } from './supervisor.js';

/** One address a daemon of the plan listens on. */
export interface PlannedPort {
  readonly label: string;
  readonly host: string;
  readonly port: number;
  readonly proto: 'tcp' | 'udp';
}

/** A planned port that is taken, and by whom when that can be found. */
export interface BusyPort extends PlannedPort {
  readonly holder: string | undefined;
}

/** The listen addresses in a plan's children (`--listen`, `--admin`, `--proxy`). */
export function plannedPorts(children: readonly ChildSpec[]): PlannedPort[] {
  const out: PlannedPort[] = [];
  for (const c of children) {
    for (const flag of ['--listen', '--admin', '--proxy']) {
      const i = c.args.indexOf(flag);
      const value = i >= 0 ? c.args[i + 1] : undefined;
      const m = value ? /^(.*):(\d+)$/.exec(value) : null;
      if (!m) continue;
      const host = m[1] || '0.0.0.0';
      const port = Number(m[2]);
      out.push({ label: c.label, host, port, proto: 'tcp' });
      // The DNS server answers on UDP and TCP alike.
      if (c.args[0] === 'dns' && flag === '--listen')
        out.push({ label: c.label, host, port, proto: 'udp' });
    }
  }
  return out;
}

function tcpFree(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

function udpFree(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createSocket('udp4');
    socket.once('error', () => {
      socket.close();
      resolve(false);
    });
    socket.bind({ address: host, port, exclusive: true }, () => socket.close(() => resolve(true)));
  });
}

/** The planned ports already in use, each with its holder when /proc tells it. */
export async function busyPorts(ports: readonly PlannedPort[]): Promise<BusyPort[]> {
  const busy: BusyPort[] = [];
  for (const p of ports) {
    const free = p.proto === 'tcp' ? await tcpFree(p.host, p.port) : await udpFree(p.host, p.port);
    if (!free) busy.push({ ...p, holder: await portHolder(p).catch(() => undefined) });
  }
  return busy;
}

/** `127.0.0.1:8500` as /proc/net/tcp writes it: `0100007F:2134`. */
export function procAddress(host: string, port: number): string {
  const hex = host
    .split('.')
    .map((o) => Number(o).toString(16).padStart(2, '0'))
    .reverse()
    .join('')
    .toUpperCase();
  return `${hex}:${port.toString(16).padStart(4, '0').toUpperCase()}`;
}

/** Socket inodes bound to `p` (or to the wildcard on its port), from /proc/net. */
async function socketInodes(p: PlannedPort): Promise<Set<string>> {
  const text = await readFile(`/proc/net/${p.proto}`, 'utf8');
  const wanted = new Set([procAddress(p.host, p.port), procAddress('0.0.0.0', p.port)]);
  const inodes = new Set<string>();
  for (const line of text.split('\n').slice(1)) {
    const cols = line.trim().split(/\s+/);
    const local = cols[1];
    const state = cols[3];
    const inode = cols[9];
    if (!local || !inode || !wanted.has(local)) continue;
    // TCP: only listeners (0A); UDP sockets are all "listening".
    if (p.proto === 'tcp' && state !== '0A') continue;
    inodes.add(inode);
  }
  return inodes;
}

/** `pid 1234: node berth.js dns --listen ...` for the process holding `p`, if found. */
export async function portHolder(p: PlannedPort): Promise<string | undefined> {
  const inodes = await socketInodes(p);
  if (inodes.size === 0) return undefined;
  for (const pid of await readdir('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    const fds = await readdir(`/proc/${pid}/fd`).catch(() => [] as string[]);
    for (const fd of fds) {
      const link = await readlink(`/proc/${pid}/fd/${fd}`).catch(() => '');
      const m = /^socket:\[(\d+)\]$/.exec(link);
      if (m && inodes.has(m[1]!)) return `pid ${pid}: ${await commandLine(Number(pid))}`;
    }
  }
  return undefined;
}

/** A process's command line from /proc (`?` when unreadable), shortened for messages. */
export async function commandLine(pid: number): Promise<string> {
  const raw = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
  const text = raw.split('\0').filter(Boolean).join(' ');
  return text ? text.slice(0, 160) : '?';
}
