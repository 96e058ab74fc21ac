/**
 * What a parsed request gets: a local answer (a refused method, no route, a route with no
 * healthy instance), a redirect, or a target to proxy to. Pure apart from the balancer's
 * counters; it never writes anything.
 */
import type { RequestHead } from './request-head.js';
import type { RouteTable, Route, Target } from './route-table.js';
import { pickTarget, type Strategy } from './balancer.js';
import { stripSegments } from './path.js';
import { redirectLocation } from './local-response.js';

/** Seconds a client is told to wait when a route has no healthy instance. */
export const RETRY_AFTER_S = 5;

/** The rules a decision follows. */
export interface DispatchRules {
  readonly strategy: Strategy;
  readonly noRouteStatus: number;
  readonly allowTrace: boolean;
}

/** The outcome for one request. */
export type Dispatch =
  | { readonly kind: 'proxy'; readonly route: Route; readonly target: Target }
  | {
      readonly kind: 'local';
      readonly route: Route | undefined;
      readonly status: number;
      readonly reason: string;
      /** Extra header lines, each ending in CRLF. */
      readonly extra: string;
    };

/** Decides what `head` gets from `table`. */
export function dispatch(
  head: RequestHead,
  table: RouteTable | undefined,
  rules: DispatchRules,
  now: number,
): Dispatch {
  if (head.method === 'TRACE' && !rules.allowTrace) {
    const allow = 'Allow: GET, HEAD, POST, PUT, DELETE, OPTIONS, PATCH\r\n';
    return {
      kind: 'local',
      route: undefined,
      status: 405,
      reason: 'TRACE is not allowed',
      extra: allow,
    };
  }
  const route = table?.lookup(head.host.toLowerCase(), head.path);
  if (route === undefined) {
    return { kind: 'local', route, status: rules.noRouteStatus, reason: 'no route', extra: '' };
  }
  const target = pickTarget(route, rules.strategy, now);
  if (target === undefined) {
    // never a shorter prefix: the route exists, its instances are down
    const extra = `Retry-After: ${RETRY_AFTER_S}\r\n`;
    return { kind: 'local', route, status: 503, reason: 'no healthy instance', extra };
  }
  if (target.redirect !== 0) {
    let path = stripSegments(head.path, target.strip);
    if (target.prepend !== '') path = target.prepend + path;
    const extra = `Location: ${redirectLocation(target.url, path, head.query)}\r\n`;
    return { kind: 'local', route, status: target.redirect, reason: '', extra };
  }
  return { kind: 'proxy', route, target };
}
