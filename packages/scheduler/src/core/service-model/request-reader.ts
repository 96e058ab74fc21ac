/**
 * Typed reads of an untrusted JSON request body, each naming the field it reads, so that a
 * wrong type becomes an InvalidParameterException that says where. Pure; must never coerce a
 * value silently (a string "3" is not a count).
 */
import { ServiceRequestError } from './errors.js';

/** A JSON object read field by field; `path` prefixes field names in messages. */
export class RequestReader {
  readonly path: string;
  private readonly obj: Readonly<Record<string, unknown>>;

  constructor(obj: Readonly<Record<string, unknown>>, path = '') {
    this.obj = obj;
    this.path = path;
  }

  /** The request body as a reader; a non-object body is a ClientException. */
  static root(input: unknown): RequestReader {
    if (!isObject(input)) {
      throw new ServiceRequestError(
        'ClientException',
        '',
        'The request body must be a JSON object.',
      );
    }
    return new RequestReader(input);
  }

  /** The full path of a field of this object. */
  field(name: string): string {
    return this.path === '' ? name : `${this.path}.${name}`;
  }

  has(name: string): boolean {
    return this.obj[name] !== undefined && this.obj[name] !== null;
  }

  raw(name: string): unknown {
    const v = this.obj[name];
    return v === null ? undefined : v;
  }

  string(name: string): string | undefined {
    const v = this.raw(name);
    if (v === undefined) return undefined;
    if (typeof v !== 'string')
      throw invalid(this.field(name), `${this.field(name)} must be a string.`);
    return v;
  }

  requiredString(name: string, blankMessage: string): string {
    const v = this.string(name);
    if (v === undefined || v.trim() === '') throw invalid(this.field(name), blankMessage);
    return v;
  }

  boolean(name: string): boolean | undefined {
    const v = this.raw(name);
    if (v === undefined) return undefined;
    if (typeof v !== 'boolean') {
      throw invalid(this.field(name), `${this.field(name)} must be a boolean.`);
    }
    return v;
  }

  requiredBoolean(name: string): boolean {
    const v = this.boolean(name);
    if (v === undefined) throw invalid(this.field(name), `${this.field(name)} is required.`);
    return v;
  }

  /** An integer within [min, max]; the message gives the range. */
  integer(name: string, min: number, max: number): number | undefined {
    const v = this.raw(name);
    if (v === undefined) return undefined;
    const f = this.field(name);
    if (typeof v !== 'number' || !Number.isInteger(v)) throw invalid(f, `${f} must be an integer.`);
    if (v < min || v > max) {
      throw invalid(f, `${f} must be between ${min} and ${max}. Value: ${v}.`);
    }
    return v;
  }

  object(name: string): RequestReader | undefined {
    const v = this.raw(name);
    if (v === undefined) return undefined;
    if (!isObject(v)) throw invalid(this.field(name), `${this.field(name)} must be an object.`);
    return new RequestReader(v, this.field(name));
  }

  /** An array of objects, each as a reader named `field[i]`; at most `max` entries. */
  objects(name: string, max: number): RequestReader[] | undefined {
    const v = this.raw(name);
    if (v === undefined) return undefined;
    const f = this.field(name);
    if (!Array.isArray(v)) throw invalid(f, `${f} must be a list.`);
    if (v.length > max)
      throw invalid(f, `${f} can have at most ${max} entries. Count: ${v.length}.`);
    return v.map((e: unknown, i) => {
      if (!isObject(e)) throw invalid(`${f}[${i}]`, `${f}[${i}] must be an object.`);
      return new RequestReader(e, `${f}[${i}]`);
    });
  }

  /** One of `choices`, in AWS's enum wording. */
  enumOf<T extends string>(name: string, choices: readonly T[]): T | undefined {
    const v = this.string(name);
    if (v === undefined) return undefined;
    if (!(choices as readonly string[]).includes(v)) {
      const f = this.field(name);
      throw invalid(
        f,
        `Value '${v}' at '${f}' failed to satisfy constraint: ` +
          `Member must satisfy enum value set: [${choices.join(', ')}]`,
      );
    }
    return v as T;
  }
}

/** An InvalidParameterException about `field`. */
export function invalid(field: string, message: string): ServiceRequestError {
  return new ServiceRequestError('InvalidParameterException', field, message);
}

/** A ClientException about `field`. */
export function clientError(field: string, message: string): ServiceRequestError {
  return new ServiceRequestError('ClientException', field, message);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
