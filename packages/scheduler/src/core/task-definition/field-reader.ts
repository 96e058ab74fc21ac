/**
 * Typed reads of one JSON object of a request (a task definition, a container, a volume...),
 * each failing with a TaskDefinitionError that names the field and the thing it belongs to, in
 * ECS's "Invalid 'x' setting for container 'web'" style. JSON null counts as absent, as AWS's
 * JSON protocol treats it. Pure: must never do I/O.
 */

import { TaskDefinitionError, type EcsValidationType } from './errors.js';
import type { OpaqueJson } from '@berth/protocol';

interface IntRange {
  min?: number;
  max?: number;
}

/** Reads fields of `obj`, which sits at `path` and is described as `owner` in messages. */
export class FieldReader {
  readonly obj: Readonly<Record<string, unknown>>;

  /**
   * @param value the JSON value (checked to be an object)
   * @param path where it sits: `containerDefinitions[2]`
   * @param owner how messages name it: `container 'web'`, `the task definition`
   */
  constructor(
    value: unknown,
    readonly path: string,
    readonly owner: string,
  ) {
    if (!isObject(value)) {
      throw new TaskDefinitionError('ClientException', path, `${path} must be a JSON object.`);
    }
    this.obj = value;
  }

  /** The path of a field of this object. */
  at(key: string): string {
    return this.path === '' ? key : `${this.path}.${key}`;
  }

  /** Throws "Invalid 'key' setting for <owner>: reason". */
  fail(key: string, reason: string, type: EcsValidationType = 'ClientException'): never {
    throw new TaskDefinitionError(
      type,
      this.at(key),
      `Invalid '${key}' setting for ${this.owner}: ${reason}.`,
    );
  }

  has(key: string): boolean {
    const v = this.obj[key];
    return v !== undefined && v !== null;
  }

  raw(key: string): unknown {
    const v = this.obj[key];
    return v === null ? undefined : v;
  }

  str(key: string, max?: number): string | undefined {
    const v = this.raw(key);
    if (v === undefined) return undefined;
    if (typeof v !== 'string') this.fail(key, 'must be a string');
    if (max !== undefined && v.length > max) this.fail(key, `must be at most ${max} characters`);
    return v;
  }

  oneOf<T extends string>(key: string, choices: readonly T[]): T | undefined {
    const v = this.str(key);
    if (v === undefined) return undefined;
    if (!(choices as readonly string[]).includes(v)) {
      this.fail(key, `'${v}' is not one of ${choices.join(', ')}`);
    }
    return v as T;
  }

  int(key: string, range: IntRange = {}): number | undefined {
    const v = this.raw(key);
    if (v === undefined) return undefined;
    if (typeof v !== 'number' || !Number.isSafeInteger(v)) this.fail(key, 'must be an integer');
    if (range.min !== undefined && v < range.min) this.fail(key, rangeText(range));
    if (range.max !== undefined && v > range.max) this.fail(key, rangeText(range));
    return v;
  }

  bool(key: string): boolean | undefined {
    const v = this.raw(key);
    if (v === undefined) return undefined;
    if (typeof v !== 'boolean') this.fail(key, 'must be true or false');
    return v;
  }

  /** A list; `undefined` when absent. */
  list(key: string, max?: number): unknown[] | undefined {
    const v = this.raw(key);
    if (v === undefined) return undefined;
    if (!Array.isArray(v)) this.fail(key, 'must be a list');
    if (max !== undefined && v.length > max) this.fail(key, `at most ${max} entries are allowed`);
    return v;
  }

  strList(key: string, max?: number): string[] | undefined {
    const v = this.list(key, max);
    if (v === undefined) return undefined;
    v.forEach((s, i) => {
      if (typeof s !== 'string') this.fail(`${key}[${i}]`, 'must be a string');
    });
    return [...(v as string[])];
  }

  intList(key: string, max?: number): number[] | undefined {
    const v = this.list(key, max);
    if (v === undefined) return undefined;
    v.forEach((n, i) => {
      if (typeof n !== 'number' || !Number.isSafeInteger(n)) {
        this.fail(`${key}[${i}]`, 'must be an integer');
      }
    });
    return [...(v as number[])];
  }

  /** A string-to-string map (dockerLabels, log options). */
  strMap(key: string): Record<string, string> | undefined {
    const v = this.raw(key);
    if (v === undefined) return undefined;
    if (!isObject(v)) this.fail(key, 'must be a map of strings');
    const out: Record<string, string> = {};
    for (const [k, s] of Object.entries(v)) {
      if (k === '') this.fail(key, 'keys must not be empty');
      if (typeof s !== 'string') this.fail(`${key}.${k}`, 'must be a string');
      out[k] = s;
    }
    return out;
  }

  /** A nested object read with its own reader. */
  child(key: string, owner = this.owner): FieldReader | undefined {
    const v = this.raw(key);
    if (v === undefined) return undefined;
    if (!isObject(v)) this.fail(key, 'must be an object');
    return new FieldReader(v, this.at(key), owner);
  }

  /** An object berth carries through without interpreting. */
  opaque(key: string): OpaqueJson | undefined {
    const v = this.raw(key);
    if (v === undefined) return undefined;
    if (!isObject(v)) this.fail(key, 'must be an object');
    return v;
  }

  opaqueList(key: string): OpaqueJson[] | undefined {
    const v = this.list(key);
    if (v === undefined) return undefined;
    v.forEach((o, i) => {
      if (!isObject(o)) this.fail(`${key}[${i}]`, 'must be an object');
    });
    return v as OpaqueJson[];
  }
}

function rangeText(r: IntRange): string {
  if (r.min !== undefined && r.max !== undefined) return `must be between ${r.min} and ${r.max}`;
  if (r.min !== undefined) return `must be at least ${r.min}`;
  return `must be at most ${r.max}`;
}

/** A plain JSON object (not null, not an array). */
export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
