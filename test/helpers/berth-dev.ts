// Starts `berth dev` as a child process for end-to-end tests (every daemon its own process),
// with its own BERTH_HOME and a random port offset, and stops it with SIGINT at teardown.
//
// It must never leave a process running: teardown sends SIGINT, then SIGKILL after a bound.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { eventually } from '@berth/daemon/testing';

/** The `berth` executable. */
export const BERTH = fileURLToPath(new URL('../../packages/cli/bin/berth.js', import.meta.url));

/** What `berth dev` wrote into its dev.json. */
export interface DevInfo {
  readonly endpoint: string;
  readonly region: string;
  readonly cluster: string;
  readonly credentialsFile: string;
  readonly catalog: string;
  /** The file holding the catalog's ACL management secret (mode 0600). */
  readonly catalogTokenFile?: string;
  /** `berth dev`'s control endpoint (absent with `--no-control` or an older berth dev). */
  readonly control?: string;
  readonly hosts: readonly {
    name: string;
    instanceId: string;
    ip: string;
    agent: string;
    router: string;
    dns: string;
  }[];
}

/** One daemon as `berth dev`'s control endpoint lists it (`GET /daemons`). */
export interface DaemonState {
  readonly label: string;
  readonly pid: number | undefined;
  readonly running: boolean;
  /** It answered its readiness URL since it last started. */
  readonly ready: boolean;
  readonly restarts: number;
}

/** Whether a process by this pid exists. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Pids of processes whose command line contains `text` (Linux /proc; [] elsewhere). */
export async function processesMatching(text: string): Promise<number[]> {
  const pids = await readdir('/proc').catch(() => [] as string[]);
  const found: number[] = [];
  for (const pid of pids) {
    if (!/^\d+$/.test(pid) || Number(pid) === process.pid) continue;
    const cmd = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    if (cmd.split('\0').join(' ').includes(text)) found.push(Number(pid));
  }
  return found;
}

/** A running `berth dev`. */
export interface RunningDev {
  readonly child: ChildProcess;
  readonly home: string;
  readonly offset: number;
  readonly info: DevInfo;
  /** Everything it printed so far. */
  output(): string;
  /** Env for `berth <verb>` children pointed at this dev. */
  readonly env: NodeJS.ProcessEnv;
  /** The catalog's management token (ACLs are on, default deny): `X-Consul-Token` of tests. */
  readonly catalogToken: string;
  /** Headers for a request to the catalog with that token. */
  readonly catalogHeaders: Readonly<Record<string, string>>;
  /**
   * The catalog's refused requests (403) since it started, by `METHOD route`, leaving out the
   * ACL API (berth dev looks tokens up there): empty while every daemon's token suffices.
   */
  refusedCalls(): Promise<Map<string, number>>;
  /** Runs `berth <args>` against this dev (extra env on top); bounded. */
  berth(
    args: readonly string[],
    timeoutMs?: number,
    extraEnv?: Readonly<Record<string, string>>,
  ): Promise<{ code: number; stdout: string; stderr: string }>;
  /** The supervised daemons with their pids (`GET /daemons` of the control endpoint). */
  daemons(): Promise<DaemonState[]>;
  /**
   * Calls `berth dev`'s control endpoint, e.g. `control('POST', '/daemons/agent@h2/stop')` or
   * `control('POST', '/hosts')`; bounded (60 s: adding a host starts four daemons).
   */
  control(method: string, path: string): Promise<{ status: number; body: unknown }>;
  /** Re-reads dev.json (hosts added through the control endpoint). */
  reread(): Promise<DevInfo>;
  /** SIGINT and wait (bounded); returns the exit code. */
  stop(): Promise<number | null>;
}

const run = promisify(execFile);

/** The part of a tap Test this helper uses. */
export interface Teardown {
  teardown(fn: () => unknown): void;
}

/** Where to start: a given home and port offset (a restart of the same dev), else new ones. */
export interface StartDevOptions {
  readonly home?: string;
  readonly offset?: number;
  readonly timeoutMs?: number;
  /** Added to `berth dev`'s environment. */
  readonly env?: Readonly<Record<string, string>>;
}

/** Starts `berth dev` with `args` and waits (bounded) until it says it is running. */
export async function startDev(
  t: Teardown,
  args: readonly string[],
  options: StartDevOptions = {},
): Promise<RunningDev> {
  const timeoutMs = options.timeoutMs ?? 90_000;
  const offset = options.offset ?? 10_000 + Math.floor(Math.random() * 12_000);
  const ownHome = options.home === undefined;
  const home = options.home ?? (await mkdtemp(join(tmpdir(), 'berth-home-')));
  const env = { ...process.env, ...options.env, BERTH_HOME: home };
  const child = spawn(process.execPath, [BERTH, 'dev', '--port-offset', String(offset), ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env,
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = once(child, 'exit');
  const stop = async (): Promise<number | null> => {
    if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
    child.kill('SIGINT');
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    await exited;
    clearTimeout(timer);
    return child.exitCode;
  };
  t.teardown(async () => {
    await stop();
    if (ownHome) await rm(home, { recursive: true, force: true });
    // BERTH_E2E_LOG_DIR keeps every daemon's prefixed log of the run, for a failing test.
    const logDir = process.env.BERTH_E2E_LOG_DIR;
    if (logDir) await writeFile(join(logDir, `berth-dev-${offset}.log`), out);
  });
  await eventually(
    'berth dev says whether it runs',
    () => /berth is running|demo failed|failed to start/.test(out) || child.exitCode !== null,
    { timeoutMs, intervalMs: 200 },
  ).catch(() => undefined);
  if (!/berth is running/.test(out)) {
    throw new Error(`berth dev did not start:\n${out.slice(-4000)}`);
  }
  const info = JSON.parse(await readFile(join(home, 'dev.json'), 'utf8')) as DevInfo;
  const catalogToken = info.catalogTokenFile
    ? (await readFile(info.catalogTokenFile, 'utf8')).trim()
    : '';
  return {
    child,
    home,
    offset,
    info,
    env,
    catalogToken,
    catalogHeaders: catalogToken ? { 'X-Consul-Token': catalogToken } : {},
    output: () => out,
    stop,
    control: async (method, path) => {
      if (!info.control) throw new Error('this berth dev has no control endpoint');
      const res = await fetch(`${info.control}${path}`, {
        method,
        signal: AbortSignal.timeout(60_000),
      });
      const text = await res.text();
      return { status: res.status, body: text ? (JSON.parse(text) as unknown) : undefined };
    },
    refusedCalls: async () => {
      const res = await fetch(`${info.catalog}/metrics`, { signal: AbortSignal.timeout(10_000) });
      const out = new Map<string, number>();
      for (const m of (await res.text()).matchAll(
        /^berth_catalog_http_requests_total\{route="([^"]*)",method="([^"]*)",code="403"[^}]*\} (\d+)/gm,
      )) {
        if (!m[1]!.startsWith('/v1/acl/')) out.set(`${m[2]} ${m[1]}`, Number(m[3]));
      }
      return out;
    },
    reread: async () => JSON.parse(await readFile(join(home, 'dev.json'), 'utf8')) as DevInfo,
    daemons: async () => {
      if (!info.control) throw new Error('this berth dev has no control endpoint');
      const res = await fetch(`${info.control}/daemons`, { signal: AbortSignal.timeout(10_000) });
      return (await res.json()) as DaemonState[];
    },
    berth: async (a, timeout = 60_000, extraEnv = {}) => {
      try {
        const r = await run(process.execPath, [BERTH, ...a], {
          env: { ...env, ...extraEnv },
          timeout,
        });
        return { code: 0, stdout: r.stdout, stderr: r.stderr };
      } catch (err) {
        const e = err as { code?: number; stdout?: string; stderr?: string };
        return {
          code: typeof e.code === 'number' ? e.code : -1,
          stdout: e.stdout ?? '',
          stderr: e.stderr ?? '',
        };
      }
    },
  };
}
