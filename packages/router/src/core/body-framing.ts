/**
 * Where a request body ends: a Content-Length countdown or a chunked scan. It says how much of
 * each chunk of bytes belongs to the body so the rest can start the next request. Pure; it
 * never copies body bytes.
 */
import { ChunkedScanner } from './chunked.js';
import type { RequestHead } from './request-head.js';

/** The body framing of one request. */
export class BodyFraming {
  #left: number;
  readonly #chunked: ChunkedScanner | undefined;
  done: boolean;

  constructor(head: RequestHead) {
    this.#chunked = head.chunked ? new ChunkedScanner() : undefined;
    this.#left = head.contentLength > 0 ? head.contentLength : 0;
    this.done = !head.chunked && this.#left === 0;
  }

  /**
   * The end of the body bytes in `chunk[start..]` (the chunk's length when all of it is
   * body). Throws RequestError(400) on malformed chunked framing.
   */
  next(chunk: Buffer, start: number): number {
    if (this.#chunked !== undefined) {
      const e = this.#chunked.scan(chunk, start);
      this.done = e >= 0;
      return e < 0 ? chunk.length : e;
    }
    const end = Math.min(chunk.length, start + this.#left);
    this.#left -= end - start;
    this.done = this.#left === 0;
    return end;
  }
}
