/**
 * Where an HTTP/1.x head ends in a buffer, and whether it may: the empty lines allowed before
 * a request line are skipped, a head longer than the limit is refused with the status that
 * names the part that is too long (414 for the request line, 431 for the rest). Pure.
 */
import { parseRequestHead, type RequestHead } from './request-head.js';
import { RequestError } from '../errors.js';

const CRLF = Buffer.from('\r\n');
const CRLF2 = Buffer.from('\r\n\r\n');

/** A head found in a buffer: bytes `[start, end)`, the body from `end + 4`. */
export interface HeadSpan {
  readonly start: number;
  readonly end: number;
}

/** How a head search went: found, more bytes needed, or refused. */
export type HeadSearch = HeadSpan | 'more' | 414 | 431;

/** Empty lines (CRLF) before a request line (RFC 9112 §2.2). */
export function leadingEmptyLines(buf: Buffer): number {
  let skip = 0;
  while (skip + 1 < buf.length && buf[skip] === 13 && buf[skip + 1] === 10) skip += 2;
  return skip;
}

/** Finds the head that starts at `start`; refuses one longer than `max` bytes. */
export function findHead(buf: Buffer, start: number, max: number): HeadSearch {
  const end = buf.indexOf(CRLF2, start);
  if (end < 0 ? buf.length - start > max : end - start > max) {
    const eol = buf.indexOf(CRLF, start);
    return eol < 0 || eol - start > max ? 414 : 431;
  }
  return end < 0 ? 'more' : { start, end };
}

/** The next request in a buffer: parsed with where it ends, more bytes needed, or refused. */
export type RequestRead =
  | { readonly head: RequestHead; readonly next: number }
  | { readonly skip: number }
  | { readonly status: number; readonly reason: string };

/**
 * Reads the request head at the start of `buf` (after empty lines): `{ head, next }` with the
 * offset of its body, `{ skip }` when more bytes are needed (`skip` empty-line bytes can be
 * dropped), or the status to refuse it with.
 */
export function readRequestHead(buf: Buffer, max: number): RequestRead {
  const skip = leadingEmptyLines(buf);
  const span = findHead(buf, skip, max);
  if (span === 'more') return { skip };
  if (typeof span === 'number') {
    return {
      status: span,
      reason: span === 414 ? 'request line too long' : 'request head too large',
    };
  }
  try {
    return { head: parseRequestHead(buf.toString('latin1', skip, span.end)), next: span.end + 4 };
  } catch (err) {
    if (err instanceof RequestError) return { status: err.status, reason: err.message };
    throw err;
  }
}
