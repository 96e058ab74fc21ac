/** `berth registrator`: runs the registrator daemon from @berth/registrator. */
import type { Env } from '../commands.js';
import { runDaemonCommand } from '../run-daemon-command.js';

export async function run(argv: readonly string[], env: Env): Promise<number> {
  const { command } = await import('@berth/registrator');
  return runDaemonCommand(command, argv, env);
}
