/**
 * A strict HTTP/1.x request head parser for the proxy's hot path (RFC 9112). It splits out
 * what the proxy rewrites (Host, hop-by-hop, forwarding headers, framing) and keeps the other
 * header lines verbatim. It must never accept an ambiguous message (request smuggling):
 * conflicting lengths, a Transfer-Encoding other than chunked, obs-fold, bare CR or LF,
 * control characters, whitespace other than SP/HTAB around values, an empty or second Host.
 */
import { RequestError } from '../errors.js';
import { normalizePath } from './path.js';
import { badChars, lineEnd, fieldColon, fieldValue, tabAtEnd } from './field-lines.js';

/** A parsed request head. Header lines not listed below are kept verbatim in `rest`. */
export interface RequestHead {
  readonly method: string;
  /** The request-target as sent. */
  readonly target: string;
  /** Path without the query, normalised (see path.ts): what is matched and forwarded. */
  readonly path: string;
  /** `?query` or ''. */
  readonly query: string;
  /** 0 for HTTP/1.0, 1 for HTTP/1.1. */
  readonly minor: 0 | 1;
  /** Host header (or absolute-form authority); '' only for HTTP/1.0 without one. */
  readonly host: string;
  /** Kept header lines, each ending in CRLF. */
  readonly rest: string;
  /** -1 when absent. */
  readonly contentLength: number;
  readonly chunked: boolean;
  readonly keepAlive: boolean;
  /** The Upgrade header when `Connection: upgrade` asks for it (HTTP/1.1 only). */
  readonly upgrade: string | undefined;
  /** Inbound forwarding headers (lower-case name, value, ...), undefined when none. */
  readonly forwarding: readonly string[] | undefined;
  readonly requestId: string | undefined;
}

const TOKEN_RE = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

// visible ASCII (what llhttp accepts), never `#`: a fragment has no business in a request
const TARGET_RE = /^[\x21\x22\x24-\x7e]+$/;
const HOST_RE = /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9\-._~!$&'()*+,;=%]+)(?::[0-9]{0,5})?$/;
const ABSOLUTE_RE = /^https?:\/\/([^/?#]+)(.*)$/i;

/** Methods node's own parser (llhttp) knows; others are answered 501. */
const METHODS = new Set(
  (
    'ACL BIND CHECKOUT CONNECT COPY DELETE GET HEAD LINK LOCK M-SEARCH MERGE MKACTIVITY ' +
    'MKCALENDAR MKCOL MOVE NOTIFY OPTIONS PATCH POST PROPFIND PROPPATCH PURGE PUT QUERY REBIND ' +
    'REPORT SEARCH SOURCE SUBSCRIBE TRACE UNBIND UNLINK UNLOCK UNSUBSCRIBE'
  ).split(' '),
);

const H_HOST = 1;
const H_LENGTH = 2;
const H_TE = 3;
const H_CONNECTION = 4;
const H_UPGRADE = 5;
const H_DROP = 6;
const H_REQUEST_ID = 7;
const SPECIAL = new Map<string, number>([
  ['host', H_HOST],
  ['content-length', H_LENGTH],
  ['transfer-encoding', H_TE],
  ['connection', H_CONNECTION],
  ['upgrade', H_UPGRADE],
  ['keep-alive', H_DROP],
  ['proxy-connection', H_DROP],
  ['proxy-authorization', H_DROP],
  ['te', H_DROP],
  ['trailer', H_DROP],
  ['x-request-id', H_REQUEST_ID],
]);

/** True for the headers proxies write about the client: X-Forwarded-*, X-Real-Ip, Forwarded. */
export function isForwardingName(lower: string): boolean {
  return lower === 'forwarded' || lower === 'x-real-ip' || lower.startsWith('x-forwarded-');
}

function bad(reason: string, status = 400): never {
  throw new RequestError(status, reason);
}

/** Why a field line is malformed (only computed for a refusal). */
function badLineReason(head: string, pos: number): string {
  const c = head.charCodeAt(pos);
  return c === 32 || c === 9 ? 'obs-fold' : 'bad header name';
}

/** True when a name may need more than being kept (first letter, or an underscore). */
function mayBeSpecial(head: string, pos: number, colon: number): boolean {
  switch (head.charCodeAt(pos) | 0x20) {
    case 99: // c: connection, content-length
    case 102: // f: forwarded
    case 104: // h: host
    case 107: // k: keep-alive
    case 112: // p: proxy-*
    case 116: // t: te, trailer, transfer-encoding
    case 117: // u: upgrade
    case 120: // x: x-forwarded-*, x-real-ip, x-request-id
      return true;
    default: {
      const u = head.indexOf('_', pos);
      return u >= 0 && u < colon;
    }
  }
}

function requestLine(line: string): [string, string, 0 | 1] {
  const sp1 = line.indexOf(' ');
  const sp2 = line.indexOf(' ', sp1 + 1);
  if (sp1 <= 0 || sp2 < 0) bad('malformed request line');
  const method = line.slice(0, sp1);
  const target = line.slice(sp1 + 1, sp2);
  const version = line.slice(sp2 + 1);
  let minor: 0 | 1;
  if (version === 'HTTP/1.1') minor = 1;
  else if (version === 'HTTP/1.0') minor = 0;
  else if (/^HTTP\/\d\.\d$/.test(version)) bad(`unsupported version ${version}`, 505);
  else bad('malformed request line');
  if (!TOKEN_RE.test(method)) bad('malformed method');
  if (!METHODS.has(method)) bad(`method ${method} is not implemented`, 501);
  if (method === 'CONNECT') bad('CONNECT is not supported', 405);
  if (!TARGET_RE.test(target)) bad('malformed request target');
  return [method, target, minor];
}

/**
 * Parses the head in `head` (latin1 text without the final empty line). Throws
 * {@link RequestError} with the status to answer on anything malformed. `fields`, when given,
 * receives every header field as received (name, value without OWS, ...).
 */
export function parseRequestHead(head: string, fields?: string[]): RequestHead {
  if (badChars(head)) bad('control character, or bare CR or LF');
  const eol = lineEnd(head, 0);
  const [method, target, minor] = requestLine(head.slice(0, eol));
  let authority: string | undefined;
  let origin = target;
  if (target.charCodeAt(0) !== 47 /* / */) {
    const m = ABSOLUTE_RE.exec(target);
    if (m !== null) {
      authority = m[1] as string;
      const p = m[2] as string;
      origin = p === '' || p.charCodeAt(0) === 63 ? `/${p}` : p;
      if (origin.charCodeAt(0) !== 47) bad('malformed request target');
    } else if (!(target === '*' && method === 'OPTIONS')) bad('malformed request target');
  }
  const q = origin.indexOf('?');
  const path = normalizePath(q < 0 ? origin : origin.slice(0, q));
  const query = q < 0 ? '' : origin.slice(q);

  let host: string | undefined;
  let rest = '';
  let contentLength = -1;
  let te: string | undefined;
  let connection = '';
  let upgradeValue: string | undefined;
  let forwarding: string[] | undefined;
  let requestId: string | undefined;

  let pos = eol + 2;
  while (pos < head.length) {
    const end = lineEnd(head, pos);
    const colon = fieldColon(head, pos);
    if (colon < 0 || colon > end) bad(badLineReason(head, pos));
    const line = pos;
    pos = end + 2;
    if (fields !== undefined)
      fields.push(head.slice(line, colon), fieldValue(head.slice(line, end), colon - line));
    if (!mayBeSpecial(head, line, colon)) {
      rest += end === head.length ? `${head.slice(line)}\r\n` : head.slice(line, pos);
      continue;
    }
    const h = head.slice(line, end);
    const lower = h.slice(0, colon - line).toLowerCase();
    const value = fieldValue(h, colon - line);
    const kind = SPECIAL.get(lower);
    if (kind === undefined) {
      const c = lower.charCodeAt(0);
      if ((c === 120 /* x */ || c === 102) /* f */ && isForwardingName(lower)) {
        (forwarding ??= []).push(lower, value);
      } else if (lower.indexOf('_') < 0) {
        rest += h + '\r\n';
      } else {
        // X_Forwarded_For, Content_Length...: read by CGI-style apps as the real thing
        const dashed = lower.replace(/_/g, '-');
        if (!SPECIAL.has(dashed) && !isForwardingName(dashed)) rest += h + '\r\n';
      }
      continue;
    }
    switch (kind) {
      case H_HOST:
        if (host !== undefined) bad('more than one Host');
        host = value;
        break;
      case H_LENGTH:
        // a second one, even equal, is refused (llhttp and nginx do too)
        if (contentLength >= 0) bad('more than one Content-Length');
        if (!/^\d{1,15}$/.test(value) || tabAtEnd(h)) bad('bad Content-Length');
        contentLength = Number(value);
        break;
      case H_TE:
        if (tabAtEnd(h)) bad('bad Transfer-Encoding');
        te = te === undefined ? value : `${te}, ${value}`;
        break;
      case H_CONNECTION:
        connection =
          connection === '' ? value.toLowerCase() : `${connection},${value.toLowerCase()}`;
        break;
      case H_UPGRADE:
        if (upgradeValue !== undefined) bad('more than one Upgrade');
        upgradeValue = value;
        break;
      case H_REQUEST_ID:
        requestId = value;
        rest += h + '\r\n';
        break;
      default:
        break; // other hop-by-hop headers are dropped
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
  } else {
    if (host === '' || !HOST_RE.test(host)) bad('bad Host');
    if (authority !== undefined) host = authority;
  }
  if (authority !== undefined && !HOST_RE.test(authority)) bad('bad authority');
  let hasClose = false;
  let hasKeepAlive = false;
  let upgrade: string | undefined;
  let nominated: Set<string> | undefined;
  if (connection !== '') {
    for (const tok of connection.split(',')) {
      const t = tok.trim();
      if (t === 'close') hasClose = true;
      else if (t === 'keep-alive') hasKeepAlive = true;
      else if (t === 'upgrade')
        upgrade = minor === 1 && upgradeValue !== '' ? upgradeValue : undefined;
      else if (t !== '') (nominated ??= new Set()).add(t);
    }
  }
  if (nominated !== undefined) {
    const drop = nominated;
    rest = rest
      .split('\r\n')
      .filter((l) => l !== '' && !drop.has(l.slice(0, l.indexOf(':')).toLowerCase()))
      .map((l) => l + '\r\n')
      .join('');
    if (drop.has('x-request-id')) requestId = undefined;
    if (forwarding !== undefined) {
      const kept: string[] = [];
      for (let i = 0; i < forwarding.length; i += 2) {
        if (!drop.has(forwarding[i] as string))
          kept.push(forwarding[i] as string, forwarding[i + 1] as string);
      }
      forwarding = kept.length === 0 ? undefined : kept;
    }
  }
  return {
    method,
    target,
    path,
    query,
    minor,
    host,
    rest,
    contentLength,
    chunked,
    keepAlive: !hasClose && (minor === 1 || hasKeepAlive),
    upgrade,
    forwarding,
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
