/**
 * Error classes of @berth/dns, each with a stable `code` callers can switch on.
 * Must never carry secrets (tokens) in messages; messages name the option or peer at fault.
 */

/** Base class of every error thrown by @berth/dns. */
export class DnsError extends Error {
  /** Stable machine-readable code. */
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** An option passed to `startDns` or `berth dns` is invalid; the message names it. */
export class DnsOptionError extends DnsError {
  /** The option at fault, e.g. `serviceTtl`. */
  readonly option: string;
  constructor(option: string, message: string) {
    super('ERR_DNS_OPTION', `${option}: ${message}`);
    this.option = option;
  }
}

/** A listener could not be bound. */
export class DnsListenError extends DnsError {
  constructor(address: string, cause: unknown) {
    super('ERR_DNS_LISTEN', `cannot listen on ${address}: ${String(cause)}`, { cause });
  }
}

/** A recursor did not answer in time, answered garbage, or refused. */
export class DnsRecursorError extends DnsError {
  /** The recursor, as `host:port`. */
  readonly recursor: string;
  constructor(recursor: string, message: string, options?: { cause?: unknown }) {
    super('ERR_DNS_RECURSOR', `recursor ${recursor}: ${message}`, options);
    this.recursor = recursor;
  }
}

/** Building a table from a catalog snapshot failed; the previous table stays in use. */
export class DnsTableError extends DnsError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_DNS_TABLE', message, options);
  }
}

/** Executing a prepared query failed (unreachable, past its deadline, or not 200/404). */
export class DnsQueryError extends DnsError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_DNS_QUERY', message, options);
  }
}
