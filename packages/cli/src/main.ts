/**
 * `berth <command> [options]`: finds the subcommand and hands it the rest of argv. Returns an
 * exit code; only bin/berth.js ends the process.
 */

import { readFileSync } from 'node:fs';
import { type Env, subcommands } from './commands.js';

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

/** The top-level `berth --help`. */
export function usage(): string {
  const width = Math.max(...subcommands.map((c) => c.name.length), 8) + 3;
  const rows = subcommands.map((c) => `  ${c.name.padEnd(width)}${c.summary}`);
  return [
    'Usage: berth <command> [options]',
    '',
    'berth runs containers on your own Docker hosts the way Amazon ECS does, with Consul-style',
    'service discovery, DNS and an HTTP router.',
    '',
    'Commands:',
    ...rows,
    '',
    "Run 'berth <command> --help' for a command's options.",
    '',
  ].join('\n');
}

export interface Io {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
}

/** Runs `berth` with `argv` (without node and script). */
export async function main(
  argv: readonly string[],
  env: Env,
  io: Io = { stdout: process.stdout, stderr: process.stderr },
): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(usage());
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-v' || name === 'version') {
    io.stdout.write(`berth ${version()}\n`);
    return 0;
  }
  const command = subcommands.find((c) => c.name === name);
  if (!command) {
    io.stderr.write(`berth: unknown command '${name}'. Run 'berth --help' for the commands.\n`);
    return 2;
  }
  const mod = await command.load();
  return mod.run(rest, env);
}
