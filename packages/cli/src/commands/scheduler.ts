/** `berth scheduler`: runs the scheduler daemon from @berth/scheduler. */
import type { Env } from '../commands.js';
import { runDaemonCommand } from '../run-daemon-command.js';

export async function run(argv: readonly string[], env: Env): Promise<number> {
  const { command } = await import('@berth/scheduler');
  return runDaemonCommand(command, argv, env);
}
