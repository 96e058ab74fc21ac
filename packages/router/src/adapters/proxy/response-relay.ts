/**
 * Streams one upstream response to the client: the rewritten head with the framing the
 * client can read (length, chunked passed through, or de-chunked and closed for HTTP/1.0),
 * then the body bytes as they come, pausing the upstream while the client is slow. It must
 * never send chunked to an HTTP/1.0 client, never let a body run past its framing, and never
 * buffer more than the chunk in hand.
 */
import type net from 'node:net';
import { ChunkedScanner, type ChunkSink } from '../../core/chunked.js';
import type { RequestHead } from '../../core/request-head.js';
import { parseResponseHead, type ResponseHead } from '../../core/response-head.js';
import { findHead } from '../../core/head-framing.js';
import type { UpstreamConn } from './upstream-pool.js';

const SMALL = 16 * 1024;

/** The next step in reading a response head. */
export type HeadStep =
  | { readonly kind: 'more'; readonly buf: Buffer }
  | { readonly kind: 'bad'; readonly reason: string }
  | {
      readonly kind: 'final';
      readonly res: ResponseHead;
      readonly buf: Buffer;
      readonly start: number;
    };

/**
 * Reads response heads from `buf` up to the final one; interim ones (100 Continue, 103 Early
 * Hints) are written to the client when it speaks HTTP/1.1 (`interim` says whether any was).
 */
export function readResponseHead(
  buf: Buffer,
  max: number,
  client: net.Socket,
  minor: 0 | 1,
  interim: () => void,
): HeadStep {
  for (;;) {
    const span = findHead(buf, 0, max);
    if (span === 'more') return { kind: 'more', buf };
    if (typeof span === 'number') return { kind: 'bad', reason: 'response head too large' };
    const res = parseResponseHead(buf.toString('latin1', 0, span.end));
    if (res === undefined) return { kind: 'bad', reason: 'malformed response head' };
    if (res.status >= 200 || res.status === 101)
      return { kind: 'final', res, buf, start: span.end + 4 };
    if (minor === 1) {
      interim();
      client.write(`${res.statusLine}\r\n${res.rest}\r\n`, 'latin1');
    }
    buf = buf.subarray(span.end + 4);
    if (buf.length === 0) return { kind: 'more', buf };
  }
}

/** The client-facing half of one response. */
export class ResponseRelay implements ChunkSink {
  #left = 0;
  #chunk: ChunkedScanner | undefined;
  readonly untilClose: boolean;
  readonly #dechunk: boolean;
  readonly clientKeepAlive: boolean;
  readonly keepAliveMs: number;
  #extra = false;
  done = false;

  constructor(
    readonly client: net.Socket,
    readonly up: UpstreamConn,
    readonly head: RequestHead,
    readonly res: ResponseHead,
    keep: boolean,
  ) {
    const s = res.status;
    const noBody = head.method === 'HEAD' || s === 204 || s === 304;
    let untilClose = false;
    let dechunk = false;
    if (!noBody) {
      if (res.chunked) {
        this.#chunk = new ChunkedScanner();
        dechunk = head.minor === 0;
      } else if (res.contentLength >= 0) this.#left = res.contentLength;
      else untilClose = true;
    }
    this.untilClose = untilClose;
    this.#dechunk = dechunk;
    this.clientKeepAlive = keep && !untilClose && !dechunk;
    this.keepAliveMs = res.keepAliveMs;
  }

  /** True when the upstream socket can carry another request. */
  get reusable(): boolean {
    return this.done && !this.#extra && this.res.keepAlive && !this.untilClose;
  }

  #headText(): string {
    const res = this.res;
    const head = this.head;
    let s = `${res.statusLine}\r\n${res.rest}`;
    if (this.#chunk !== undefined) {
      if (!this.#dechunk) s += 'Transfer-Encoding: chunked\r\n';
    } else if (res.contentLength >= 0 && res.status !== 204) {
      s += `Content-Length: ${res.contentLength}\r\n`;
    } else if (res.chunked && head.method === 'HEAD' && head.minor === 1) {
      s += 'Transfer-Encoding: chunked\r\n';
    }
    if (!this.clientKeepAlive) s += 'Connection: close\r\n';
    else if (head.minor === 0) s += 'Connection: keep-alive\r\n';
    return s + '\r\n';
  }

  #write(b: Buffer | string): void {
    const ok = typeof b === 'string' ? this.client.write(b, 'latin1') : this.client.write(b);
    if (!ok) this.up.socket.pause();
  }

  /** Writes the head and the body bytes in `buf[start..]`; true when the response is complete. */
  start(buf: Buffer, start: number): boolean {
    const head = this.#headText();
    if (this.#dechunk) {
      this.#write(head);
      return this.body(buf, start);
    }
    const end = this.#bodyEnd(buf, start);
    const bodyLen = end - start;
    if (bodyLen === 0) this.#write(head);
    else if (head.length + bodyLen <= SMALL) {
      // one syscall for a small response
      const out = Buffer.allocUnsafe(head.length + bodyLen);
      out.write(head, 0, 'latin1');
      buf.copy(out, head.length, start, end);
      this.#write(out);
    } else {
      this.client.cork();
      this.client.write(head, 'latin1');
      this.#write(buf.subarray(start, end));
      this.client.uncork();
    }
    return this.#settle(end, buf.length);
  }

  /** Body bytes in `chunk[start..]`; true when the response is complete. Throws on bad framing. */
  body(chunk: Buffer, start: number): boolean {
    const end = this.#bodyEnd(chunk, start);
    if (!this.#dechunk && end > start) {
      this.#write(start === 0 && end === chunk.length ? chunk : chunk.subarray(start, end));
    }
    return this.#settle(end, chunk.length);
  }

  chunkData(buf: Buffer, start: number, end: number): void {
    if (end > start) this.#write(buf.subarray(start, end));
  }

  #settle(end: number, length: number): boolean {
    const c = this.#chunk;
    this.done = c !== undefined ? c.done : !this.untilClose && this.#left === 0;
    if (this.done && end < length) this.#extra = true;
    return this.done;
  }

  /** How much of `buf[start..]` belongs to the body; updates the framing state. */
  #bodyEnd(buf: Buffer, start: number): number {
    const c = this.#chunk;
    if (c !== undefined) {
      const e = c.scan(buf, start, this.#dechunk ? this : undefined);
      return e < 0 ? buf.length : e;
    }
    if (this.untilClose) return buf.length;
    const e = Math.min(buf.length, start + this.#left);
    this.#left -= e - start;
    return e;
  }
}
