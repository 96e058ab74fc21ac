/**
 * The subset of HCL that Consul ACL rules are written in, read into the same plain object the
 * JSON form of the rules gives: `key_prefix "a/" { policy = "read" }` becomes
 * `{ key_prefix: { "a/": { policy: "read" } } }`, repeated blocks merge, and `operator = "read"`
 * stays a plain attribute. Comments (`#`, `//`, `/* *\/`), strings, numbers, booleans, lists
 * and nested objects are understood. Pure text in, object out; a syntax error throws a
 * RulesSyntaxError naming the line.
 */

/** A rules text that is neither HCL nor JSON. */
export class RulesSyntaxError extends Error {
  constructor(message: string, line: number) {
    super(`line ${line}: ${message}`);
  }
}

type Obj = Record<string, unknown>;

class Reader {
  pos = 0;
  constructor(readonly src: string) {}

  line(): number {
    return this.src.slice(0, this.pos).split('\n').length;
  }

  fail(message: string): never {
    throw new RulesSyntaxError(message, this.line());
  }

  /** Skips blanks, newlines, commas and comments. */
  skip(): void {
    for (;;) {
      const c = this.src[this.pos];
      if (c === undefined) return;
      if (c === ' ' || c === '\t' || c === '\r' || c === '\n' || c === ',' || c === ';') {
        this.pos++;
      } else if (c === '#' || (c === '/' && this.src[this.pos + 1] === '/')) {
        while (this.pos < this.src.length && this.src[this.pos] !== '\n') this.pos++;
      } else if (c === '/' && this.src[this.pos + 1] === '*') {
        const end = this.src.indexOf('*/', this.pos + 2);
        if (end < 0) this.fail('unterminated comment');
        this.pos = end + 2;
      } else return;
    }
  }

  peek(): string | undefined {
    this.skip();
    return this.src[this.pos];
  }

  ident(): string | undefined {
    this.skip();
    const m = /^[A-Za-z_][A-Za-z0-9_.-]*/.exec(this.src.slice(this.pos));
    if (!m) return undefined;
    this.pos += m[0].length;
    return m[0];
  }

  string(): string {
    this.skip();
    if (this.src[this.pos] !== '"') this.fail('expected a quoted string');
    let out = '';
    this.pos++;
    for (;;) {
      const c = this.src[this.pos++];
      if (c === undefined || c === '\n') this.fail('unterminated string');
      if (c === '"') return out;
      if (c !== '\\') {
        out += c;
        continue;
      }
      const e = this.src[this.pos++];
      const simple: Record<string, string> = { n: '\n', t: '\t', r: '\r', '"': '"', '\\': '\\' };
      if (e !== undefined && e in simple) out += simple[e];
      else if (e === 'u') {
        const hex = this.src.slice(this.pos, this.pos + 4);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.fail('bad \\u escape');
        out += String.fromCharCode(parseInt(hex, 16));
        this.pos += 4;
      } else this.fail(`bad escape \\${e ?? ''}`);
    }
  }

  value(): unknown {
    const c = this.peek();
    if (c === '"') return this.string();
    if (c === '{') return this.object();
    if (c === '[') {
      this.pos++;
      const list: unknown[] = [];
      while (this.peek() !== ']') {
        if (this.peek() === undefined) this.fail('unterminated list');
        list.push(this.value());
      }
      this.pos++;
      return list;
    }
    const m = /^(-?\d+(\.\d+)?|true|false)/.exec(this.src.slice(this.pos));
    if (!m) this.fail(`unexpected ${JSON.stringify(this.src.slice(this.pos, this.pos + 10))}`);
    this.pos += m[0].length;
    return m[0] === 'true' ? true : m[0] === 'false' ? false : Number(m[0]);
  }

  object(): Obj {
    if (this.peek() !== '{') this.fail('expected "{"');
    this.pos++;
    const out = this.body('}');
    this.pos++;
    return out;
  }

  /** Attributes and blocks until `close` (or the end of the text when close is undefined). */
  body(close: '}' | undefined): Obj {
    const out: Obj = {};
    for (;;) {
      const c = this.peek();
      if (c === close) return out;
      if (c === undefined) this.fail('expected "}" before the end of the rules');
      const key = c === '"' ? this.string() : this.ident();
      if (key === undefined) this.fail(`unexpected ${JSON.stringify(c)}`);
      if (this.peek() === '=' || this.peek() === ':') {
        this.pos++;
        merge(out, [key], this.value());
        continue;
      }
      const labels: string[] = [];
      while (this.peek() === '"') labels.push(this.string());
      if (this.peek() !== '{') this.fail(`expected "=" or a block after ${JSON.stringify(key)}`);
      merge(out, [key, ...labels], this.object());
    }
  }
}

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function merge(into: Obj, path: string[], value: unknown): void {
  let cur = into;
  for (const k of path.slice(0, -1)) {
    const next = cur[k];
    if (!isObj(next)) cur[k] = {};
    cur = cur[k] as Obj;
  }
  const last = path[path.length - 1] as string;
  const prev = cur[last];
  if (isObj(prev) && isObj(value)) {
    for (const [k, v] of Object.entries(value)) merge(prev, [k], v);
  } else cur[last] = value;
}

/** Parses rules written in HCL (or JSON, which is valid input too) into a plain object. */
export function parseHcl(text: string): Obj {
  const trimmed = text.trim();
  if (trimmed.startsWith('{')) {
    try {
      const v = JSON.parse(trimmed) as unknown;
      if (isObj(v)) return v;
    } catch {
      // Not JSON: fall through to HCL, which also reads a braced body.
    }
  }
  const r = new Reader(text);
  const out = r.body(undefined);
  return out;
}
