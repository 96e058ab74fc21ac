/**
 * Finds where a chunked body ends without decoding it, so the proxy can pass the bytes through
 * untouched and still know message boundaries (keep-alive, pipelining). It must never copy
 * or rewrite data; it only counts.
 */
import { RequestError } from './errors.js';

const SIZE = 0;
const EXT = 1;
const SIZE_LF = 2;
const DATA = 3;
const DATA_CR = 4;
const DATA_LF = 5;
const LINE_START = 6;
const TRAILER = 7;
const END_LF = 8;
const TRAILER_LF = 9;
const DONE = 10;

const MAX_LINE = 4096;

/** Incremental scanner of one chunked body. */
export class ChunkedScanner {
  #state = SIZE;
  #size = 0;
  #digits = 0;
  #line = 0;

  /** True once the last chunk and trailers were seen. */
  get done(): boolean {
    return this.#state === DONE;
  }

  /**
   * Scans `buf` from `start`. Returns the index just past the end of the body when it ends
   * inside `buf`, or -1 when all of `buf` belongs to the body. Throws RequestError(400) on
   * malformed framing.
   */
  scan(buf: Buffer, start: number): number {
    let i = start;
    const n = buf.length;
    while (i < n) {
      switch (this.#state) {
        case DATA: {
          const take = Math.min(this.#size, n - i);
          i += take;
          this.#size -= take;
          if (this.#size === 0) this.#state = DATA_CR;
          continue;
        }
        case SIZE: {
          const c = buf[i] as number;
          const d =
            c >= 48 && c <= 57
              ? c - 48
              : c >= 97 && c <= 102
                ? c - 87
                : c >= 65 && c <= 70
                  ? c - 55
                  : -1;
          if (d >= 0) {
            if (++this.#digits > 12) throw new RequestError(400, 'chunk size too large');
            this.#size = this.#size * 16 + d;
          } else if (this.#digits === 0) {
            throw new RequestError(400, 'bad chunk size');
          } else if (c === 13) {
            this.#state = SIZE_LF;
          } else if (c === 59 || c === 32 || c === 9) {
            this.#state = EXT;
            this.#line = 0;
          } else throw new RequestError(400, 'bad chunk size');
          break;
        }
        case EXT: {
          const c = buf[i] as number;
          if (c === 13) this.#state = SIZE_LF;
          else if (c === 10 || ++this.#line > MAX_LINE) {
            throw new RequestError(400, 'bad chunk extension');
          }
          break;
        }
        case SIZE_LF:
          if (buf[i] !== 10) throw new RequestError(400, 'bad chunk line end');
          this.#digits = 0;
          this.#state = this.#size === 0 ? LINE_START : DATA;
          break;
        case DATA_CR:
          if (buf[i] !== 13) throw new RequestError(400, 'chunk data too long');
          this.#state = DATA_LF;
          break;
        case DATA_LF:
          if (buf[i] !== 10) throw new RequestError(400, 'bad chunk data end');
          this.#state = SIZE;
          break;
        case LINE_START:
          if (buf[i] === 13) this.#state = END_LF;
          else {
            this.#state = TRAILER;
            this.#line = 1;
          }
          break;
        case TRAILER: {
          const c = buf[i];
          if (c === 13) this.#state = TRAILER_LF;
          else if (c === 10 || ++this.#line > MAX_LINE) throw new RequestError(400, 'bad trailer');
          break;
        }
        case TRAILER_LF:
          if (buf[i] !== 10) throw new RequestError(400, 'bad trailer end');
          this.#state = LINE_START;
          break;
        case END_LF:
          if (buf[i] !== 10) throw new RequestError(400, 'bad chunked end');
          this.#state = DONE;
          return i + 1;
        default:
          return i;
      }
      i++;
    }
    return -1;
  }
}
