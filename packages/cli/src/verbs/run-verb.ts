/**
 * The frame every user verb runs in: parses arguments, prints `--help`, connects to the
 * scheduler, runs the verb's body and turns failures into a message and an exit code (2 for
 * bad arguments, 1 for anything else). It never exits the process.
 */

import type { Env } from '../commands.js';
import { type Connection, connect } from '../ecs/connect.js';
import { CliError } from '../errors.js';
import { CONNECT_HELP, parseVerbArgs, type VerbArgs } from './verb-args.js';

type OptionSpec = { type: 'string' | 'boolean'; short?: string; multiple?: boolean };

/** Where a verb writes. */
export interface VerbIo {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}

/** One user verb. */
export interface Verb {
  readonly name: string;
  readonly usage: string;
  readonly options: Readonly<Record<string, OptionSpec>>;
  readonly body: (args: VerbArgs, conn: Connection, io: VerbIo) => Promise<number>;
}

const defaultIo: VerbIo = {
  out: (t) => void process.stdout.write(t),
  err: (t) => void process.stderr.write(t),
};

/** Runs `verb` with `argv`; returns the exit code. */
export async function runVerb(
  verb: Verb,
  argv: readonly string[],
  env: Env,
  io: VerbIo = defaultIo,
): Promise<number> {
  let conn: Connection | undefined;
  try {
    const args = parseVerbArgs(argv, verb.options, verb.usage);
    if (args.help) {
      io.out(`${verb.usage}\n${CONNECT_HELP}`);
      return 0;
    }
    conn = await connect(args.connect, env);
    return await verb.body(args, conn, io);
  } catch (err) {
    if (err instanceof CliError) {
      io.err(`berth ${verb.name}: ${err.message}\n`);
      return err.code === 'BAD_ARGS' ? 2 : 1;
    }
    const e = err as Error;
    io.err(`berth ${verb.name}: ${e.name}: ${e.message}\n`);
    return 1;
  } finally {
    conn?.ecs.destroy();
  }
}
