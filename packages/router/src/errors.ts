/**
 * Error classes of the router, each with a stable `code` that logs, metrics and tests key on.
 * This module must never import I/O or carry behaviour: only error shapes.
 */

/** Base class of every error the router raises on purpose. */
export class RouterError extends Error {
  /** Stable, machine-readable error code. */
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** A `urlprefix-` tag that cannot be turned into a route. */
export class TagError extends RouterError {
  constructor(
    readonly service: string,
    readonly tag: string,
    reason: string,
  ) {
    super('BERTH_ROUTER_BAD_TAG', `service ${service}: tag ${JSON.stringify(tag)}: ${reason}`);
  }
}

/** A line of the route language (`route add ...`) that does not parse. */
export class RouteCommandError extends RouterError {
  constructor(
    readonly line: number,
    readonly text: string,
    reason: string,
  ) {
    super('BERTH_ROUTER_BAD_COMMAND', `line ${line}: ${JSON.stringify(text)}: ${reason}`);
  }
}

/** An invalid option passed to `startRouter` or a bad flag value. */
export class RouterConfigError extends RouterError {
  constructor(
    readonly option: string,
    message: string,
  ) {
    super('BERTH_ROUTER_BAD_OPTION', `${option}: ${message}`);
  }
}

/** A malformed inbound request; `status` is what the client gets. */
export class RequestError extends RouterError {
  constructor(
    readonly status: number,
    reason: string,
  ) {
    super('BERTH_ROUTER_BAD_REQUEST', reason);
  }
}

/** A malformed PROXY protocol header. */
export class ProxyProtocolError extends RouterError {
  constructor(reason: string) {
    super('BERTH_ROUTER_BAD_PROXY_PROTOCOL', reason);
  }
}
