/**
 * Error classes shared by every berth package. Each carries a stable `code` so callers and
 * tests match on codes, never on message text. Nothing here logs or exits.
 */

/** Base class of every berth error: a stable machine-readable `code` plus a message. */
export class BerthError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** A configuration value (flag, env var or file entry) that cannot be used. */
export class ConfigError extends BerthError {
  /** The config key at fault (camelCase), when one is. */
  readonly key: string | undefined;

  constructor(message: string, key?: string) {
    super('BERTH_CONFIG', message);
    this.key = key;
  }
}
