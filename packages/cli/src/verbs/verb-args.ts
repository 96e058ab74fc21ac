/**
 * Argument parsing shared by the user verbs: the connection flags every verb takes, plus the
 * verb's own, with positionals. Pure wrapper over node:util parseArgs; throws CliError
 * (`BAD_ARGS`) with the usage line on bad input.
 */

import { parseArgs } from 'node:util';
import { CliError } from '../errors.js';
import type { ConnectFlags } from '../ecs/connect.js';

type OptionSpec = { type: 'string' | 'boolean'; short?: string; multiple?: boolean };

/** Flags every verb accepts. */
export const CONNECT_OPTIONS = {
  endpoint: { type: 'string' },
  cluster: { type: 'string' },
  region: { type: 'string' },
  'dev-file': { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies Record<string, OptionSpec>;

/** Usage text of the connection flags. */
export const CONNECT_HELP = `Connection (default: the running berth dev, from $BERTH_HOME/dev.json or ~/.berth/dev.json):
  --endpoint URL     scheduler ECS endpoint (env BERTH_ENDPOINT)
  --cluster NAME     cluster (default from the dev file, else default)
  --region R         region (env AWS_REGION)
  --dev-file FILE    dev file to read (env BERTH_DEV_FILE)
  --json             machine-readable output
Credentials: AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, else the dev file's credentials file.
`;

/** Parsed verb arguments. */
export interface VerbArgs {
  readonly values: Readonly<Record<string, string | boolean | string[] | undefined>>;
  readonly positionals: readonly string[];
  readonly connect: ConnectFlags;
  readonly json: boolean;
  readonly help: boolean;
}

/** Parses `argv` with the connection flags plus `own`; throws CliError on bad input. */
export function parseVerbArgs(
  argv: readonly string[],
  own: Readonly<Record<string, OptionSpec>>,
  usage: string,
): VerbArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      options: { ...CONNECT_OPTIONS, ...own },
      allowPositionals: true,
      strict: true,
    });
  } catch (err) {
    throw new CliError('BAD_ARGS', `${(err as Error).message}\n${usage}`);
  }
  const v = parsed.values as Record<string, string | boolean | string[] | undefined>;
  const str = (k: string): string | undefined => (typeof v[k] === 'string' ? v[k] : undefined);
  return {
    values: v,
    positionals: parsed.positionals,
    connect: {
      endpoint: str('endpoint'),
      cluster: str('cluster'),
      region: str('region'),
      devFile: str('dev-file'),
    },
    json: v.json === true,
    help: v.help === true,
  };
}

/**
 * A whole-number flag value (0 or more, plain digits only), or CliError naming the flag. An
 * empty value (`web=`) is an error, not 0.
 */
export function positiveInt(value: unknown, flag: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n)) {
    throw new CliError('BAD_ARGS', `${flag} must be a whole number, got '${String(value)}'`);
  }
  return n;
}
