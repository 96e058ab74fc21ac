// Starts `berth dev` as a child process for end-to-end tests (every daemon its own process),
// with its own BERTH_HOME and a random port offset, and stops it with SIGINT at teardown.
//
// It must never leave a process running: teardown sends SIGINT, then SIGKILL after a bound.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

/** The `berth` executable. */
export const BERTH = fileURLToPath(new URL('../../packages/cli/bin/berth.js', import.meta.url));

/** What `berth dev` wrote into its dev.json. */
export interface DevInfo {
  readonly endpoint: string;
  readonly region: string;
  readonly cluster: string;
  readonly credentialsFile: string;
  readonly catalog: string;
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
  /** Runs `berth <args>` against this dev; bounded. */
  berth(
    args: readonly string[],
    timeoutMs?: number,
  ): Promise<{ code: number; stdout: string; stderr: string }>;
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

/** Starts `berth dev` with `args` and waits (bounded) until it says it is running. */
export async function startDev(
  t: Teardown,
  args: readonly string[],
  timeoutMs = 90_000,
): Promise<RunningDev> {
  const offset = 10_000 + Math.floor(Math.random() * 12_000);
  const home = await mkdtemp(join(tmpdir(), 'berth-home-'));
  const env = { ...process.env, BERTH_HOME: home };
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
    await rm(home, { recursive: true, force: true });
    // BERTH_E2E_LOG_DIR keeps every daemon's prefixed log of the run, for a failing test.
    const logDir = process.env.BERTH_E2E_LOG_DIR;
    if (logDir) await writeFile(join(logDir, `berth-dev-${offset}.log`), out);
  });
  const deadline = Date.now() + timeoutMs;
  while (!/berth is running|demo failed|failed to start/.test(out) && Date.now() < deadline) {
    if (child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  if (!/berth is running/.test(out)) {
    throw new Error(`berth dev did not start:\n${out.slice(-4000)}`);
  }
  const info = JSON.parse(await readFile(join(home, 'dev.json'), 'utf8')) as DevInfo;
  return {
    child,
    home,
    offset,
    info,
    env,
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
    reread: async () => JSON.parse(await readFile(join(home, 'dev.json'), 'utf8')) as DevInfo,
    berth: async (a, timeout = 60_000) => {
      try {
        const r = await run(process.execPath, [BERTH, ...a], { env, timeout });
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
