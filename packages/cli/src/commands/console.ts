/** `berth console`: runs the web console from @berth/console. */
import type { Env } from '../commands.js';
import { runDaemonCommand } from '../run-daemon-command.js';

export async function run(argv: readonly string[], env: Env): Promise<number> {
  const { command } = await import('@berth/console');
  return runDaemonCommand(command, argv, env);
}
