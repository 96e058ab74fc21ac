// Restarting the local Docker engine the way scripts/ensure-docker started it: the running
// dockerd's exact command line, environment and working directory are read from /proc, it is
// stopped with SIGTERM (bounded wait), and started again detached (setsid) with its output
// appended to the same log. `ensureDockerd` makes sure an engine answers again, even after a
// failure. Only the dockerd found by `pgrep -x dockerd` is touched; nothing else is killed.
import { eventually } from '@berth/daemon/testing';
import { execFile, spawn } from 'node:child_process';
import { openSync, readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import type Docker from 'dockerode';

const run = promisify(execFile);
const LOG = process.env.BERTH_DOCKERD_LOG ?? '/var/log/berth-dockerd.log';

/** How the running dockerd was started. */
export interface DockerdCommand {
  readonly pid: number;
  readonly argv: string[];
  readonly env: Record<string, string>;
  readonly cwd: string;
}

/** The running dockerd's command, or undefined when none runs (or /proc is unreadable). */
export async function dockerdCommand(): Promise<DockerdCommand | undefined> {
  let pid: number;
  try {
    pid = Number((await run('pgrep', ['-x', 'dockerd'])).stdout.trim().split('\n')[0]);
  } catch {
    return undefined;
  }
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  try {
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
    const env: Record<string, string> = {};
    for (const kv of readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0')) {
      const eq = kv.indexOf('=');
      if (eq > 0) env[kv.slice(0, eq)] = kv.slice(eq + 1);
    }
    const cwd = (await run('readlink', [`/proc/${pid}/cwd`])).stdout.trim() || '/';
    return { pid, argv, env, cwd };
  } catch {
    return undefined;
  }
}

async function answers(docker: Docker): Promise<boolean> {
  try {
    await docker.ping();
    return true;
  } catch {
    return false;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Starts dockerd detached with `cmd`'s command line, environment and directory. */
export function startDockerd(cmd: DockerdCommand): void {
  const out = openSync(LOG, 'a');
  const [file, ...args] = cmd.argv as [string, ...string[]];
  const child = spawn('setsid', [file, ...args], {
    cwd: cmd.cwd,
    env: cmd.env,
    detached: true,
    stdio: ['ignore', out, out],
  });
  child.unref();
}

/** Stops the running dockerd and starts it again the same way; resolves once it answers. */
export async function restartDockerd(docker: Docker, cmd: DockerdCommand): Promise<void> {
  process.kill(cmd.pid, 'SIGTERM');
  await eventually(`dockerd ${cmd.pid} to exit`, async () => !alive(cmd.pid), {
    timeoutMs: 60_000,
    intervalMs: 200,
  });
  startDockerd(cmd);
  await eventually('the restarted dockerd to answer', () => answers(docker), {
    timeoutMs: 60_000,
    intervalMs: 200,
  });
}

/** Makes sure an engine answers: starts `cmd` again, else runs scripts/ensure-docker. */
export async function ensureDockerd(
  docker: Docker,
  cmd: DockerdCommand | undefined,
  repo: string,
): Promise<void> {
  if (await answers(docker)) return;
  if (cmd && !(await dockerdCommand())) {
    startDockerd(cmd);
    try {
      await eventually('dockerd to answer', () => answers(docker), {
        timeoutMs: 60_000,
        intervalMs: 200,
      });
      return;
    } catch {
      // fall through to the script
    }
  }
  await run('bash', [`${repo}/scripts/ensure-docker`], { timeout: 120_000 });
}
