/** `berth dns`: runs the dns daemon from @berth/dns. */
import type { Env } from '../commands.js';
import { runDaemonCommand } from '../run-daemon-command.js';

export async function run(argv: readonly string[], env: Env): Promise<number> {
  const { command } = await import('@berth/dns');
  return runDaemonCommand(command, argv, env);
}
