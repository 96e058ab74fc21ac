/**
 * The table of `berth` subcommands. Each entry loads its implementation lazily, so
 * `berth --help` and one daemon never pay for loading the others. No logic lives here.
 */

export type Env = Readonly<Record<string, string | undefined>>;

/** A loaded subcommand: runs with its own argv and returns the exit code. */
export interface SubcommandModule {
  run(argv: readonly string[], env: Env): Promise<number>;
}

export interface Subcommand {
  readonly name: string;
  readonly summary: string;
  readonly load: () => Promise<SubcommandModule>;
}

export const subcommands: readonly Subcommand[] = [];
