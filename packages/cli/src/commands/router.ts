/** `berth router`: runs the router daemon from @berth/router. */
import type { Env } from '../commands.js';
import { runDaemonCommand } from '../run-daemon-command.js';

export async function run(argv: readonly string[], env: Env): Promise<number> {
  const { command } = await import('@berth/router');
  return runDaemonCommand(command, argv, env);
}
