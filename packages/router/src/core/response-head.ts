/**
 * Parses an upstream's response head as strictly as a request head (RFC 9112): token names,
 * SP/HTAB-only whitespace, no CTLs or bare CR/LF, one valid Content-Length, Transfer-Encoding
 * exactly `chunked` and never with a length. It frames the body (length / chunked / until
 * close), honours keep-alive and drops hop-by-hop and `Connection`-nominated headers. It must
 * never touch body bytes and never accept a response it cannot frame without ambiguity.
 */
import { fieldValue, tabAtEnd } from './request-head.js';

/** A parsed upstream response head. */
export interface ResponseHead {
  readonly status: number;
  /** The status line as it goes to the client (always `HTTP/1.1 ...`). */
  readonly statusLine: string;
  readonly minor: 0 | 1;
  /** Every header field as received: name, value (OWS removed), ... */
  readonly headers: readonly string[];
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

const TOKEN_RE = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// eslint-disable-next-line no-control-regex
const BAD_HEAD_RE = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]|\r(?!\n)|(?<!\r)\n/;
const STATUS_RE = /^HTTP\/1\.([01]) ([1-9]\d\d)(?: (.*))?$/;

/** Parses `head` (latin1, without the final empty line); undefined when malformed. */
export function parseResponseHead(head: string): ResponseHead | undefined {
  if (BAD_HEAD_RE.test(head)) return undefined;
  let eol = head.indexOf('\r\n');
  if (eol < 0) eol = head.length;
  const m = STATUS_RE.exec(head.slice(0, eol));
  if (m === null) return undefined;
  const minor = m[1] === '1' ? 1 : 0;
  const status = Number(m[2]);
  const headers: string[] = [];
  let rest = '';
  let contentLength = -1;
  let te: string | undefined;
  let connection = '';
  let keepAliveMs = -1;
  let upgrade: string | undefined;
  let retryAfter = false;
  let pos = eol + 2;
  while (pos < head.length) {
    let end = head.indexOf('\r\n', pos);
    if (end < 0) end = head.length;
    const h = head.slice(pos, end);
    pos = end + 2;
    const colon = h.indexOf(':');
    if (colon <= 0) return undefined;
    const name = h.slice(0, colon);
    if (!TOKEN_RE.test(name)) return undefined;
    const value = fieldValue(h, colon);
    headers.push(name, value);
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
    headers,
    rest,
    contentLength,
    chunked,
    keepAlive: !close && (minor === 1 || keep),
    keepAliveMs,
    upgrade,
    retryAfter: retryAfter && status === 503,
  };
}
