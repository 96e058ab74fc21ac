/**
 * `berth dev`'s output when it may go to a pipe that breaks (`berth dev | tee log`, then
 * Ctrl-C ends tee first): a write after EPIPE must never throw or crash the supervisor in the
 * middle of stopping its daemons. Lines written after the break are dropped.
 */

/** A line writer for `stream` that goes quiet, instead of failing, once the pipe broke. */
export function safeLineWriter(stream: NodeJS.WritableStream): (line: string) => void {
  let broken = false;
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE' || err.code === 'ERR_STREAM_DESTROYED') broken = true;
    else throw err;
  });
  return (line) => {
    if (broken) return;
    try {
      stream.write(`${line}\n`);
    } catch {
      broken = true;
    }
  };
}
