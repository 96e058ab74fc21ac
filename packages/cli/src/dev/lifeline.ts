/**
 * The child side of `berth dev`'s lifeline. A daemon started by `berth dev` gets
 * `BERTH_LIFELINE=stdin` and a pipe as stdin whose other end only the supervisor holds: when the
 * supervisor dies, however it dies (SIGKILL included), the pipe reaches end-of-file and the
 * daemon shuts itself down as on SIGTERM (and exits at the latest `hardExitMs` later). A broken
 * log pipe (the supervisor gone) must never crash a daemon in the middle of that shutdown.
 * Without the variable it does nothing: a daemon run by hand or by systemd ignores its stdin.
 */

/** The variable that turns the lifeline on; its value names the channel (`stdin`). */
export const LIFELINE_ENV = 'BERTH_LIFELINE';

export interface LifelineOptions {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly stdin?: NodeJS.ReadableStream;
  /** What to do when the supervisor is gone (default: SIGTERM to this process). */
  readonly onLost?: () => void;
  /** Exit at the latest this long after the lifeline broke (default 20 s). */
  readonly hardExitMs?: number;
  readonly exit?: (code: number) => void;
}

/** Watches the lifeline when the environment asks for one; returns whether it does. */
export function watchLifeline(options: LifelineOptions): boolean {
  if (options.env[LIFELINE_ENV] !== 'stdin') return false;
  const stdin = options.stdin ?? process.stdin;
  const exit = options.exit ?? ((code: number) => process.exit(code));
  let lost = false;
  const onLost = (): void => {
    if (lost) return;
    lost = true;
    setTimeout(() => exit(1), options.hardExitMs ?? 20_000).unref();
    (options.onLost ?? (() => process.kill(process.pid, 'SIGTERM')))();
  };
  stdin.on('end', onLost);
  stdin.on('close', onLost);
  stdin.on('error', onLost);
  // Read (and drop) whatever arrives so the end is seen; keep the process alive no longer.
  stdin.on('data', () => {});
  (stdin as { unref?: () => void }).unref?.();
  for (const out of [process.stdout, process.stderr]) {
    out.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EPIPE') throw err;
      onLost();
    });
  }
  return true;
}
