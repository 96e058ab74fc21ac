/**
 * Error classes of the catalog, each with a stable `code` and, for API errors, the HTTP status
 * Consul answers with. Never put request handling or logging here: this file only names errors.
 */

/** Base class of every catalog error: `code` is stable and safe to match on. */
export class CatalogError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** An error that maps to an HTTP status and a plain-text body, as Consul's handlers do. */
export class ApiError extends CatalogError {
  readonly status: number;
  constructor(status: number, code: string, message: string) {
    super(code, message);
    this.status = status;
  }
}

/** 400: a bad parameter or body (`Request decode failed: ...`, `Missing key name`, ...). */
export class BadRequestError extends ApiError {
  constructor(message: string) {
    super(400, 'BERTH_CATALOG_BAD_REQUEST', message);
  }
}

/** 403: the ACL token is missing or wrong. */
export class PermissionDeniedError extends ApiError {
  constructor(message = 'Permission denied') {
    super(403, 'BERTH_CATALOG_PERMISSION_DENIED', message);
  }
}

/** 404: an unknown service, session, route... */
export class NotFoundError extends ApiError {
  constructor(message: string) {
    super(404, 'BERTH_CATALOG_NOT_FOUND', message);
  }
}

/** 405: the route exists but not for this verb. `allow` lists the verbs it accepts. */
export class MethodNotAllowedError extends ApiError {
  readonly allow: readonly string[];
  constructor(method: string, allow: readonly string[]) {
    super(405, 'BERTH_CATALOG_METHOD_NOT_ALLOWED', `method ${method} not allowed`);
    this.allow = allow;
  }
}

/** 413: a body or transaction over the limit. */
export class TooLargeError extends ApiError {
  constructor(message: string) {
    super(413, 'BERTH_CATALOG_TOO_LARGE', message);
  }
}

/** 500: what Consul reports as an RPC/state error (invalid session, unknown dc, no TTL...). */
export class StateError extends ApiError {
  constructor(message: string) {
    super(500, 'BERTH_CATALOG_STATE', message);
  }
}

/** 401: `/v1/acl/*` while ACLs are disabled. */
export class AclDisabledError extends ApiError {
  constructor() {
    super(401, 'BERTH_CATALOG_ACL_DISABLED', 'ACL support disabled');
  }
}

/** The write-ahead log or snapshot could not be read or written. */
export class WalError extends CatalogError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('BERTH_CATALOG_WAL', message, options);
  }
}

/** Bad options passed to `startCatalog`. */
export class CatalogOptionError extends CatalogError {
  constructor(message: string) {
    super('BERTH_CATALOG_OPTION', message);
  }
}

/** One failed operation of a transaction; reported in `Errors` at its OpIndex (409). */
export class TxnOpError extends CatalogError {
  constructor(message: string) {
    super('BERTH_CATALOG_TXN_OP', message);
  }
}
