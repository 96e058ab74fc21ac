/**
 * Runs a daemon package's DaemonCommand as a CLI subcommand. The one place the CLI hands
 * `process.exit` down (for the second-signal exit and the lifeline's bound). A daemon started
 * by `berth dev` also watches its lifeline (dev/lifeline.ts) so it never outlives `berth dev`.
 */

import { type DaemonCommand, type OptionsSpec, runDaemon } from '@berth/daemon';
import type { Env } from './commands.js';
import { watchLifeline } from './dev/lifeline.js';

export function runDaemonCommand<S extends OptionsSpec>(
  command: DaemonCommand<S>,
  argv: readonly string[],
  env: Env,
): Promise<number> {
  watchLifeline({ env });
  return runDaemon(command, argv, env, { exit: (code) => process.exit(code) });
}
