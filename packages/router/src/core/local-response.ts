/**
 * Responses the router writes itself (400, 404, 502, 504, redirects): short plain-text
 * bodies, always with a length. Pure string building; never touches sockets.
 */
import { STATUS_CODES } from 'node:http';

/** A complete HTTP/1.1 response as latin1 text. */
export function localResponse(
  status: number,
  opts: { close: boolean; head?: boolean; extra?: string; body?: string },
): string {
  const text = STATUS_CODES[status] ?? 'Unknown';
  const body = opts.body ?? `${status} ${text}\n`;
  const len = Buffer.byteLength(body, 'latin1');
  return (
    `HTTP/1.1 ${status} ${text}\r\nContent-Type: text/plain; charset=utf-8\r\n` +
    `Content-Length: ${len}\r\n${opts.extra ?? ''}` +
    `${opts.close ? 'Connection: close\r\n' : ''}\r\n${opts.head === true ? '' : body}`
  );
}

/** Fabio's redirect: `$path` is the (stripped) path; the query follows unless the URL has one. */
export function redirectLocation(template: string, path: string, query: string): string {
  const url = template.replace('$path', path);
  return url.includes('?') ? url : url + query;
}
