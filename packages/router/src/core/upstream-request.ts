/**
 * The request head the router sends upstream: always HTTP/1.1 (pooled keep-alive whatever
 * the client spoke), the normalised path with `strip=`/`prepend=` applied, a Host always,
 * the kept header lines, fresh forwarding headers, and framing it states itself. Pure string
 * building; it must never pass on a hop-by-hop or framing header as the client wrote it.
 */
import type { RequestHead } from './request-head.js';
import type { Target } from './route-table.js';
import { stripSegments } from './path.js';
import { authority } from './route-tag.js';

/** The path `target` receives for `head`. */
export function upstreamPath(head: RequestHead, target: Target): string {
  const path = stripSegments(head.path, target.strip);
  return target.prepend === '' ? path : target.prepend + path;
}

/** The complete upstream head (latin1), forwarding lines `fwd` included. */
export function upstreamHead(head: RequestHead, target: Target, fwd: string): string {
  const host =
    target.hostHeader ?? (head.host !== '' ? head.host : authority(target.hostname, target.port));
  let s = `${head.method} ${upstreamPath(head, target)}${head.query} HTTP/1.1\r\nHost: ${host}\r\n`;
  s += head.rest + fwd;
  if (head.upgrade !== undefined) s += `Connection: Upgrade\r\nUpgrade: ${head.upgrade}\r\n`;
  if (head.chunked) s += 'Transfer-Encoding: chunked\r\n';
  else if (head.contentLength >= 0) s += `Content-Length: ${head.contentLength}\r\n`;
  return s + '\r\n';
}
