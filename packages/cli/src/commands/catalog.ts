/** `berth catalog`: runs the catalog daemon from @berth/catalog. */
import type { Env } from '../commands.js';
import { runDaemonCommand } from '../run-daemon-command.js';

export async function run(argv: readonly string[], env: Env): Promise<number> {
  const { command } = await import('@berth/catalog');
  return runDaemonCommand(command, argv, env);
}
