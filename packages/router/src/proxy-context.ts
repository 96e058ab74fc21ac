/**
 * What every client connection of the proxy shares: the current table (one field, swapped by
 * one assignment), balancing, pools, limits and the event hooks the daemon turns into logs
 * and metrics. Plain data; this module must never do I/O.
 */
import type { RouteTable, Route, Target } from './route-table.js';
import type { Strategy } from './balancer.js';
import type { UpstreamStates } from './upstream-state.js';
import type { UpstreamPools } from './upstream-pool.js';
import type { TrustedProxies } from './forwarded.js';

/** Timeouts in ms. */
export interface ProxyTimeouts {
  /** From the first byte of a request head to its end. */
  readonly header: number;
  /** Keep-alive idle time between requests. */
  readonly idle: number;
  /** Connecting to an upstream. */
  readonly connect: number;
  /** From sending a request to the upstream's response head. */
  readonly response: number;
}

/** Hooks the daemon uses to log and count; called synchronously on the hot path. */
export interface ProxyEvents {
  /** A request finished (or was answered locally when `route` is undefined). */
  request(route: Route | undefined, status: number, upstreamMs: number): void;
  retry(route: Route, target: Target, reason: string): void;
  eject(target: Target, ms: number, reason: string): void;
  /** A connection-level problem worth a debug log (bad request, bad PROXY header...). */
  clientError(code: string, message: string): void;
}

/** Shared proxy state. `table` is replaced, never mutated. */
export interface ProxyContext {
  table: RouteTable | undefined;
  readonly strategy: Strategy;
  readonly states: UpstreamStates;
  readonly pools: UpstreamPools;
  readonly trusted: TrustedProxies;
  readonly proxyProtocol: boolean;
  readonly noRouteStatus: number;
  readonly maxHeaderSize: number;
  readonly timeouts: ProxyTimeouts;
  readonly events: ProxyEvents;
  /** Set while draining: responses carry `Connection: close`. */
  draining: boolean;
}
