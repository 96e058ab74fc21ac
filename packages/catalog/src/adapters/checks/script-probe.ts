/**
 * One run of a script check, as Consul's CheckMonitor: the command (`Args`, or a `Script` line
 * run by `/bin/sh -c`) runs with the catalog's user and environment; exit 0 is passing, 1
 * warning, anything else critical; the output is stdout and stderr together, the last 4 KiB
 * kept. A run past its timeout (default 30 s) is killed and reported critical. It never throws
 * or rejects, and never outlives its timeout or its abort signal.
 */
import { spawn } from 'node:child_process';
import { OUTPUT_MAX_BYTES, type ProbeOutcome } from './http-probe.js';

/** Consul's default timeout of a script check. */
export const DEFAULT_SCRIPT_TIMEOUT_MS = 30_000;

function describe(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

/** Runs `args` (or `/bin/sh -c script` when args is empty) once. */
export function probeScript(
  args: readonly string[],
  script: string,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<ProbeOutcome> {
  const argv = args.length > 0 ? [...args] : ['/bin/sh', '-c', script];
  const [cmd, ...rest] = argv as [string, ...string[]];
  return new Promise((resolve) => {
    let out = Buffer.alloc(0);
    let done = false;
    let timedOut = false;
    const finish = (o: ProbeOutcome): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      resolve(o);
    };
    const child = spawn(cmd, rest, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const kill = (): void => {
      // The whole process group: a shell's children must not outlive the check.
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    };
    const onAbort = (): void => {
      kill();
      finish({ status: 'critical', output: 'check cancelled' });
    };
    const timer = setTimeout(() => {
      timedOut = true;
      kill();
    }, timeoutMs);
    signal.addEventListener('abort', onAbort, { once: true });
    const keep = (chunk: Buffer): void => {
      out = Buffer.concat([out, chunk]);
      if (out.length > OUTPUT_MAX_BYTES) out = out.subarray(out.length - OUTPUT_MAX_BYTES);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', (err) => finish({ status: 'critical', output: err.message }));
    child.on('close', (code) => {
      if (timedOut) {
        finish({ status: 'critical', output: `Timed out (${describe(timeoutMs)}) running check` });
        return;
      }
      const status = code === 0 ? 'passing' : code === 1 ? 'warning' : 'critical';
      finish({ status, output: out.toString('utf8') });
    });
  });
}
