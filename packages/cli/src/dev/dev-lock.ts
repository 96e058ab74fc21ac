/**
 * `berth dev`'s pid/lock file, `$BERTH_HOME/dev.pid`: who runs (pid, start time, ports) and
 * its daemons' pids. A second `berth dev` on the same home finds it: if that `berth dev` still
 * lives it is refused, naming it; if it died without cleaning up (SIGKILL, a crash), the
 * daemons it left are stopped and named, and the file is taken over. It only ever signals
 * processes the file names AND whose command line is still a berth daemon (no recycled pid).
 */

import { open, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sleep } from '@berth/daemon';
import { commandLine } from './port-check.js';

/** What the lock file holds. */
export interface DevLockRecord {
  readonly pid: number;
  readonly startedAt: string;
  readonly portOffset: number;
  readonly daemons: readonly { readonly label: string; readonly pid: number }[];
}

/** Another `berth dev` runs with this home. */
export class DevRunningError extends Error {
  readonly code = 'BERTH_DEV_RUNNING';
  constructor(
    readonly holder: DevLockRecord,
    file: string,
  ) {
    super(
      `berth dev already runs with this home (pid ${holder.pid}, started ${holder.startedAt}, ` +
        `port offset ${holder.portOffset}; lock ${file}). Stop it with Ctrl-C in its terminal or ` +
        `kill ${holder.pid}, or use another BERTH_HOME.`,
    );
  }
}

/** A held lock: rewrite it as daemons (re)start, release it when done. */
export interface DevLock {
  readonly file: string;
  /** Daemons a previous, dead `berth dev` left and that were stopped now (`label (pid N)`). */
  readonly cleaned: readonly string[];
  update(daemons: DevLockRecord['daemons']): Promise<void>;
  release(): Promise<void>;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Whether `pid` still runs `berth ...` (`what` in its arguments, e.g. `dev` or `catalog`). */
async function runsBerth(pid: number, what: string): Promise<boolean> {
  if (!alive(pid)) return false;
  const cmd = await commandLine(pid);
  // Unreadable (no /proc): trust the pid only for the liveness question, never to kill.
  if (cmd === '?') return what === 'dev';
  const args = cmd.split(' ');
  return args.some((a) => a.endsWith('berth.js') || a.endsWith('/berth')) && args.includes(what);
}

async function stopStale(daemons: DevLockRecord['daemons']): Promise<string[]> {
  const cleaned: string[] = [];
  const live: { label: string; pid: number }[] = [];
  for (const d of daemons) {
    const daemon = d.label.split('@')[0] ?? d.label;
    if (await runsBerth(d.pid, daemon)) live.push(d);
  }
  const signal = (pid: number, s: NodeJS.Signals): void => {
    try {
      process.kill(-pid, s);
    } catch {
      try {
        process.kill(pid, s);
      } catch {
        // gone
      }
    }
  };
  for (const d of live) signal(d.pid, 'SIGTERM');
  const deadline = Date.now() + 10_000;
  while (live.some((d) => alive(d.pid)) && Date.now() < deadline) await sleep(100);
  for (const d of live) {
    if (alive(d.pid)) signal(d.pid, 'SIGKILL');
    cleaned.push(`${d.label} (pid ${d.pid})`);
  }
  return cleaned;
}

/**
 * Takes `$home/dev.pid` for this process. Throws DevRunningError when a live `berth dev` holds
 * it; stops the daemons of a dead one first (and says which in `cleaned`).
 */
export async function acquireDevLock(home: string, portOffset: number): Promise<DevLock> {
  const file = join(home, 'dev.pid');
  const record = (daemons: DevLockRecord['daemons']): DevLockRecord => ({
    pid: process.pid,
    startedAt,
    portOffset,
    daemons,
  });
  const startedAt = new Date().toISOString();
  let cleaned: string[] = [];
  for (let attempt = 0; ; attempt++) {
    try {
      const handle = await open(file, 'wx', 0o644);
      await handle.writeFile(`${JSON.stringify(record([]))}\n`);
      await handle.close();
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 2) throw err;
    }
    const text = await readFile(file, 'utf8').catch(() => '');
    let held: DevLockRecord | undefined;
    try {
      held = JSON.parse(text) as DevLockRecord;
    } catch {
      held = undefined;
    }
    if (held && held.pid !== process.pid && (await runsBerth(held.pid, 'dev'))) {
      throw new DevRunningError(held, file);
    }
    if (held) cleaned = [...cleaned, ...(await stopStale(held.daemons ?? []))];
    await rm(file, { force: true });
  }
  let released = false;
  let writes: Promise<void> = Promise.resolve();
  return {
    file,
    cleaned,
    // Serialised and atomic: a reader never sees half a file.
    update: (daemons) =>
      (writes = writes
        .then(async () => {
          if (released) return;
          const tmp = `${file}.${process.pid}.tmp`;
          await writeFile(tmp, `${JSON.stringify(record(daemons))}\n`);
          await rename(tmp, file);
        })
        .catch(() => {})),
    release: async () => {
      released = true;
      await writes;
      await rm(file, { force: true });
    },
  };
}
