/**
 * Docker's multiplexed log stream (`GET /containers/:id/logs` without a TTY: 8-byte frame
 * headers naming stdout or stderr) to plain text, frames in order. Pure; a buffer that is not
 * framed (a TTY container) is returned as text unchanged.
 */

/** Splits Docker's multiplexed log stream into text. */
export function demuxLogs(buf: Buffer): string {
  const looksFramed =
    buf.length >= 8 && buf[0]! <= 2 && buf[1] === 0 && buf[2] === 0 && buf[3] === 0;
  if (!looksFramed) return buf.toString('utf8');
  const parts: Buffer[] = [];
  let at = 0;
  while (at + 8 <= buf.length) {
    const len = buf.readUInt32BE(at + 4);
    parts.push(buf.subarray(at + 8, at + 8 + len));
    at += 8 + len;
  }
  return Buffer.concat(parts).toString('utf8');
}
