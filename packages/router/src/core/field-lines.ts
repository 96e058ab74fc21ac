/**
 * The shared checks of header field lines (RFC 9112 §5), cheap enough for every request and
 * response: no CTL but HTAB anywhere in a head, no bare CR or LF, each line a token and a
 * colon. Pure; regexes are sticky or plain character classes (no look-behind on the hot path).
 */

// a CTL other than HTAB, or a CR or LF that is not part of a CRLF
// eslint-disable-next-line no-control-regex
const BAD_RE = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]|\r(?!\n)|[^\r]\n|^\n/;
const NAME_COLON_RE = /[!#$%&'*+\-.^_`|~0-9A-Za-z]+:/y;

/** True when `head` holds a control character other than HTAB, or a bare CR or LF. */
export function badChars(head: string): boolean {
  return BAD_RE.test(head);
}

/** The end of the line starting at `pos`: its CRLF, or the head's end (after `badChars`). */
export function lineEnd(head: string, pos: number): number {
  const end = head.indexOf('\r\n', pos);
  return end < 0 ? head.length : end;
}

/** The colon of a field line starting at `pos`, or -1 when the line is not `token:...`. */
export function fieldColon(head: string, pos: number): number {
  NAME_COLON_RE.lastIndex = pos;
  return NAME_COLON_RE.test(head) ? NAME_COLON_RE.lastIndex - 1 : -1;
}

/** The value of field line `h` after the colon, without SP/HTAB around it. */
export function fieldValue(h: string, colon: number): string {
  let a = colon + 1;
  let b = h.length;
  while (a < b && (h.charCodeAt(a) === 32 || h.charCodeAt(a) === 9)) a++;
  while (b > a && (h.charCodeAt(b - 1) === 32 || h.charCodeAt(b - 1) === 9)) b--;
  return a === colon + 1 && b === h.length ? h.slice(a) : h.slice(a, b);
}

/** True when the field line ends in whitespace holding an HTAB (llhttp refuses it on framing). */
export function tabAtEnd(h: string): boolean {
  for (let i = h.length - 1; i >= 0; i--) {
    const c = h.charCodeAt(i);
    if (c === 9) return true;
    if (c !== 32) return false;
  }
  return false;
}
