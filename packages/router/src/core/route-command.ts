/**
 * Fabio's route language, the canonical text form between the catalog watch and the table
 * builder: `route add`, `route del` and `route weight` lines, parsed and printed.
 * Pure: this module must never do I/O or look at the catalog.
 */
import { RouteCommandError } from '../errors.js';

/** `route add <svc> <src> <dst> [weight <w>] [tags "<t>,..."] [opts "k=v ..."]` */
export interface AddCommand {
  readonly op: 'add';
  readonly service: string;
  /** `host/path` or `/path`. */
  readonly src: string;
  /** Target URL, e.g. `http://127.0.0.1:8080/`. */
  readonly dst: string;
  readonly weight?: number;
  readonly tags: readonly string[];
  readonly opts: Readonly<Record<string, string>>;
}

/** `route del <svc> [<src> [<dst>]]`, `route del <svc> tags "..."`, `route del tags "..."` */
export interface DelCommand {
  readonly op: 'del';
  readonly service?: string;
  readonly src?: string;
  readonly dst?: string;
  readonly tags?: readonly string[];
}

/** `route weight <svc> <src> weight <w> [tags "..."]`, `route weight <src> weight <w> tags "..."` */
export interface WeightCommand {
  readonly op: 'weight';
  readonly service?: string;
  readonly src: string;
  readonly weight: number;
  readonly tags: readonly string[];
}

/** One parsed line of the route language. */
export type RouteCommand = AddCommand | DelCommand | WeightCommand;

function tokenize(text: string): string[] | string {
  const out: string[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === ' ' || c === '\t') {
      i++;
      continue;
    }
    if (c === '"') {
      const end = text.indexOf('"', i + 1);
      if (end < 0) return 'unterminated quote';
      out.push(text.slice(i + 1, end));
      i = end + 1;
      continue;
    }
    let j = i;
    while (j < text.length && text[j] !== ' ' && text[j] !== '\t') {
      if (text[j] === '"') return 'quote inside a word';
      j++;
    }
    out.push(text.slice(i, j));
    i = j;
  }
  return out;
}

function parseWeight(s: string | undefined): number | string {
  if (s === undefined) return 'missing weight';
  const w = Number(s);
  if (!/^\d*\.?\d+$/.test(s) || !Number.isFinite(w) || w < 0 || w > 1) {
    return `weight ${JSON.stringify(s)} is not a number in [0,1]`;
  }
  return w;
}

/** Splits `"a,b , c"` into trimmed, non-empty tags. */
export function splitTags(s: string): string[] {
  return s
    .split(',')
    .map((t) => t.trim())
    .filter((t) => t !== '');
}

/** Parses `"k=v k2=v2"`; returns an error string on a word without `=`. */
export function parseOpts(s: string): Record<string, string> | string {
  const out: Record<string, string> = {};
  for (const word of s.split(/\s+/)) {
    if (word === '') continue;
    const eq = word.indexOf('=');
    if (eq <= 0) return `option ${JSON.stringify(word)} is not key=value`;
    out[word.slice(0, eq)] = word.slice(eq + 1);
  }
  return out;
}

interface Trailer {
  weight?: number;
  tags?: string[];
  opts?: Record<string, string>;
}

function parseTrailer(words: string[], allowed: ReadonlySet<string>): Trailer | string {
  const t: Trailer = {};
  for (let i = 0; i < words.length; i += 2) {
    const key = words[i] as string;
    const val = words[i + 1];
    if (!allowed.has(key)) return `unexpected ${JSON.stringify(key)}`;
    if (val === undefined) return `${key} needs a value`;
    if (key === 'weight') {
      const w = parseWeight(val);
      if (typeof w === 'string') return w;
      t.weight = w;
    } else if (key === 'tags') {
      t.tags = splitTags(val);
    } else {
      const o = parseOpts(val);
      if (typeof o === 'string') return o;
      t.opts = o;
    }
  }
  return t;
}

const ADD_KEYS = new Set(['weight', 'tags', 'opts']);
const DEL_KEYS = new Set(['tags']);
const WEIGHT_KEYS = new Set(['weight', 'tags']);

function isSrc(s: string): boolean {
  return s.includes('/') && !/\s/.test(s);
}

function parseLine(words: string[]): RouteCommand | string {
  if (words[0] !== 'route') return 'a command starts with "route"';
  const op = words[1];
  const rest = words.slice(2);
  if (op === 'add') {
    const [service, src, dst, ...more] = rest;
    if (service === undefined || src === undefined || dst === undefined) {
      return 'route add needs <svc> <src> <dst>';
    }
    if (!isSrc(src)) return `source ${JSON.stringify(src)} needs a /path`;
    if (!/^https?:\/\/[^\s/]+/.test(dst))
      return `target ${JSON.stringify(dst)} is not an http(s) URL`;
    const t = parseTrailer(more, ADD_KEYS);
    if (typeof t === 'string') return t;
    const cmd: AddCommand = {
      op: 'add',
      service,
      src,
      dst,
      tags: t.tags ?? [],
      opts: t.opts ?? {},
      ...(t.weight !== undefined ? { weight: t.weight } : {}),
    };
    return cmd;
  }
  if (op === 'del') {
    if (rest[0] === 'tags') {
      const t = parseTrailer(rest, DEL_KEYS);
      if (typeof t === 'string') return t;
      return { op: 'del', tags: t.tags ?? [] };
    }
    const [service, src, dst, ...more] = rest;
    if (service === undefined) return 'route del needs <svc> or tags';
    if (src === 'tags') {
      const t = parseTrailer(rest.slice(1), DEL_KEYS);
      if (typeof t === 'string') return t;
      return { op: 'del', service, tags: t.tags ?? [] };
    }
    if (more.length > 0) return `unexpected ${JSON.stringify(more[0])}`;
    if (src !== undefined && !isSrc(src)) return `source ${JSON.stringify(src)} needs a /path`;
    return {
      op: 'del',
      service,
      ...(src !== undefined ? { src } : {}),
      ...(dst !== undefined ? { dst } : {}),
    };
  }
  if (op === 'weight') {
    // `route weight <svc> <src> weight ...` or `route weight <src> weight ...`
    const hasService = rest[1] !== 'weight';
    const service = hasService ? rest[0] : undefined;
    const src = hasService ? rest[1] : rest[0];
    const more = rest.slice(hasService ? 2 : 1);
    if (src === undefined || !isSrc(src)) return 'route weight needs a <src> with a /path';
    const t = parseTrailer(more, WEIGHT_KEYS);
    if (typeof t === 'string') return t;
    if (t.weight === undefined) return 'route weight needs "weight <w>"';
    if (service === undefined && (t.tags === undefined || t.tags.length === 0)) {
      return 'route weight without a service needs tags';
    }
    return {
      op: 'weight',
      src,
      weight: t.weight,
      tags: t.tags ?? [],
      ...(service !== undefined ? { service } : {}),
    };
  }
  return `unknown command ${JSON.stringify(op ?? '')}`;
}

/**
 * Parses route language text, one command per line; blank lines and `#` comments are skipped.
 * Throws {@link RouteCommandError} naming the first bad line.
 */
export function parseRouteCommands(text: string): RouteCommand[] {
  const out: RouteCommand[] = [];
  const lines = text.split('\n');
  for (let n = 0; n < lines.length; n++) {
    const line = (lines[n] as string).trim();
    if (line === '' || line.startsWith('#')) continue;
    const words = tokenize(line);
    const cmd = typeof words === 'string' ? words : parseLine(words);
    if (typeof cmd === 'string') throw new RouteCommandError(n + 1, line, cmd);
    out.push(cmd);
  }
  return out;
}

function quoteOpts(opts: Readonly<Record<string, string>>): string {
  return Object.keys(opts)
    .sort()
    .map((k) => `${k}=${opts[k]}`)
    .join(' ');
}

/** Prints one command in canonical form (options sorted by key). */
export function formatRouteCommand(c: RouteCommand): string {
  if (c.op === 'add') {
    let s = `route add ${c.service} ${c.src} ${c.dst}`;
    if (c.weight !== undefined) s += ` weight ${c.weight}`;
    if (c.tags.length > 0) s += ` tags "${c.tags.join(',')}"`;
    if (Object.keys(c.opts).length > 0) s += ` opts "${quoteOpts(c.opts)}"`;
    return s;
  }
  if (c.op === 'del') {
    let s = 'route del';
    if (c.service !== undefined) s += ` ${c.service}`;
    if (c.tags !== undefined) return `${s} tags "${c.tags.join(',')}"`;
    if (c.src !== undefined) s += ` ${c.src}`;
    if (c.dst !== undefined) s += ` ${c.dst}`;
    return s;
  }
  let s = 'route weight';
  if (c.service !== undefined) s += ` ${c.service}`;
  s += ` ${c.src} weight ${c.weight}`;
  if (c.tags.length > 0) s += ` tags "${c.tags.join(',')}"`;
  return s;
}
