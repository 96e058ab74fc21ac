/**
 * Typed daemon configuration: one definition per key, loaded with the precedence
 * flags > env > file > defaults. `loadConfig` takes all its inputs as arguments so it is pure
 * and testable; it never reads process.argv / process.env itself and never exits.
 */

import { ConfigError } from '../errors.js';
import { parseArgs } from 'node:util';
import { parseDuration } from '../time/duration.js';
import { type ListenAddress, parseListen } from './listen.js';

/** The kinds of values a config key can hold. */
export type OptionType =
  'string' | 'int' | 'number' | 'boolean' | 'duration' | 'listen' | 'url' | 'enum' | 'list';

interface ValueOfType {
  string: string;
  int: number;
  number: number;
  boolean: boolean;
  /** milliseconds */
  duration: number;
  listen: ListenAddress;
  url: string;
  enum: string;
  list: string[];
}

/** One config key: its type, default, environment variables and help text. */
export interface OptionDef {
  readonly type: OptionType;
  /** Typed value or its text form (parsed like a flag). */
  readonly default?: unknown;
  /** Extra environment variables read for this key (e.g. `CONSUL_HTTP_ADDR`), in order. */
  readonly env?: string | readonly string[];
  readonly help: string;
  /** A repeatable flag; the value is an array (env and file give comma-separated lists). */
  readonly multiple?: boolean;
  /** Allowed values for `enum`. */
  readonly choices?: readonly string[];
  readonly required?: boolean;
  /** Placeholder in --help, e.g. `HOST:PORT`. */
  readonly arg?: string;
}

/** A daemon's full set of config keys. Keys are camelCase; flags are kebab-case. */
export type OptionsSpec = Readonly<Record<string, OptionDef>>;

type ValueOf<D extends OptionDef> = D extends { readonly multiple: true }
  ? ValueOfType[D['type']][]
  : ValueOfType[D['type']];

type IsAlwaysSet<D extends OptionDef> = D extends { readonly default: unknown }
  ? true
  : D extends { readonly required: true }
    ? true
    : D extends { readonly multiple: true }
      ? true
      : D extends { readonly type: 'boolean' }
        ? true
        : false;

/** The typed config object a spec produces. */
export type ConfigOf<S extends OptionsSpec> = {
  readonly [K in keyof S]: IsAlwaysSet<S[K]> extends true
    ? ValueOf<S[K]>
    : ValueOf<S[K]> | undefined;
};

/** Identity function that keeps the literal types of a spec for `ConfigOf`. */
export function defineOptions<const S extends OptionsSpec>(spec: S): S {
  return spec;
}

/** `dataDir` -> `data-dir`. */
export function flagName(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/** `dataDir` -> `DATA_DIR`. */
export function envSuffix(key: string): string {
  return flagName(key).replace(/-/g, '_').toUpperCase();
}

/** The environment variables read for a key, in precedence order. */
export function envNames(key: string, def: OptionDef, envPrefix?: string): string[] {
  const names: string[] = [];
  if (envPrefix) names.push(`${envPrefix}${envSuffix(key)}`);
  if (typeof def.env === 'string') names.push(def.env);
  else if (def.env) names.push(...def.env);
  return names;
}

export interface LoadOptions {
  /** Prefix of the derived env var per key, e.g. `BERTH_CATALOG_` -> `BERTH_CATALOG_LISTEN`. */
  readonly envPrefix?: string;
}

type Source = { readonly kind: 'flag' | 'env' | 'file' | 'default'; readonly name: string };

function describe(source: Source): string {
  switch (source.kind) {
    case 'flag':
      return `flag ${source.name}`;
    case 'env':
      return `env ${source.name}`;
    case 'file':
      return `config file key "${source.name}"`;
    default:
      return `default of ${source.name}`;
  }
}

const BOOLEAN_TEXT: Readonly<Record<string, boolean>> = {
  true: true,
  '1': true,
  yes: true,
  on: true,
  false: false,
  '0': false,
  no: false,
  off: false,
};

function parseScalar(key: string, def: OptionDef, raw: unknown, source: Source): unknown {
  const bad = (why: string): ConfigError =>
    new ConfigError(
      `invalid value for --${flagName(key)} (${describe(source)}): ${JSON.stringify(raw)} ${why}`,
      key,
    );
  switch (def.type) {
    case 'boolean': {
      if (typeof raw === 'boolean') return raw;
      const b = BOOLEAN_TEXT[String(raw).trim().toLowerCase()];
      if (b === undefined) throw bad('is not a boolean (true/false)');
      return b;
    }
    case 'int': {
      if (typeof raw === 'number' && Number.isSafeInteger(raw)) return raw;
      if (typeof raw !== 'string' || !/^-?\d+$/.test(raw.trim())) throw bad('is not an integer');
      const n = Number(raw);
      if (!Number.isSafeInteger(n)) throw bad('is out of range');
      return n;
    }
    case 'number': {
      const n =
        typeof raw === 'number'
          ? raw
          : typeof raw === 'string' && raw.trim() !== ''
            ? Number(raw)
            : NaN;
      if (!Number.isFinite(n)) throw bad('is not a number');
      return n;
    }
    case 'duration': {
      if (typeof raw === 'number' && raw >= 0) return raw * 1000;
      const ms = typeof raw === 'string' ? parseDuration(raw) : undefined;
      if (ms === undefined || ms < 0) throw bad('is not a duration (e.g. 10s, 1500ms, 1m)');
      return ms;
    }
    case 'listen': {
      if (typeof raw === 'object' && raw !== null && 'port' in raw) return raw;
      const l = typeof raw === 'string' ? parseListen(raw) : undefined;
      if (!l) throw bad('is not a listen address (host:port or :port)');
      return l;
    }
    case 'url': {
      const text = String(raw).trim();
      // Consul-style `host:port` is accepted and read as http.
      const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `http://${text}`;
      try {
        const u = new URL(withScheme);
        if (!u.hostname) throw new Error('no host');
        return withScheme.replace(/\/+$/, '');
      } catch {
        throw bad('is not a URL');
      }
    }
    case 'enum': {
      const text = String(raw);
      if (!def.choices?.includes(text))
        throw bad(`is not one of ${(def.choices ?? []).join(', ')}`);
      return text;
    }
    case 'list': {
      if (Array.isArray(raw)) return raw.map(String);
      return splitList(String(raw));
    }
    case 'string': {
      if (typeof raw === 'object' && raw !== null) throw bad('is not a string');
      return String(raw);
    }
  }
}

function splitList(text: string): string[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

function parseValue(key: string, def: OptionDef, raw: unknown, source: Source): unknown {
  if (!def.multiple) return parseScalar(key, def, raw, source);
  const items = Array.isArray(raw) ? raw : source.kind === 'flag' ? [raw] : splitList(String(raw));
  return items.map((item) => parseScalar(key, def, item, source));
}

/**
 * Splits argv into `--flag value` pairs on node:util's parseArgs (the one argv tokenizer berth
 * uses, the CLI's verbs included); booleans take no value but accept `--x=false`/`--no-x`.
 */
function parseArgv(
  spec: OptionsSpec,
  argv: readonly string[],
): Map<string, { raw: unknown[]; flag: string }> {
  const byFlag = new Map<string, string>();
  const options: Record<string, { type: 'string' | 'boolean' }> = {};
  for (const [key, def] of Object.entries(spec)) {
    byFlag.set(flagName(key), key);
    options[flagName(key)] = { type: def.type === 'boolean' ? 'boolean' : 'string' };
  }
  const { tokens } = parseArgs({
    args: [...argv],
    options,
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  const found = new Map<string, { raw: unknown[]; flag: string }>();
  for (const tok of tokens) {
    if (tok.kind !== 'option' || !tok.rawName.startsWith('--')) {
      const text = tok.kind === 'positional' ? tok.value : argv[tok.index];
      throw new ConfigError(`unexpected argument ${JSON.stringify(text)} (options start with --)`);
    }
    let name = tok.name;
    let value: unknown = tok.value;
    let key = byFlag.get(name);
    if (key === undefined && name.startsWith('no-') && value === undefined) {
      const positive = byFlag.get(name.slice(3));
      if (positive !== undefined && spec[positive]?.type === 'boolean') {
        key = positive;
        name = name.slice(3);
        value = false;
      }
    }
    if (key === undefined) throw new ConfigError(`unknown flag --${name}`);
    const def = spec[key] as OptionDef;
    // parseArgs takes the next argument as the value even when it is the next flag.
    const missing =
      value === undefined ||
      (!tok.inlineValue && typeof value === 'string' && value.startsWith('--') && value.length > 2);
    if (def.type === 'boolean' && value === undefined) value = true;
    else if (def.type !== 'boolean' && missing) {
      throw new ConfigError(`flag --${name} needs a value`, key);
    }
    const entry = found.get(key) ?? { raw: [], flag: `--${name}` };
    if (def.multiple) entry.raw.push(value);
    else entry.raw = [value];
    found.set(key, entry);
  }
  return found;
}

/**
 * Loads a typed config from flags, environment and an optional parsed config file.
 * Throws ConfigError naming the key, the source and the bad value.
 */
export function loadConfig<S extends OptionsSpec>(
  spec: S,
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  file?: Readonly<Record<string, unknown>>,
  options: LoadOptions = {},
): ConfigOf<S> {
  const flags = parseArgv(spec, argv);
  const fileValues = new Map<string, { raw: unknown; name: string }>();
  if (file !== undefined) {
    const byAnyName = new Map<string, string>();
    for (const key of Object.keys(spec)) {
      byAnyName.set(key, key);
      byAnyName.set(flagName(key), key);
    }
    for (const [name, raw] of Object.entries(file)) {
      const key = byAnyName.get(name);
      if (key === undefined) throw new ConfigError(`unknown key "${name}" in config file`);
      fileValues.set(key, { raw, name });
    }
  }

  const out: Record<string, unknown> = {};
  for (const [key, def] of Object.entries(spec)) {
    const flag = flags.get(key);
    if (flag !== undefined) {
      out[key] = parseValue(key, def, def.multiple ? flag.raw : flag.raw[0], {
        kind: 'flag',
        name: flag.flag,
      });
      continue;
    }
    const envName = envNames(key, def, options.envPrefix).find((n) => {
      const v = env[n];
      return v !== undefined && v !== '';
    });
    if (envName !== undefined) {
      out[key] = parseValue(key, def, env[envName], { kind: 'env', name: envName });
      continue;
    }
    const fromFile = fileValues.get(key);
    if (fromFile !== undefined) {
      out[key] = parseValue(key, def, fromFile.raw, { kind: 'file', name: fromFile.name });
      continue;
    }
    if (def.default !== undefined) {
      out[key] = parseValue(key, def, def.default, { kind: 'default', name: `--${flagName(key)}` });
    } else if (def.required) {
      throw new ConfigError(`missing required option --${flagName(key)}`, key);
    } else if (def.multiple) {
      out[key] = [];
    } else if (def.type === 'boolean') {
      out[key] = false;
    }
  }
  return out as ConfigOf<S>;
}
