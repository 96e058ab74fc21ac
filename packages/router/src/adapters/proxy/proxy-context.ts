/**
 * What every client connection of the proxy shares: the current table (one field, swapped by
 * one assignment), balancing, pools, limits, a coarse clock and the event hooks the engine
 * turns into logs and metrics. Plain data; this module must never do I/O.
 */
import type { RouteTable, Route, Target } from '../../core/route-table.js';
import type { Strategy } from '../../core/balancer.js';
import type { UpstreamStates } from '../../core/upstream-state.js';
import type { ForwardingPolicy } from '../../core/forwarded.js';
import type { UpstreamPools } from './upstream-pool.js';

/** Timeouts in ms. Each is an inactivity limit for one phase of an exchange. */
export interface ProxyTimeouts {
  /** From the first byte of a request head (or the connection, before a PROXY header) to its end. */
  readonly header: number;
  /** Keep-alive idle time between requests. */
  readonly idle: number;
  /** The client sends no request body bytes for this long. */
  readonly body: number;
  /** The client reads nothing of what we have to send for this long. */
  readonly send: number;
  /** Connecting to an upstream. */
  readonly connect: number;
  /** From the end of the request to the response head, and between response body bytes. */
  readonly response: number;
  /** A WebSocket (any upgraded connection) moves no byte either way for this long. */
  readonly tunnelIdle: number;
  /** After we closed our side, the client gets this long to close its own. */
  readonly linger: number;
}

/** Which inactivity deadline fired. */
export type TimeoutKind =
  'header' | 'idle' | 'body' | 'send' | 'connect' | 'response' | 'tunnel' | 'linger';

/** Hooks the engine uses to log and count; called synchronously on the hot path. */
export interface ProxyEvents {
  /** A request finished (or was answered locally when `route` is undefined). */
  request(route: Route | undefined, status: number, upstreamMs: number): void;
  retry(route: Route, target: Target, reason: string): void;
  eject(target: Target, ms: number, reason: string): void;
  /** A connection-level problem worth a debug log (bad request, bad PROXY header...). */
  clientError(code: string, message: string): void;
  timeout(kind: TimeoutKind): void;
  /** A connection closed to stay under --max-connections (`idle`) or refused (`refused`). */
  shed(kind: 'idle' | 'refused'): void;
}

/** A clock read on the hot path, advanced by the server's sweep. */
export interface CoarseClock {
  now: number;
}

/** Shared proxy state. `table` is replaced, never mutated. */
export interface ProxyContext {
  table: RouteTable | undefined;
  readonly strategy: Strategy;
  readonly states: UpstreamStates;
  readonly pools: UpstreamPools;
  readonly forwarding: ForwardingPolicy;
  readonly proxyProtocol: boolean;
  readonly noRouteStatus: number;
  readonly allowTrace: boolean;
  readonly maxHeaderSize: number;
  readonly maxConnections: number;
  readonly timeouts: ProxyTimeouts;
  readonly events: ProxyEvents;
  readonly clock: CoarseClock;
  /** Set while draining: responses carry `Connection: close`. */
  draining: boolean;
}
