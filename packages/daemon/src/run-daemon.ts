/**
 * The life of one daemon process: parse config (flags > env > file > defaults), create the
 * logger, registry and health, start the daemon, then on SIGTERM/SIGINT run its close steps
 * in reverse order within a bound. Only `exit` (passed in by the CLI entry point) ends the
 * process; everything else returns an exit code.
 */

import { readFile } from 'node:fs/promises';
import type { Registry } from 'prom-client';
import { type ConfigOf, type OptionsSpec, defineOptions, loadConfig } from './core/config.js';
import { ConfigError } from './errors.js';
import { Health } from './health.js';
import { helpText } from './core/help.js';
import { LOG_LEVELS, type LogLevel, type Logger, createLogger } from './adapters/logger.js';
import { createRegistry } from './adapters/metrics.js';
import { Shutdown } from './shutdown.js';

/** What a daemon's `start` gets besides its config. */
export interface DaemonContext {
  readonly log: Logger;
  readonly registry: Registry;
  readonly health: Health;
  readonly shutdown: Shutdown;
}

/** A daemon as the CLI runs it: `berth <name> [options]`. */
export interface DaemonCommand<S extends OptionsSpec = OptionsSpec> {
  readonly name: string;
  readonly summary: string;
  readonly options: S;
  /** Starts the daemon and registers its close steps; resolves once it serves. */
  start(config: ConfigOf<S>, ctx: DaemonContext): Promise<void>;
}

/** Options every daemon has, besides its own. */
export const commonOptions = defineOptions({
  config: {
    type: 'string',
    help: 'JSON file with option values (keys as flags or camelCase)',
    arg: 'FILE',
  },
  logLevel: {
    type: 'enum',
    choices: LOG_LEVELS,
    default: 'info',
    env: 'LOG_LEVEL',
    help: 'Log level',
  },
  shutdownTimeout: {
    type: 'duration',
    default: '10s',
    help: 'Longest wait for a graceful shutdown',
  },
});

export interface RunOptions {
  /** Ends the process at once (the second signal). The CLI passes process.exit. */
  readonly exit: (code: number) => never;
  readonly stdout?: NodeJS.WritableStream;
  readonly stderr?: NodeJS.WritableStream;
  /** Process to take signals from; the real process by default. */
  readonly signals?: Pick<NodeJS.Process, 'on' | 'off'>;
}

/** `BERTH_<NAME>_` : the derived env var prefix of a command. */
export function envPrefixOf(name: string): string {
  return `BERTH_${name.toUpperCase().replace(/-/g, '_')}_`;
}

/** The full --help text of a daemon command. */
export function commandHelp(command: DaemonCommand): string {
  return helpText(
    `berth ${command.name} [options]`,
    command.summary,
    { ...command.options, ...commonOptions },
    envPrefixOf(command.name),
  );
}

function findConfigPath(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  prefix: string,
): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === '--config') return argv[i + 1];
    if (a.startsWith('--config=')) return a.slice('--config='.length);
  }
  return env[`${prefix}CONFIG`] || undefined;
}

async function readConfigFile(path: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read config file ${path}: ${(err as Error).message}`, 'config');
  }
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new Error('the top level must be an object');
    }
    return parsed as Record<string, unknown>;
  } catch (err) {
    throw new ConfigError(
      `config file ${path} is not valid JSON: ${(err as Error).message}`,
      'config',
    );
  }
}

/**
 * Runs a daemon until it is told to stop. Resolves with the process exit code:
 * 0 after a clean shutdown, 1 when start or shutdown failed, 2 for bad config.
 */
export async function runDaemon<S extends OptionsSpec>(
  command: DaemonCommand<S>,
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  options: RunOptions,
): Promise<number> {
  const stdout = options.stdout ?? process.stdout;
  const stderr = options.stderr ?? process.stderr;
  const signals = options.signals ?? process;
  const prefix = envPrefixOf(command.name);
  if (argv.includes('--help') || argv.includes('-h')) {
    stdout.write(commandHelp(command as DaemonCommand));
    return 0;
  }

  const spec = { ...command.options, ...commonOptions };
  let config: ConfigOf<typeof spec>;
  try {
    const configPath = findConfigPath(argv, env, prefix);
    const file = configPath === undefined ? undefined : await readConfigFile(configPath);
    config = loadConfig(spec, argv, env, file, { envPrefix: prefix });
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    stderr.write(
      `berth ${command.name}: ${err.message}\nRun 'berth ${command.name} --help' for the options.\n`,
    );
    return 2;
  }

  const log = createLogger({ component: command.name, level: config.logLevel as LogLevel });
  const registry = createRegistry(command.name);
  const health = new Health();
  const shutdown = new Shutdown(config.shutdownTimeout);
  shutdown.on('step', (name, ms) => log.info({ step: name, ms }, 'closed'));
  shutdown.on('stepError', (name, error) =>
    log.error({ step: name, err: error }, 'close step failed'),
  );
  shutdown.on('timeout', (pending) =>
    log.error({ step: pending, timeoutMs: shutdown.timeoutMs }, 'shutdown timed out'),
  );
  health.on('change', (report) => log.info({ health: report }, 'health changed'));

  let stop!: (signal: string) => void;
  const stopped = new Promise<string>((resolve) => {
    stop = resolve;
  });
  let signalled = 0;
  const onSignal = (signal: NodeJS.Signals): void => {
    signalled++;
    if (signalled > 1) {
      log.warn({ signal }, 'second signal: exiting now');
      log.flush();
      options.exit(130);
    }
    stop(signal);
  };
  signals.on('SIGTERM', onSignal);
  signals.on('SIGINT', onSignal);

  const ctx: DaemonContext = { log, registry, health, shutdown };
  let code = 0;
  try {
    const { config: _file, logLevel: _level, shutdownTimeout: _t, ...own } = config;
    await command.start(own as unknown as ConfigOf<S>, ctx);
    log.info('started');
    const signal = await stopped;
    log.info({ signal }, 'shutting down');
  } catch (err) {
    log.fatal({ err }, 'failed');
    code = 1;
  }
  health.stopping();
  const result = await shutdown.run();
  if (!result.clean) code = code || 1;
  log.info({ ms: result.ms, clean: result.clean }, 'stopped');
  signals.off('SIGTERM', onSignal);
  signals.off('SIGINT', onSignal);
  await new Promise<void>((resolve) => log.flush(() => resolve()));
  return code;
}
