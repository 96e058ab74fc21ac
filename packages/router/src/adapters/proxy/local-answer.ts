/**
 * The answers the router writes itself: those `dispatch` decides (no route, no healthy
 * instance, redirects, refused methods), malformed requests, and the 502/503/504/408 that
 * stand for a failed upstream exchange. Each is one short write; the connection only parses
 * its next request once the client has drained it (client-conn.ts). It must never answer a
 * request whose body is still unread on a connection that stays open.
 */
import type net from 'node:net';
import { localResponse } from '../../core/local-response.js';
import type { RequestHead } from '../../core/request-head.js';
import type { Route } from '../../core/route-table.js';
import type { ProxyContext } from './proxy-context.js';

/** The connection side a local answer needs. */
export interface Answerer {
  readonly socket: net.Socket;
  readonly ctx: ProxyContext;
  /** The request answered (undefined for a head that did not parse). */
  readonly head: RequestHead | undefined;
  /** The request body was read to its end (else the connection must close). */
  readonly requestRead: boolean;
  /** The client asked to keep the connection. */
  readonly keepAlive: boolean;
  answered(keepAlive: boolean): void;
}

/** Writes `status` with a short text body; the connection stays open when it can. */
export function answer(
  c: Answerer,
  route: Route | undefined,
  status: number,
  reason: string,
  extra = '',
): void {
  const keep = c.keepAlive && c.requestRead && c.head !== undefined;
  const head = c.head;
  let text = localResponse(status, {
    close: !keep,
    head: head?.method === 'HEAD',
    extra,
    body: `${status} ${reason}\n`,
  });
  // an HTTP/1.0 client keeps the connection only when told so
  if (keep && head?.minor === 0) {
    text = text.replace('\r\n\r\n', '\r\nConnection: keep-alive\r\n\r\n');
  }
  c.socket.write(text, 'latin1');
  c.ctx.events.request(route, status, 0);
  c.answered(keep);
}
