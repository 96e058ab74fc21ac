/**
 * One inactivity deadline per phase of a connection and of an exchange, as pure functions of
 * what the phase is and when something last moved. Whoever stalls decides the deadline: a
 * client that reads nothing gets --send-timeout, a client that sends nothing --body-timeout
 * or --header-timeout, an upstream that answers nothing --response-timeout (counted from the
 * end of the request), an idle keep-alive --idle-timeout. No clock, no I/O.
 */

/** Timeouts in ms (see the daemon's options). */
export interface Timeouts {
  readonly header: number;
  readonly idle: number;
  readonly body: number;
  readonly send: number;
  readonly connect: number;
  readonly response: number;
  readonly tunnelIdle: number;
  readonly linger: number;
}

/** A client connection between exchanges. */
export interface ConnectionPhase {
  /** `head`: a request head is arriving; `idle`: nothing buffered; `closing`: our side ended. */
  readonly kind: 'head' | 'idle' | 'pipelined' | 'closing';
  /** When the current head started (for `head`). */
  readonly headSince: number;
  /** Last byte moved either way. */
  readonly lastActive: number;
  /** Answers the client has not read yet. */
  readonly clientBacklog: boolean;
}

/** Which deadline of a connection passed, if any. */
export function connectionExpired(
  p: ConnectionPhase,
  now: number,
  t: Timeouts,
): 'send' | 'header' | 'idle' | 'linger' | undefined {
  if (p.clientBacklog) return now - p.lastActive > t.send ? 'send' : undefined;
  if (p.kind === 'head') return now - p.headSince > t.header ? 'header' : undefined;
  if (p.kind === 'idle') return now - p.lastActive > t.idle ? 'idle' : undefined;
  if (p.kind === 'closing') return now - p.lastActive > t.linger ? 'linger' : undefined;
  return undefined;
}

/** One exchange: where it is and who has bytes waiting. */
export interface ExchangePhase {
  readonly connected: boolean;
  readonly connectSince: number;
  readonly requestDone: boolean;
  /** When the whole request was sent (0 = not yet): the response timer's start. */
  readonly waitSince: number;
  /** The response head went to the client; its body is streaming. */
  readonly streaming: boolean;
  readonly lastActive: number;
  readonly clientBacklog: boolean;
  readonly upstreamBacklog: boolean;
}

/**
 * Which deadline of an exchange passed: `connect`, `upstream-send` (the upstream stopped
 * reading the request), `body` (the client stopped sending it), `response` (no response
 * head), `client-send` (the client stopped reading), `stalled` (the upstream stopped sending
 * the body); undefined when none.
 */
export function exchangeExpired(
  p: ExchangePhase,
  now: number,
  t: Timeouts,
): 'connect' | 'upstream-send' | 'body' | 'response' | 'client-send' | 'stalled' | undefined {
  const idle = now - p.lastActive;
  if (p.streaming) {
    if (p.clientBacklog) return idle > t.send ? 'client-send' : undefined;
    return idle > t.response ? 'stalled' : undefined;
  }
  if (!p.connected) return now - p.connectSince > t.connect ? 'connect' : undefined;
  if (!p.requestDone) {
    if (p.upstreamBacklog) return idle > t.response ? 'upstream-send' : undefined;
    return idle > t.body ? 'body' : undefined;
  }
  return p.waitSince !== 0 && now - p.waitSince > t.response ? 'response' : undefined;
}
