/**
 * Seeded generators of HTTP/1.x messages for the differential fuzz: request and response
 * heads built from a grammar with the usual smuggling suspects (framing header variants, OWS
 * look-alikes, CTLs, bare CR/LF, obs-fold, odd versions and targets), chunked bodies with
 * extensions and trailers, and byte-level mutations of all of them.
 */

/** mulberry32: small, fast, good enough to spread cases. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class Gen {
  constructor(readonly r: () => number) {}

  int(n: number): number {
    return Math.floor(this.r() * n);
  }

  chance(p: number): boolean {
    return this.r() < p;
  }

  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)] as T;
  }

  /** Mostly `common`, sometimes one of `odd`. */
  mostly<T>(common: T, odd: readonly T[], p = 0.94): T {
    return this.chance(p) ? common : this.pick(odd);
  }
}

const ODD_BYTES = [
  '\x00',
  '\x01',
  '\x08',
  '\t',
  '\n',
  '\x0b',
  '\x0c',
  '\r',
  '\x1f',
  ' ',
  '"',
  '#',
  '%',
  '(',
  ',',
  '/',
  ':',
  ';',
  '=',
  '?',
  '@',
  '[',
  '\\',
  '_',
  '`',
  '{',
  '\x7f',
  '\x80',
  '\xa0',
  '\xff',
];
const TOKEN_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+-.^_`|~";
const OWS = ['', '', '', ' ', '\t', '  ', ' \t'];
const OWS_ODD = ['\x0b', '\x0c', '\xa0', '\x00', '\r', '\n', '\x85'];

function token(g: Gen, min = 1, max = 12): string {
  let s = '';
  const n = min + g.int(max - min + 1);
  for (let i = 0; i < n; i++) s += TOKEN_CHARS[g.int(TOKEN_CHARS.length)];
  return s;
}

function ows(g: Gen): string {
  return g.chance(0.97) ? g.pick(OWS) : g.pick(OWS_ODD);
}

function value(g: Gen): string {
  let s = g.chance(0.5) ? token(g, 0, 10) : g.pick(VALUES);
  if (g.chance(0.03)) {
    const at = g.int(s.length + 1);
    s = s.slice(0, at) + g.pick(ODD_BYTES) + s.slice(at);
  }
  return ows(g) + s + ows(g);
}

const VALUES = ['1.2.3.4', 'a b', 'x/y', '"q"', ''];
const NAMES = [
  'X-Forwarded-For',
  'Accept',
  'User-Agent',
  'X-Test',
  'Content_Length',
  'Transfer_Encoding',
  'X-Real-Ip',
  'Keep-Alive',
  'TE',
  'Trailer',
  'Expect',
  'Cookie',
  'X_Forwarded_For',
  'Via',
];
const RARE_NAMES = ['Host', 'Content-Length', 'Transfer-Encoding', 'Connection', 'Upgrade'];

function name(g: Gen): string {
  const base = g.chance(0.97) ? g.pick(NAMES) : g.pick(RARE_NAMES);
  if (g.chance(0.94)) return g.chance(0.2) ? base.toLowerCase() : base;
  if (g.chance(0.5)) return token(g);
  const at = g.int(base.length + 1);
  return base.slice(0, at) + g.pick(ODD_BYTES) + base.slice(at);
}

function lengthValue(g: Gen, n: number): string {
  return g.mostly(String(n), [
    `${n}, ${n}`,
    `+${n}`,
    `-${n}`,
    `0${n}`,
    `${n}.0`,
    '',
    'abc',
    `${n}\x0b`,
    `${n}\xa0`,
    ` ${n}`,
    `${n} `,
    '99999999999999999999',
    `0x${n.toString(16)}`,
  ]);
}

function teValue(g: Gen): string {
  return g.mostly('chunked', [
    'Chunked',
    'CHUNKED',
    'chunked, chunked',
    'gzip, chunked',
    'chunked, gzip',
    'gzip',
    'identity',
    ' chunked',
    'chunked ',
    '\tchunked',
    'chunked\x0b',
    '\x0cchunked',
    'chunked\xa0',
    'chunk',
    'chunked;q=1',
    '"chunked"',
    '',
    'x-chunked',
  ]);
}

/** A chunked body (framing only, random data), sometimes broken. */
export function chunkedBody(g: Gen): string {
  let s = '';
  const n = g.int(4);
  for (let i = 0; i < n; i++) {
    const size = g.int(40);
    let hex = size.toString(16);
    if (g.chance(0.2)) hex = hex.toUpperCase();
    if (g.chance(0.05)) hex = '0' + hex;
    if (g.chance(0.03)) hex = g.pick(['', 'g', ' 1', '1 ', '-1', 'fffffffffffffffff', '0x1']);
    let ext = '';
    if (g.chance(0.15)) {
      ext = g.pick([
        ';a',
        ';a=b',
        ';a="b c"',
        ';a=b;c=d',
        '; a=b',
        ';a =b',
        ';=b',
        ';a=',
        ';\x00',
        ' ;a',
      ]);
    }
    s += hex + ext + g.mostly('\r\n', ['\n', '\r', '\r\r\n'], 0.97);
    s += 'x'.repeat(size) + g.mostly('\r\n', ['\n', '', 'xx\r\n'], 0.97);
  }
  s += g.mostly('0', ['00', '000', '0;a=b'], 0.9) + '\r\n';
  if (g.chance(0.2)) {
    s += g.pick([
      'X-Trailer: v\r\n',
      'x: 1\r\n',
      'Bad Name: v\r\n',
      'noColon\r\n',
      ' folded\r\n',
      'X: a\x01b\r\n',
    ]);
  }
  s += g.mostly('\r\n', ['\n', '', 'garbage\r\n'], 0.97);
  return s;
}

/** A request message (head and body), mostly well formed. */
export function request(g: Gen): string {
  const method = g.mostly(
    g.pick(['GET', 'GET', 'POST', 'PUT', 'HEAD', 'DELETE', 'OPTIONS', 'PATCH']),
    ['get', 'FOO', 'G ET', '', 'CONNECT', 'TRACE', 'M-SEARCH', 'PROPFIND', 'GET\t'],
  );
  let target = g.mostly(g.pick(['/', '/a/b', '/a?x=1', '/x/../y', '/%2e%2e/z', '/p?q=%20']), [
    '*',
    'http://h.example/p',
    'https://h:8443',
    'h/p',
    '',
    '/a b',
    '/a#f',
    '/a\\b',
    '/\x7f',
    '/\x80',
    '/\x00',
    '//',
  ]);
  if (g.chance(0.03)) target += g.pick(ODD_BYTES);
  const version = g.mostly(g.pick(['HTTP/1.1', 'HTTP/1.1', 'HTTP/1.1', 'HTTP/1.0']), [
    'HTTP/2.0',
    'HTTP/1.2',
    'http/1.1',
    'HTTP/1.10',
    'HTTP/1',
    'HTTP/1.1 ',
    'HTTP /1.1',
    'HTTP/0.9',
  ]);
  const sp = () => g.mostly(' ', ['  ', '\t', '']);
  const eol = () => g.mostly('\r\n', ['\n', '\r', '\n\r'], 0.98);
  let s = method + sp() + target + sp() + version + eol();
  const headers: string[] = [];
  if (g.chance(0.97)) {
    const host = g.mostly('h.example', ['', 'a b', 'h/x', 'u@h', '[::1]:80', 'h:80']);
    headers.push(`Host:${ows(g)}${host}`);
  }
  // 0: length, 1: chunked, 2: both (smuggling), 3: two lengths, 4: none
  const framing = g.chance(0.94) ? g.pick([0, 0, 1, 4, 4]) : g.pick([2, 3]);
  const bodyLen = g.int(20);
  if (framing === 0) headers.push(`Content-Length:${ows(g)}${lengthValue(g, bodyLen)}`);
  else if (framing === 1) headers.push(`Transfer-Encoding:${ows(g)}${teValue(g)}`);
  else if (framing === 2) {
    headers.push(`Content-Length: ${lengthValue(g, bodyLen)}`, `Transfer-Encoding: ${teValue(g)}`);
  } else if (framing === 3) {
    headers.push(
      `Content-Length: ${bodyLen}`,
      `Content-Length: ${g.mostly(bodyLen, [bodyLen + 1])}`,
    );
  }
  if (g.chance(0.1))
    headers.push(
      `Connection: ${g.pick(['close', 'keep-alive', 'upgrade', 'Upgrade, close', 'x-a'])}`,
    );
  if (g.chance(0.05)) headers.push(`Upgrade: ${g.pick(['websocket', 'h2c', ''])}`);
  const extra = g.int(5);
  for (let i = 0; i < extra; i++)
    headers.push(`${name(g)}${g.mostly(':', [' :', '', '::'], 0.97)}${value(g)}`);
  for (let i = headers.length - 1; i > 0; i--) {
    const j = g.int(i + 1);
    [headers[i], headers[j]] = [headers[j] as string, headers[i] as string];
  }
  for (const h of headers) s += (g.chance(0.01) ? g.pick([' ', '\t']) : '') + h + eol();
  s += eol();
  if (framing === 0 || framing === 3) s += 'b'.repeat(bodyLen);
  else if (framing !== 4) s += chunkedBody(g);
  // empty lines before a request line are allowed (RFC 9112 §2.2), bare ones are not
  return g.chance(0.03) ? g.pick(['\r\n', '\r\n\r\n', '\n', '\r']) + s : s;
}

/** A response message. */
export function response(g: Gen): string {
  const status = g.mostly(
    g.pick(['200', '201', '204', '301', '304', '404', '500', '503', '100', '101']),
    ['20', '2000', 'abc', '099', '600', ''],
  );
  const version = g.mostly(g.pick(['HTTP/1.1', 'HTTP/1.0']), [
    'HTTP/2',
    'HTTP/1.2',
    'http/1.1',
    'HTTP/1.1 ',
  ]);
  const reason = g.mostly(' OK', ['', ' ', ' Not\x00OK', ' A\x01', ' Ok\tok', ' \xe9']);
  const eol = () => g.mostly('\r\n', ['\n', '\r'], 0.98);
  let s = `${version} ${status}${reason}${eol()}`;
  const headers: string[] = [];
  let framing = g.int(10);
  const bodyLen = g.int(20);
  if (framing < 4) headers.push(`Content-Length:${ows(g)}${lengthValue(g, bodyLen)}`);
  else if (framing < 7) headers.push(`Transfer-Encoding:${ows(g)}${teValue(g)}`);
  else if (framing === 7)
    headers.push(`Content-Length: ${bodyLen}`, `Transfer-Encoding: ${teValue(g)}`);
  else framing = 9;
  if (g.chance(0.15))
    headers.push(`Connection: ${g.pick(['close', 'keep-alive', 'x-a', 'upgrade'])}`);
  const extra = g.int(5);
  for (let i = 0; i < extra; i++)
    headers.push(`${name(g)}${g.mostly(':', [' :', ''], 0.97)}${value(g)}`);
  for (const h of headers) s += (g.chance(0.01) ? ' ' : '') + h + eol();
  s += eol();
  if (framing < 4 || framing === 7) s += 'r'.repeat(bodyLen);
  else if (framing < 7) s += chunkedBody(g);
  else s += 'until close';
  return s;
}

/** One to three byte edits: insert, delete or replace, biased towards odd bytes. */
export function mutate(g: Gen, s: string): string {
  const edits = 1 + g.int(3);
  for (let i = 0; i < edits && s.length > 0; i++) {
    const at = g.int(s.length);
    const b = g.chance(0.7) ? g.pick(ODD_BYTES) : String.fromCharCode(g.int(256));
    const op = g.int(4);
    if (op === 0) s = s.slice(0, at) + b + s.slice(at);
    else if (op === 1) s = s.slice(0, at) + s.slice(at + 1);
    else if (op === 2) s = s.slice(0, at) + b + s.slice(at + 1);
    else {
      // duplicate a line
      const start = s.lastIndexOf('\n', at) + 1;
      const end = s.indexOf('\n', at);
      if (end > start) s = s.slice(0, end + 1) + s.slice(start, end + 1) + s.slice(end + 1);
    }
  }
  return s;
}
