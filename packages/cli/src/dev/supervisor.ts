/**
 * Runs berth daemons as child processes for `berth dev`: each one is `berth <daemon> ...`,
 * its JSON log lines are printed prefixed by component, and stop() ends them in reverse start
 * order with SIGTERM (SIGKILL after a bound). It never touches Docker or the catalog itself.
 */

import { sleep } from '@berth/daemon';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const BERTH_BIN = fileURLToPath(new URL('../../bin/berth.js', import.meta.url));

export interface ChildSpec {
  /** Label used as the log prefix, e.g. `catalog` or `dns@127.0.0.2`. */
  readonly label: string;
  /** `berth` arguments, e.g. `['catalog', '--listen', '127.0.0.1:8500']`. */
  readonly args: readonly string[];
  /** URL that answers 200 once the daemon is ready. */
  readonly readyUrl: string;
}

const LEVEL_NAMES: Readonly<Record<string, string>> = {
  fatal: 'FATAL',
  error: 'ERROR',
  warn: 'WARN ',
  info: 'info ',
  debug: 'debug',
  trace: 'trace',
};

/** Turns one pino JSON line into `label | hh:mm:ss level msg {extra}`. */
export function formatLogLine(label: string, line: string, width: number): string {
  const prefix = `${label.padEnd(width)} |`;
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return `${prefix} ${line}`;
  }
  const { time, level, msg, pid: _pid, component: _component, hostname: _host, ...rest } = entry;
  const clock = typeof time === 'string' ? time.slice(11, 19) : '';
  const extra = Object.keys(rest).length ? ` ${JSON.stringify(rest)}` : '';
  return `${prefix} ${clock} ${LEVEL_NAMES[String(level)] ?? String(level)} ${String(msg ?? '')}${extra}`;
}

interface Running {
  readonly spec: ChildSpec;
  readonly child: ChildProcess;
  readonly exited: Promise<unknown>;
}

/** Starts and stops a set of berth daemons. */
export class Supervisor {
  readonly #running: Running[] = [];
  readonly #write: (line: string) => void;
  readonly #env: NodeJS.ProcessEnv;
  #width = 8;
  #stopping = false;
  /** Called when a child exits while we are not stopping. */
  onUnexpectedExit: (label: string, code: number | null) => void = () => {};

  constructor(write: (line: string) => void, env: NodeJS.ProcessEnv) {
    this.#write = write;
    this.#env = env;
  }

  /** Starts one daemon and waits (bounded) until its readiness URL answers 200. */
  async start(spec: ChildSpec, timeoutMs = 20_000): Promise<void> {
    this.#width = Math.max(this.#width, spec.label.length);
    const child = spawn(process.execPath, [BERTH_BIN, ...spec.args], {
      env: this.#env,
      stdio: ['ignore', 'pipe', 'pipe'],
      // Own process group: a terminal's Ctrl-C reaches only `berth dev`, which then stops the
      // daemons in order (registrator deregisters before the catalog goes away).
      detached: true,
    });
    const exited = once(child, 'exit');
    for (const stream of [child.stdout, child.stderr]) {
      createInterface({ input: stream }).on('line', (line) =>
        this.#write(formatLogLine(spec.label, line, this.#width)),
      );
    }
    this.#running.push({ spec, child, exited });
    child.once('exit', (code) => {
      if (!this.#stopping) this.onUnexpectedExit(spec.label, code);
    });
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) {
        throw new Error(`${spec.label} exited with code ${child.exitCode} while starting`);
      }
      try {
        const res = await fetch(spec.readyUrl, { signal: AbortSignal.timeout(1000) });
        await res.arrayBuffer();
        if (res.status === 200) return;
      } catch {
        // not listening yet
      }
      await sleep(100);
    }
    throw new Error(
      `${spec.label} did not become ready at ${spec.readyUrl} within ${timeoutMs} ms`,
    );
  }

  /**
   * Stops the daemons whose label matches (all by default), last started first; returns the
   * labels stopped. Stopping only some (e.g. the agents, so nothing restarts tasks while
   * `berth dev` removes them) leaves the others running.
   */
  async stop(graceMs = 10_000, which: (label: string) => boolean = () => true): Promise<string[]> {
    this.#stopping = true;
    const stopped: string[] = [];
    for (const r of [...this.#running].reverse()) {
      if (!which(r.spec.label)) continue;
      if (r.child.exitCode === null && r.child.signalCode === null) {
        r.child.kill('SIGTERM');
        const timer = setTimeout(() => r.child.kill('SIGKILL'), graceMs);
        await r.exited;
        clearTimeout(timer);
      }
      stopped.push(r.spec.label);
      this.#running.splice(this.#running.indexOf(r), 1);
    }
    return stopped;
  }

  /** Whether a daemon by this label is running (started and not stopped). */
  isRunning(label: string): boolean {
    return this.#running.some((r) => r.spec.label === label);
  }

  /** Stops one running daemon by label (tests: a host's agent going away); false if unknown. */
  async stopOne(label: string, graceMs = 10_000): Promise<boolean> {
    const wasStopping = this.#stopping;
    const stopped = await this.stop(graceMs, (l) => l === label);
    this.#stopping = wasStopping;
    return stopped.length > 0;
  }
}
