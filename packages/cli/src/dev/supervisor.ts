/**
 * Runs berth daemons as child processes for `berth dev`: each one is `berth <daemon> ...` in
 * its own process group, its JSON log lines printed prefixed by component. Every child holds a
 * lifeline (its stdin is a pipe from this process, see lifeline.ts): when the supervisor dies,
 * even by SIGKILL, the pipe closes and the child shuts itself down. A child that exits while it
 * is wanted is restarted with the shared back-off, never a reason to stop the others. stop()
 * ends children in reverse start order with SIGTERM to their process group (SIGKILL after a
 * bound). It never touches Docker or the catalog itself.
 */

import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { type BackoffOptions, backoffDelay, sleep } from '@berth/daemon';
import { LIFELINE_ENV } from './lifeline.js';

const BERTH_BIN = fileURLToPath(new URL('../../bin/berth.js', import.meta.url));

export interface ChildSpec {
  /** Label used as the log prefix, e.g. `catalog` or `dns@127.0.0.2`. */
  readonly label: string;
  /** `berth` arguments, e.g. `['catalog', '--listen', '127.0.0.1:8500']`. */
  readonly args: readonly string[];
  /** URL that answers 200 once the daemon is ready. */
  readonly readyUrl: string;
  /**
   * Added to this daemon's environment (its own secrets, e.g. `CONSUL_HTTP_TOKEN`: never on
   * its command line, which `ps` shows to everyone).
   */
  readonly env?: Readonly<Record<string, string>>;
  /**
   * Runs after every start and restart once the daemon is ready (e.g. the catalog's ACL
   * bootstrap); the start counts as failed when it throws.
   */
  readonly afterReady?: () => Promise<void>;
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

/** What the supervisor tells its owner (who logs it). */
export type SupervisorEvent =
  | { type: 'exited'; label: string; code: number | null; signal: string | null }
  | { type: 'restarting'; label: string; attempt: number; delayMs: number }
  | { type: 'restarted'; label: string; pid: number; attempt: number }
  | { type: 'restart-failed'; label: string; attempt: number; error: string };

/** One daemon as the control endpoint and the lock file show it. */
export interface ChildState {
  readonly label: string;
  /** Its process id while it runs. */
  readonly pid: number | undefined;
  readonly running: boolean;
  /** It answered its readiness URL since it last started. */
  readonly ready: boolean;
  /** Unexpected exits so far (each followed by a restart). */
  readonly restarts: number;
}

interface Managed {
  readonly spec: ChildSpec;
  child: ChildProcess | undefined;
  exited: Promise<unknown>;
  /** False once stop() was asked for it: its exit is then expected. */
  wanted: boolean;
  ready: boolean;
  restarts: number;
  /** Aborts a pending restart of this daemon. */
  readonly cancel: AbortController;
}

export interface SupervisorOptions {
  /** Back-off between restarts of one daemon (default 500 ms doubling to 10 s). */
  readonly restartBackoff?: BackoffOptions;
  /** A child that ran this long before exiting restarts at the first back-off step again. */
  readonly stableMs?: number;
  /** Readiness wait of a restart (default 30 s). */
  readonly restartReadyMs?: number;
  /** Events worth a log line. */
  readonly onEvent?: (event: SupervisorEvent) => void;
  /** Called whenever a child's pid changes (the lock file lists them). */
  readonly onChange?: () => void;
}

/** Starts, restarts and stops a set of berth daemons. */
export class Supervisor {
  readonly #managed: Managed[] = [];
  readonly #write: (line: string) => void;
  readonly #env: NodeJS.ProcessEnv;
  readonly #o: SupervisorOptions;
  readonly #closing = new AbortController();
  #width = 8;

  constructor(
    write: (line: string) => void,
    env: NodeJS.ProcessEnv,
    options: SupervisorOptions = {},
  ) {
    this.#write = write;
    this.#env = { ...env, [LIFELINE_ENV]: 'stdin' };
    this.#o = options;
  }

  /** Aborts every readiness wait and pending restart: shutdown has begun. */
  close(): void {
    this.#closing.abort();
  }

  /**
   * Starts one daemon and waits (bounded) until its readiness URL answers 200. Throws when it
   * exits first, does not get ready in time, or the supervisor closes meanwhile.
   */
  async start(spec: ChildSpec, timeoutMs = 20_000): Promise<void> {
    if (this.#closing.signal.aborted) throw new Error(`not starting ${spec.label}: stopping`);
    this.#width = Math.max(this.#width, spec.label.length);
    const m: Managed = {
      spec,
      child: undefined,
      exited: Promise.resolve(),
      wanted: true,
      ready: false,
      restarts: 0,
      cancel: new AbortController(),
    };
    this.#managed.push(m);
    try {
      await this.#launch(m, timeoutMs);
    } catch (err) {
      m.wanted = false;
      await this.#end(m, 2000);
      this.#managed.splice(this.#managed.indexOf(m), 1);
      throw err;
    }
  }

  async #launch(m: Managed, timeoutMs: number): Promise<void> {
    const { spec } = m;
    const child = spawn(process.execPath, [BERTH_BIN, ...spec.args], {
      env: spec.env ? { ...this.#env, ...spec.env } : this.#env,
      // stdin is the lifeline: it closes when this process dies, however it dies.
      stdio: ['pipe', 'pipe', 'pipe'],
      // Own process group: a terminal's Ctrl-C reaches only `berth dev`, which then stops the
      // daemons in order (registrator deregisters before the catalog goes away).
      detached: true,
    });
    child.stdin.on('error', () => {});
    m.child = child;
    const startedAt = Date.now();
    m.exited = once(child, 'exit').catch(() => undefined);
    for (const stream of [child.stdout, child.stderr]) {
      createInterface({ input: stream }).on('line', (line) =>
        this.#write(formatLogLine(spec.label, line, this.#width)),
      );
    }
    this.#o.onChange?.();
    // Until it is ready, an exit is the starter's to handle (it throws or retries).
    let ready = false;
    child.once('exit', (code, signal) => {
      if (m.child === child) {
        m.child = undefined;
        m.ready = false;
      }
      this.#o.onChange?.();
      if (!ready || !m.wanted || this.#closing.signal.aborted) return;
      this.#o.onEvent?.({ type: 'exited', label: spec.label, code, signal });
      void this.#restart(m, Date.now() - startedAt);
    });
    await this.#ready(m, child, timeoutMs);
    await spec.afterReady?.();
    ready = true;
    m.ready = true;
  }

  async #ready(m: Managed, child: ChildProcess, timeoutMs: number): Promise<void> {
    const { spec } = m;
    const deadline = Date.now() + timeoutMs;
    const signal = AbortSignal.any([this.#closing.signal, m.cancel.signal]);
    while (Date.now() < deadline) {
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(
          `${spec.label} exited with ${child.exitCode ?? child.signalCode} while starting`,
        );
      }
      if (signal.aborted) throw new Error(`${spec.label}: shutdown began while it was starting`);
      try {
        const res = await fetch(spec.readyUrl, {
          signal: AbortSignal.any([signal, AbortSignal.timeout(1000)]),
        });
        await res.arrayBuffer();
        if (res.status === 200) return;
      } catch {
        // not listening yet
      }
      await sleep(100, signal);
    }
    throw new Error(
      `${spec.label} did not become ready at ${spec.readyUrl} within ${timeoutMs} ms`,
    );
  }

  /** Restarts `m` with back-off until it runs again or it is no longer wanted. */
  async #restart(m: Managed, ranMs: number): Promise<void> {
    if (ranMs >= (this.#o.stableMs ?? 30_000)) m.restarts = 0;
    const signal = AbortSignal.any([this.#closing.signal, m.cancel.signal]);
    for (;;) {
      m.restarts++;
      const attempt = m.restarts;
      const delayMs = backoffDelay(
        attempt,
        this.#o.restartBackoff ?? { baseMs: 500, maxMs: 10_000, jitter: 'equal' },
      );
      this.#o.onEvent?.({ type: 'restarting', label: m.spec.label, attempt, delayMs });
      if (!(await sleep(delayMs, signal)) || !m.wanted) return;
      try {
        await this.#launch(m, this.#o.restartReadyMs ?? 30_000);
        this.#o.onEvent?.({
          type: 'restarted',
          label: m.spec.label,
          pid: m.child?.pid ?? 0,
          attempt,
        });
        return;
      } catch (err) {
        if (!m.wanted || signal.aborted) return;
        this.#o.onEvent?.({
          type: 'restart-failed',
          label: m.spec.label,
          attempt,
          error: (err as Error).message,
        });
        await this.#end(m, 2000);
      }
    }
  }

  /** SIGTERM to the child's process group, SIGKILL after `graceMs`; waits for its exit. */
  async #end(m: Managed, graceMs: number): Promise<void> {
    const child = m.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    signalGroup(child, 'SIGTERM');
    const timer = setTimeout(() => signalGroup(child, 'SIGKILL'), graceMs);
    await m.exited;
    clearTimeout(timer);
    // Whatever the daemon left in its group (it starts none today) goes with it.
    signalGroup(child, 'SIGKILL');
  }

  /**
   * Stops the daemons whose label matches (all by default), last started first; returns the
   * labels stopped. Stopping only some (e.g. the agents, so nothing restarts tasks while
   * `berth dev` removes them) leaves the others running.
   */
  async stop(graceMs = 10_000, which: (label: string) => boolean = () => true): Promise<string[]> {
    const stopped: string[] = [];
    for (const m of [...this.#managed].reverse()) {
      if (!which(m.spec.label)) continue;
      m.wanted = false;
      m.cancel.abort();
      await this.#end(m, graceMs);
      stopped.push(m.spec.label);
      this.#managed.splice(this.#managed.indexOf(m), 1);
    }
    this.#o.onChange?.();
    return stopped;
  }

  /** Whether a daemon by this label is managed (started and not stopped). */
  isRunning(label: string): boolean {
    return this.#managed.some((m) => m.spec.label === label);
  }

  /** Stops one daemon by label (tests: a host's agent going away); false if unknown. */
  async stopOne(label: string, graceMs = 10_000): Promise<boolean> {
    const stopped = await this.stop(graceMs, (l) => l === label);
    return stopped.length > 0;
  }

  /** Every managed daemon, in start order. */
  children(): ChildState[] {
    return this.#managed.map((m) => ({
      label: m.spec.label,
      pid: m.child?.pid,
      running: m.child !== undefined,
      ready: m.child !== undefined && m.ready,
      restarts: m.restarts,
    }));
  }
}

/** Signals a detached child's whole process group (its pid is the group id). */
function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    try {
      child.kill(signal);
    } catch {
      // already gone
    }
  }
}
