/**
 * Runs a daemon package's DaemonCommand as a CLI subcommand. The one place the CLI hands
 * `process.exit` down (for the second-signal exit).
 */

import { type DaemonCommand, type OptionsSpec, runDaemon } from '@berth/daemon';
import type { Env } from './commands.js';

export function runDaemonCommand<S extends OptionsSpec>(
  command: DaemonCommand<S>,
  argv: readonly string[],
  env: Env,
): Promise<number> {
  return runDaemon(command, argv, env, { exit: (code) => process.exit(code) });
}
