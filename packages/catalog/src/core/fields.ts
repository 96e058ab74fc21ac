/**
 * Reads decoded JSON request bodies the way Go's `encoding/json` fills Consul's structs: field
 * names match case-insensitively, snake_case aliases are accepted, and a wrong type is a
 * `Request decode failed` error. Never use it for map-valued fields' keys (Meta, Header).
 */
import { BadRequestError } from '../errors.js';
import { durationFieldNs } from './go-duration.js';

function norm(key: string): string {
  return key.toLowerCase().replace(/_/g, '');
}

function decodeError(field: string, want: string): BadRequestError {
  return new BadRequestError(
    `Request decode failed: json: cannot unmarshal into Go struct field ${field} of type ${want}`,
  );
}

/** True for a plain JSON object (not an array, not null). */
export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Case-insensitive, snake_case-tolerant accessor over one JSON object. */
export class Fields {
  readonly #values = new Map<string, unknown>();
  readonly #what: string;

  constructor(obj: unknown, what: string) {
    this.#what = what;
    if (obj === undefined || obj === null) return;
    if (!isObject(obj)) throw decodeError(what, 'object');
    for (const [k, v] of Object.entries(obj)) this.#values.set(norm(k), v);
  }

  /** True when the key is present (even with a null value). */
  has(name: string): boolean {
    return this.#values.has(norm(name));
  }

  /** The raw value of the first present alias. */
  raw(...names: string[]): unknown {
    for (const n of names) {
      const v = this.#values.get(norm(n));
      if (v !== undefined) return v;
    }
    return undefined;
  }

  str(name: string, ...aliases: string[]): string | undefined {
    const v = this.raw(name, ...aliases);
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'string') throw decodeError(`${this.#what}.${name}`, 'string');
    return v;
  }

  int(name: string, ...aliases: string[]): number | undefined {
    const v = this.raw(name, ...aliases);
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'number' || !Number.isInteger(v)) {
      throw decodeError(`${this.#what}.${name}`, 'int');
    }
    return v;
  }

  bool(name: string, ...aliases: string[]): boolean | undefined {
    const v = this.raw(name, ...aliases);
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'boolean') throw decodeError(`${this.#what}.${name}`, 'bool');
    return v;
  }

  strList(name: string, ...aliases: string[]): string[] | undefined {
    const v = this.raw(name, ...aliases);
    if (v === undefined || v === null) return undefined;
    if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) {
      throw decodeError(`${this.#what}.${name}`, '[]string');
    }
    return v as string[];
  }

  strMap(name: string, ...aliases: string[]): Record<string, string> | undefined {
    const v = this.raw(name, ...aliases);
    if (v === undefined || v === null) return undefined;
    if (!isObject(v) || !Object.values(v).every((x) => typeof x === 'string')) {
      throw decodeError(`${this.#what}.${name}`, 'map[string]string');
    }
    return { ...(v as Record<string, string>) };
  }

  /** A nested object as Fields, or undefined when absent/null. */
  obj(name: string, ...aliases: string[]): Fields | undefined {
    const v = this.raw(name, ...aliases);
    if (v === undefined || v === null) return undefined;
    return new Fields(v, `${this.#what}.${name}`);
  }

  /** A duration in nanoseconds (Go string or JSON nanoseconds). */
  durationNs(name: string, ...aliases: string[]): number | undefined {
    const v = this.raw(name, ...aliases);
    const ns = durationFieldNs(v);
    if (ns !== undefined && Number.isNaN(ns)) {
      throw new BadRequestError(
        `Request decode failed: time: invalid duration ${JSON.stringify(String(v))}`,
      );
    }
    return ns;
  }
}
