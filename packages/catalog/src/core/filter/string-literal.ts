/**
 * Quoted string literals of the filter language, as go-bexpr reads them: `"..."` with Go's
 * `strconv.Unquote` escapes, or a raw `` `...` `` string. Pure; it reports problems as values
 * (position and message) and leaves raising errors to the parser.
 */

/** The literal's text and the index just past its closing quote, or where and why it is bad. */
export type StringLiteral =
  | { readonly ok: true; readonly value: string; readonly end: number }
  | { readonly ok: false; readonly at: number; readonly message: string };

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  '\\': '\\',
  '"': '"',
};

/** Reads the literal whose opening quote (`"` or `` ` ``) is at `start`. */
export function readStringLiteral(src: string, start: number): StringLiteral {
  const unterminated = { ok: false, at: start, message: 'unterminated string literal' } as const;
  if (src[start] === '`') {
    const close = src.indexOf('`', start + 1);
    if (close < 0) return unterminated;
    return { ok: true, value: src.slice(start + 1, close), end: close + 1 };
  }
  let out = '';
  let pos = start + 1;
  for (;;) {
    const ch = src[pos];
    if (ch === undefined || ch === '\n') return unterminated;
    pos++;
    if (ch === '"') return { ok: true, value: out, end: pos };
    if (ch !== '\\') {
      out += ch;
      continue;
    }
    const e = src[pos++];
    if (e !== undefined && Object.hasOwn(SIMPLE_ESCAPES, e)) {
      out += SIMPLE_ESCAPES[e];
      continue;
    }
    const hexLen = e === 'x' ? 2 : e === 'u' ? 4 : e === 'U' ? 8 : 0;
    const hex = src.slice(pos, pos + hexLen);
    const code = parseInt(hex, 16);
    if (hexLen > 0 && hex.length === hexLen && /^[0-9A-Fa-f]+$/.test(hex) && code <= 0x10ffff) {
      out += String.fromCodePoint(code);
      pos += hexLen;
      continue;
    }
    return {
      ok: false,
      at: pos - 2,
      message: `invalid escape sequence "\\${e ?? ''}" in string literal`,
    };
  }
}
