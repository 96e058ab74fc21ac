/** `berth agent`: runs the agent daemon from @berth/agent. */
import type { Env } from '../commands.js';
import { runDaemonCommand } from '../run-daemon-command.js';

export async function run(argv: readonly string[], env: Env): Promise<number> {
  const { command } = await import('@berth/agent');
  return runDaemonCommand(command, argv, env);
}
