/**
 * A minimal, strict HTTP/1.x request head parser for the proxy's hot path. It splits out what
 * the proxy rewrites (Host, hop-by-hop, X-Forwarded-*, framing) and keeps the other header
 * lines verbatim. It must never accept an ambiguous message (request smuggling): conflicting
 * lengths, Transfer-Encoding other than chunked, obs-fold, bare LF or CR, control characters.
 */
import { RequestError } from './errors.js';

/** A parsed request head. Header lines not listed below are kept verbatim in `rest`. */
export interface RequestHead {
  readonly method: string;
  /** Path without the query. */
  readonly path: string;
  /** `?query` or ''. */
  readonly query: string;
  /** 0 for HTTP/1.0, 1 for HTTP/1.1. */
  readonly minor: 0 | 1;
  /** Host header (or absolute-form authority) as sent. */
  readonly host: string;
  /** Kept header lines, each ending in CRLF. */
  readonly rest: string;
  /** -1 when absent. */
  readonly contentLength: number;
  readonly chunked: boolean;
  readonly keepAlive: boolean;
  /** The Upgrade header when `Connection: upgrade` asks for it. */
  readonly upgrade: string | undefined;
  readonly xForwardedFor: string | undefined;
  readonly xForwardedProto: string | undefined;
  readonly xForwardedHost: string | undefined;
  readonly xForwardedPort: string | undefined;
  readonly forwarded: string | undefined;
  readonly requestId: string | undefined;
}

const TOKEN_RE = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const TARGET_RE = /^[\x21-\x7e\x80-\xff]+$/;
// eslint-disable-next-line no-control-regex
const BAD_VALUE_RE = /[\x00-\x08\x0a-\x1f\x7f]/;
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authorization',
  'proxy-authenticate',
  'te',
  'trailer',
  'upgrade',
  'transfer-encoding',
  'content-length',
  'host',
  'x-forwarded-for',
  'x-forwarded-proto',
  'x-forwarded-host',
  'x-forwarded-port',
  'x-real-ip',
  'forwarded',
]);

function bad(reason: string, status = 400): never {
  throw new RequestError(status, reason);
}

function join(a: string | undefined, b: string): string {
  return a === undefined ? b : `${a}, ${b}`;
}

/**
 * Parses the head in `head` (latin1 text without the final empty line). Throws
 * {@link RequestError} with the status to answer on anything malformed.
 */
export function parseRequestHead(head: string): RequestHead {
  let eol = head.indexOf('\r\n');
  if (eol < 0) eol = head.length;
  const line = head.slice(0, eol);
  const sp1 = line.indexOf(' ');
  const sp2 = line.indexOf(' ', sp1 + 1);
  if (sp1 <= 0 || sp2 < 0) bad('malformed request line');
  const method = line.slice(0, sp1);
  let target = line.slice(sp1 + 1, sp2);
  const version = line.slice(sp2 + 1);
  let minor: 0 | 1;
  if (version === 'HTTP/1.1') minor = 1;
  else if (version === 'HTTP/1.0') minor = 0;
  else if (/^HTTP\/\d\.\d$/.test(version)) bad(`unsupported version ${version}`, 505);
  else bad('malformed request line');
  if (!TOKEN_RE.test(method)) bad('malformed method');
  if (method === 'CONNECT') bad('CONNECT is not supported', 405);
  if (!TARGET_RE.test(target)) bad('malformed request target');
  let authority: string | undefined;
  if (target.charCodeAt(0) !== 47 /* / */) {
    const m = /^https?:\/\/([^/?#]+)(.*)$/i.exec(target);
    if (m !== null) {
      authority = m[1] as string;
      target = m[2] === '' || m[2]?.charCodeAt(0) === 63 ? `/${m[2] ?? ''}` : (m[2] as string);
    } else if (!(target === '*' && method === 'OPTIONS')) bad('malformed request target');
  }
  const q = target.indexOf('?');
  const path = q < 0 ? target : target.slice(0, q);
  const query = q < 0 ? '' : target.slice(q);

  let host: string | undefined;
  let rest = '';
  let contentLength = -1;
  let te: string | undefined;
  let connection = '';
  let upgradeValue: string | undefined;
  let xff: string | undefined;
  let xfProto: string | undefined;
  let xfHost: string | undefined;
  let xfPort: string | undefined;
  let forwarded: string | undefined;
  let requestId: string | undefined;
  let nominated: string[] | undefined;

  let pos = eol + 2;
  while (pos < head.length) {
    let end = head.indexOf('\r\n', pos);
    if (end < 0) end = head.length;
    const h = head.slice(pos, end);
    pos = end + 2;
    const colon = h.indexOf(':');
    if (colon <= 0)
      bad(h.charCodeAt(0) === 32 || h.charCodeAt(0) === 9 ? 'obs-fold' : 'bad header');
    const name = h.slice(0, colon);
    if (!TOKEN_RE.test(name)) bad('bad header name');
    const value = h.slice(colon + 1).trim();
    if (BAD_VALUE_RE.test(value)) bad('bad header value');
    const lower = name.toLowerCase();
    if (!HOP_BY_HOP.has(lower)) {
      if (lower === 'x-request-id') requestId = value;
      rest += h + '\r\n';
      continue;
    }
    switch (lower) {
      case 'host':
        if (host !== undefined) bad('more than one Host');
        host = value;
        break;
      case 'content-length': {
        if (!/^\d{1,15}$/.test(value)) bad('bad Content-Length');
        const n = Number(value);
        if (contentLength >= 0 && contentLength !== n) bad('conflicting Content-Length');
        contentLength = n;
        break;
      }
      case 'transfer-encoding':
        te = join(te, value);
        break;
      case 'connection':
        connection = join(connection || undefined, value.toLowerCase());
        break;
      case 'upgrade':
        upgradeValue = value;
        break;
      case 'x-forwarded-for':
        xff = join(xff, value);
        break;
      case 'x-forwarded-proto':
        xfProto ??= value;
        break;
      case 'x-forwarded-host':
        xfHost ??= value;
        break;
      case 'x-forwarded-port':
        xfPort ??= value;
        break;
      case 'forwarded':
        forwarded = join(forwarded, value);
        break;
      default:
        // other hop-by-hop headers are dropped
        break;
    }
  }
  let chunked = false;
  if (te !== undefined) {
    if (te.toLowerCase() !== 'chunked') bad('unsupported Transfer-Encoding', 501);
    if (contentLength >= 0) bad('both Content-Length and Transfer-Encoding');
    if (minor === 0) bad('Transfer-Encoding in HTTP/1.0');
    chunked = true;
  }
  if (host === undefined) {
    if (minor === 1 && authority === undefined) bad('missing Host');
    host = authority ?? '';
  } else if (authority !== undefined) {
    host = authority;
  }
  if (/[\s/\\@]/.test(host)) bad('bad Host');
  let hasClose = false;
  let hasKeepAlive = false;
  let upgrade: string | undefined;
  if (connection !== '') {
    for (const tok of connection.split(',')) {
      const t = tok.trim();
      if (t === 'close') hasClose = true;
      else if (t === 'keep-alive') hasKeepAlive = true;
      else if (t === 'upgrade') upgrade = upgradeValue;
      else if (t !== '') (nominated ??= []).push(t);
    }
  }
  const keepAlive = !hasClose && (minor === 1 || hasKeepAlive);
  if (nominated !== undefined) {
    const drop = new Set(nominated);
    rest = rest
      .split('\r\n')
      .filter((l) => l !== '' && !drop.has(l.slice(0, l.indexOf(':')).toLowerCase()))
      .map((l) => l + '\r\n')
      .join('');
    if (requestId !== undefined && drop.has('x-request-id')) requestId = undefined;
  }
  return {
    method,
    path,
    query,
    minor,
    host,
    rest,
    contentLength,
    chunked,
    keepAlive,
    upgrade,
    xForwardedFor: xff,
    xForwardedProto: xfProto,
    xForwardedHost: xfHost,
    xForwardedPort: xfPort,
    forwarded,
    requestId,
  };
}

/** True for methods that are safe to send twice (RFC 9110 §9.2.2). */
export function isIdempotent(method: string): boolean {
  switch (method) {
    case 'GET':
    case 'HEAD':
    case 'OPTIONS':
    case 'TRACE':
    case 'PUT':
    case 'DELETE':
      return true;
    default:
      return false;
  }
}
