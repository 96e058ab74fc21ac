/**
 * Follows a newline-delimited stream that must stay open (e.g. Docker's event stream): opens
 * it, hands each non-empty line to the caller, and on error/end/close reopens it after a
 * caller-given delay. It never parses lines and never gives up until closed.
 */

export interface FollowLinesOptions {
  /** Opens the stream; called again after every failure. */
  readonly open: () => Promise<NodeJS.ReadableStream>;
  /** Delay before reopening, given the number of failures in a row (1, 2, ...). */
  readonly retryDelayMs: (failures: number) => number;
  /** Turns a failure into the error reported to `disconnected` (e.g. a coded error). */
  readonly describeError?: (what: 'open' | 'error' | 'end' | 'close', cause: unknown) => unknown;
}

export interface FollowLinesHandlers {
  line(text: string): void;
  connected(): void;
  disconnected(error: unknown): void;
}

export interface FollowLines {
  close(): void;
}

function destroy(s: NodeJS.ReadableStream): void {
  (s as unknown as { destroy(): void }).destroy();
}

/** Follows the lines of `options.open()`'s stream until `close()`. */
export function followLines(
  options: FollowLinesOptions,
  handlers: FollowLinesHandlers,
): FollowLines {
  const describe = options.describeError ?? ((_what, cause) => cause);
  let closed = false;
  let stream: NodeJS.ReadableStream | undefined;
  let timer: NodeJS.Timeout | undefined;
  let failures = 0;

  const retry = (error: unknown): void => {
    if (closed) return;
    stream = undefined;
    handlers.disconnected(error);
    failures++;
    timer = setTimeout(connect, options.retryDelayMs(failures));
  };

  const connect = (): void => {
    timer = undefined;
    if (closed) return;
    options.open().then(
      (s) => {
        if (closed) return destroy(s);
        stream = s;
        let buffer = '';
        let ended = false;
        const end = (error: unknown): void => {
          if (ended) return;
          ended = true;
          s.removeAllListeners('data');
          retry(error);
        };
        s.on('data', (chunk: Buffer | string) => {
          buffer += chunk.toString();
          let nl: number;
          while ((nl = buffer.indexOf('\n')) >= 0) {
            const line = buffer.slice(0, nl).trim();
            buffer = buffer.slice(nl + 1);
            if (line) handlers.line(line);
          }
        });
        s.on('error', (err: unknown) => end(describe('error', err)));
        s.on('end', () => end(describe('end', undefined)));
        s.on('close', () => end(describe('close', undefined)));
        failures = 0;
        handlers.connected();
      },
      (err: unknown) => retry(describe('open', err)),
    );
  };

  connect();
  return {
    close: () => {
      closed = true;
      if (timer) clearTimeout(timer);
      if (stream) destroy(stream);
    },
  };
}
