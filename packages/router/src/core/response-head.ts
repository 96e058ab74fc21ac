/**
 * Parses an upstream's response head as strictly as a request head (RFC 9112): token names,
 * SP/HTAB-only whitespace, no CTLs or bare CR/LF, one valid Content-Length, Transfer-Encoding
 * exactly `chunked` and never with a length. It frames the body (length / chunked / until
 * close), honours keep-alive and drops hop-by-hop and `Connection`-nominated headers. It must
 * never touch body bytes and never accept a response it cannot frame without ambiguity.
 */
import { badChars, lineEnd, fieldColon, fieldValue, tabAtEnd } from './field-lines.js';

/** A parsed upstream response head. */
export interface ResponseHead {
  readonly status: number;
  /** The status line as it goes to the client (always `HTTP/1.1 ...`). */
  readonly statusLine: string;
  readonly minor: 0 | 1;
  /** Kept header lines, each ending in CRLF; framing headers are not among them. */
  readonly rest: string;
  /** -1 when absent. */
  readonly contentLength: number;
  readonly chunked: boolean;
  /** The upstream lets us reuse the connection. */
  readonly keepAlive: boolean;
  /** `Keep-Alive: timeout=N` in ms, or -1. */
  readonly keepAliveMs: number;
  readonly upgrade: string | undefined;
  /** A 503 that says when to come back: an application's overload signal, not a failure. */
  readonly retryAfter: boolean;
}

const STATUS_RE = /^HTTP\/1\.([01]) ([1-9]\d\d)(?: (.*))?$/;

/**
 * Parses `head` (latin1, without the final empty line); undefined when malformed. `fields`,
 * when given, receives every header field as received (name, value without OWS, ...).
 */
export function parseResponseHead(head: string, fields?: string[]): ResponseHead | undefined {
  if (badChars(head)) return undefined;
  const eol = lineEnd(head, 0);
  const m = STATUS_RE.exec(head.slice(0, eol));
  if (m === null) return undefined;
  const minor = m[1] === '1' ? 1 : 0;
  const status = Number(m[2]);
  let rest = '';
  let contentLength = -1;
  let te: string | undefined;
  let connection = '';
  let keepAliveMs = -1;
  let upgrade: string | undefined;
  let retryAfter = false;
  let pos = eol + 2;
  while (pos < head.length) {
    const end = lineEnd(head, pos);
    const at = fieldColon(head, pos);
    if (at < 0 || at > end) return undefined;
    const h = head.slice(pos, end);
    const colon = at - pos;
    pos = end + 2;
    if (fields !== undefined) fields.push(h.slice(0, colon), fieldValue(h, colon));
    // only names starting with c, k, p, r, t or u need handling: skip lower-casing the rest
    const first = h.charCodeAt(0) | 0x20;
    if (
      first !== 99 &&
      first !== 107 &&
      first !== 112 &&
      first !== 114 &&
      first !== 116 &&
      first !== 117
    ) {
      rest += h + '\r\n';
      continue;
    }
    const name = h.slice(0, colon);
    const value = fieldValue(h, colon);
    switch (name.toLowerCase()) {
      case 'connection':
        connection += ',' + value.toLowerCase();
        break;
      case 'keep-alive': {
        const t = /(?:^|[,;\s])timeout=(\d{1,9})/i.exec(value);
        if (t !== null) keepAliveMs = Number(t[1]) * 1000;
        break;
      }
      case 'upgrade':
        upgrade = value;
        break;
      case 'proxy-connection':
      case 'proxy-authenticate':
      case 'te':
        break;
      case 'content-length':
        if (contentLength >= 0 || !/^\d{1,15}$/.test(value) || tabAtEnd(h)) return undefined;
        contentLength = Number(value);
        break;
      case 'transfer-encoding':
        if (tabAtEnd(h)) return undefined;
        te = te === undefined ? value : `${te}, ${value}`;
        break;
      case 'retry-after':
        retryAfter = value !== '';
        rest += h + '\r\n';
        break;
      default:
        rest += h + '\r\n';
    }
  }
  let chunked = false;
  if (te !== undefined) {
    // RFC 9112 §6.3 lets a recipient read until close; nginx refuses, and so do we
    if (te.toLowerCase() !== 'chunked' || contentLength >= 0) return undefined;
    chunked = true;
  }
  let close = false;
  let keep = false;
  if (connection !== '') {
    let nominated: Set<string> | undefined;
    for (const tok of connection.split(',')) {
      const t = tok.trim();
      if (t === 'close') close = true;
      else if (t === 'keep-alive') keep = true;
      else if (t !== '' && t !== 'upgrade') (nominated ??= new Set()).add(t);
    }
    if (nominated !== undefined) {
      const drop = nominated;
      rest = rest
        .split('\r\n')
        .filter((l) => l !== '' && !drop.has(l.slice(0, l.indexOf(':')).toLowerCase()))
        .map((l) => l + '\r\n')
        .join('');
    }
  }
  return {
    status,
    statusLine: `HTTP/1.1 ${m[2]} ${m[3] ?? ''}`,
    minor,
    rest,
    contentLength,
    chunked,
    keepAlive: !close && (minor === 1 || keep),
    keepAliveMs,
    upgrade,
    retryAfter: retryAfter && status === 503,
  };
}
