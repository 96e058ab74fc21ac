/**
 * Parses an upstream's response head just enough to frame the body (Content-Length, chunked,
 * or until close), honour keep-alive, and drop hop-by-hop headers. It must never touch the
 * body bytes and never trust a response it cannot frame (the socket is then not reused).
 */

/** A parsed upstream response head. */
export interface ResponseHead {
  readonly status: number;
  /** `HTTP/1.1 200 OK` as the upstream sent it. */
  readonly statusLine: string;
  readonly minor: 0 | 1;
  /** Kept header lines, each ending in CRLF (framing headers included). */
  readonly rest: string;
  /** -1 when absent. */
  readonly contentLength: number;
  readonly chunked: boolean;
  /** The upstream lets us reuse the connection. */
  readonly keepAlive: boolean;
  /** `Keep-Alive: timeout=N` in ms, or -1. */
  readonly keepAliveMs: number;
  readonly upgrade: string | undefined;
}

const BARE_CR_LF = /\r(?!\n)|(?<!\r)\n/;
const STATUS_RE = /^HTTP\/1\.([01]) (\d{3})(?: .*)?$/;

/** Parses `head` (latin1, without the final empty line); returns undefined when malformed. */
export function parseResponseHead(head: string): ResponseHead | undefined {
  let eol = head.indexOf('\r\n');
  if (eol < 0) eol = head.length;
  const statusLine = head.slice(0, eol);
  const m = STATUS_RE.exec(statusLine);
  if (m === null) return undefined;
  const minor = m[1] === '1' ? 1 : 0;
  // one pass for bare CR or LF anywhere (header lines are split on CRLF below)
  if (BARE_CR_LF.test(head)) return undefined;
  const status = Number(m[2]);
  let rest = '';
  let contentLength = -1;
  let te: string | undefined;
  let connection = '';
  let keepAliveMs = -1;
  let upgrade: string | undefined;
  let pos = eol + 2;
  while (pos < head.length) {
    let end = head.indexOf('\r\n', pos);
    if (end < 0) end = head.length;
    const h = head.slice(pos, end);
    pos = end + 2;
    const colon = h.indexOf(':');
    if (colon <= 0) return undefined;
    // only names starting with c, k, p, t or u can need handling: skip lower-casing the rest
    const first = h.charCodeAt(0) | 0x20;
    if (first !== 99 && first !== 107 && first !== 112 && first !== 116 && first !== 117) {
      rest += h + '\r\n';
      continue;
    }
    const lower = h.slice(0, colon).toLowerCase();
    switch (lower) {
      case 'connection':
        connection += ',' + h.slice(colon + 1).toLowerCase();
        break;
      case 'keep-alive': {
        const t = /timeout=(\d+)/i.exec(h);
        if (t !== null) keepAliveMs = Number(t[1]) * 1000;
        break;
      }
      case 'upgrade':
        upgrade = h.slice(colon + 1).trim();
        break;
      case 'proxy-connection':
      case 'proxy-authenticate':
      case 'te':
        break;
      case 'content-length': {
        const v = h.slice(colon + 1).trim();
        if (!/^\d{1,15}$/.test(v)) return undefined;
        if (contentLength >= 0 && contentLength !== Number(v)) return undefined;
        contentLength = Number(v);
        break;
      }
      case 'transfer-encoding':
        te = te === undefined ? h.slice(colon + 1).trim() : `${te}, ${h.slice(colon + 1).trim()}`;
        rest += h + '\r\n';
        break;
      default:
        rest += h + '\r\n';
    }
  }
  let chunked = false;
  let closeDelimited = false;
  // RFC 9112 §6.3: with both, Transfer-Encoding wins and the connection must not be reused.
  const both = te !== undefined && contentLength >= 0;
  if (te !== undefined) {
    chunked = /(^|,)\s*chunked\s*$/i.test(te);
    closeDelimited = !chunked;
    contentLength = -1;
  } else if (contentLength >= 0) {
    rest += `Content-Length: ${contentLength}\r\n`;
  }
  const keepAlive =
    !closeDelimited &&
    !both &&
    (minor === 1
      ? connection === '' || !/(^|,)\s*close\s*(,|$)/.test(connection)
      : connection.includes('keep-alive'));
  return {
    status,
    statusLine,
    minor,
    rest,
    contentLength,
    chunked,
    keepAlive,
    keepAliveMs,
    upgrade,
  };
}
