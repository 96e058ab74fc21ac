/**
 * Finds where a chunked body ends (RFC 9112 §7.1) so the proxy can pass the bytes through
 * untouched and still know message boundaries, and optionally reports the data ranges (to
 * de-chunk a body for an HTTP/1.0 client). Chunk extensions and trailer fields are checked
 * as strictly as header fields. It must never copy or rewrite data; it only counts.
 */
import { RequestError } from '../errors.js';

const SIZE = 0;
const SIZE_LF = 1;
const EXT = 2;
const DATA = 3;
const DATA_CR = 4;
const DATA_LF = 5;
const LINE_START = 6;
const TRAILER = 7;
const TRAILER_LF = 8;
const END_LF = 9;
const DONE = 10;

const MAX_LINE = 4096;
const TOKEN = "[!#$%&'*+\\-.^_`|~0-9A-Za-z]+";
const QUOTED = '"(?:[\\t !#-\\[\\]-~\\x80-\\xff]|\\\\[\\t -~\\x80-\\xff])*"';
const EXT_RE = new RegExp(`^(?:;${TOKEN}(?:=(?:${TOKEN}|${QUOTED}))?)*$`);
const TRAILER_RE = new RegExp(`^${TOKEN}:[^\\x00-\\x08\\x0a-\\x1f\\x7f]*$`);

/** Receives the data bytes of each chunk, `buf[start..end)`. */
export interface ChunkSink {
  chunkData(buf: Buffer, start: number, end: number): void;
}

function fail(reason: string): never {
  throw new RequestError(400, reason);
}

/** Incremental scanner of one chunked body. */
export class ChunkedScanner {
  #state = SIZE;
  #size = 0;
  #digits = 0;
  #line = '';

  /** True once the last chunk and trailers were seen. */
  get done(): boolean {
    return this.#state === DONE;
  }

  /** Collects a line (extension or trailer) up to CR; returns the CR index or -1. */
  #collect(buf: Buffer, i: number): number {
    const cr = buf.indexOf(13, i);
    const end = cr < 0 ? buf.length : cr;
    const lf = buf.indexOf(10, i);
    if (lf >= 0 && lf < end) fail('bare LF in a chunk line');
    this.#line += buf.toString('latin1', i, end);
    if (this.#line.length > MAX_LINE) fail('chunk line too long');
    return cr;
  }

  /**
   * Scans `buf` from `start`. Returns the index just past the end of the body when it ends
   * inside `buf`, or -1 when all of `buf` belongs to the body. Throws RequestError(400) on
   * malformed framing. `sink`, when given, receives the chunk data.
   */
  scan(buf: Buffer, start: number, sink?: ChunkSink): number {
    let i = start;
    const n = buf.length;
    while (i < n) {
      switch (this.#state) {
        case DATA: {
          const take = Math.min(this.#size, n - i);
          if (sink !== undefined) sink.chunkData(buf, i, i + take);
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
            if (++this.#digits > 12) fail('chunk size too large');
            this.#size = this.#size * 16 + d;
          } else if (this.#digits === 0) {
            fail('bad chunk size');
          } else if (c === 13) {
            this.#state = SIZE_LF;
          } else if (c === 59 /* ; */) {
            this.#state = EXT;
            this.#line = '';
            continue;
          } else fail('bad chunk size');
          break;
        }
        case EXT: {
          const cr = this.#collect(buf, i);
          if (cr < 0) return -1;
          if (!EXT_RE.test(this.#line)) fail('bad chunk extension');
          this.#state = SIZE_LF;
          i = cr;
          break;
        }
        case SIZE_LF:
          if (buf[i] !== 10) fail('bad chunk line end');
          this.#digits = 0;
          this.#state = this.#size === 0 ? LINE_START : DATA;
          break;
        case DATA_CR:
          if (buf[i] !== 13) fail('chunk data too long');
          this.#state = DATA_LF;
          break;
        case DATA_LF:
          if (buf[i] !== 10) fail('bad chunk data end');
          this.#state = SIZE;
          break;
        case LINE_START:
          if (buf[i] === 13) this.#state = END_LF;
          else {
            this.#state = TRAILER;
            this.#line = '';
            continue;
          }
          break;
        case TRAILER: {
          const cr = this.#collect(buf, i);
          if (cr < 0) return -1;
          if (!TRAILER_RE.test(this.#line)) fail('bad trailer field');
          this.#state = TRAILER_LF;
          i = cr;
          break;
        }
        case TRAILER_LF:
          if (buf[i] !== 10) fail('bad trailer end');
          this.#state = LINE_START;
          break;
        case END_LF:
          if (buf[i] !== 10) fail('bad chunked end');
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
