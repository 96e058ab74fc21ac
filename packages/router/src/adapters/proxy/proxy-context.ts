/**
 * What every client connection of the proxy shares: the current table (one field, swapped by
 * one assignment), balancing, pools, limits, a coarse clock and the event hooks the engine
 * turns into logs and metrics; and what an exchange needs of its client connection. Plain
 * data and types; this module must never do I/O.
 */
import type net from 'node:net';
import type { RouteTable, Route, Target } from '../../core/route-table.js';
import type { Strategy } from '../../core/balancer.js';
import type { UpstreamStates } from '../../core/upstream-state.js';
import type { ForwardingPolicy } from '../../core/forwarded.js';
import type { Timeouts } from '../../core/deadlines.js';
import type { ConnectionInfo } from '../../core/forwarded.js';
import type { UpstreamConn, UpstreamPools } from './upstream-pool.js';

/** Timeouts in ms. Each is an inactivity limit for one phase (see core/deadlines.ts). */
export type ProxyTimeouts = Timeouts;

/** Which inactivity deadline fired. */
export type TimeoutKind =
  'header' | 'idle' | 'body' | 'send' | 'connect' | 'response' | 'tunnel' | 'linger';

/** Hooks the engine uses to log and count; called synchronously on the hot path. */
export interface ProxyEvents {
  /**
   * A request finished (or was answered locally when `route` is undefined); `target` is the
   * upstream that answered, when one did.
   */
  request(route: Route | undefined, status: number, upstreamMs: number, target?: Target): void;
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

/** What the exchange needs from its client connection. */
export interface ExchangeClient {
  readonly socket: net.Socket;
  readonly ctx: ProxyContext;
  readonly info: ConnectionInfo;
  readonly keepAlive: boolean;
  lastActive: number;
  exchangeDone(keepAlive: boolean): void;
  exchangeFailed(status: number, reason: string, route: Route | undefined): void;
  abortClient(): void;
  resumeBody(): void;
  startTunnel(up: UpstreamConn, head: string, buf: Buffer, start: number): void;
}
