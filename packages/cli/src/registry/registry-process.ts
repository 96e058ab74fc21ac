/**
 * One `docker-registry` child process: `serve CONFIG` (or `garbage-collect`), its JSON log
 * lines handed to the caller, a bounded SIGTERM → SIGKILL stop. It never decides when to run
 * or restart: registry-daemon.ts does.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';

/** A registry log line: its level, message and other fields. */
export interface RegistryLogLine {
  readonly level: string;
  readonly msg: string;
  readonly fields: Readonly<Record<string, unknown>>;
}

const DROP = new Set(['level', 'msg', 'time', 'go.version', 'instance.id', 'version']);

/** Parses one line the registry printed (JSON, or plain text). */
export function parseRegistryLine(line: string): RegistryLogLine {
  try {
    const o = JSON.parse(line) as Record<string, unknown>;
    const fields: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(o)) if (!DROP.has(k)) fields[k] = v;
    return { level: String(o['level'] ?? 'info'), msg: String(o['msg'] ?? ''), fields };
  } catch {
    return { level: 'info', msg: line, fields: {} };
  }
}

/** A running child and a way to stop it. */
export interface RegistryChild {
  readonly child: ChildProcess;
  /** Resolves with the exit code (null after a signal). */
  readonly exited: Promise<number | null>;
  stop(timeoutMs?: number): Promise<void>;
}

/** Starts `binary args...`; every output line goes to `onLine`. */
export function spawnRegistry(
  binary: string,
  args: readonly string[],
  onLine: (line: RegistryLogLine) => void,
): RegistryChild {
  const child = spawn(binary, [...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => resolve(code));
    child.once('error', (err) => {
      onLine({ level: 'error', msg: `cannot run ${binary}: ${err.message}`, fields: {} });
      resolve(127);
    });
  });
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream }).on('line', (l) => {
      if (l.trim() !== '') onLine(parseRegistryLine(l));
    });
  }
  return {
    child,
    exited,
    async stop(timeoutMs = 5000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      await Promise.race([exited, once(child, 'exit')]);
      clearTimeout(timer);
    },
  };
}
