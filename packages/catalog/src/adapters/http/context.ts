/**
 * One HTTP request as the route handlers see it: the decoded path remainder, query helpers
 * (presence flags, Go ParseBool, uint64s), bounded body reading and the catalog. A handler
 * returns a Reply; only server.ts writes to the socket. Never parse bodies by Content-Type.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Authorizer } from '../../core/acl/authorizer.js';
import { isObject } from '../../core/fields.js';
import type { Schema } from '../../core/filter/schema.js';
import type { Catalog } from '../../engine.js';
import type { Identity } from '../../engine/acl.js';
import { BadRequestError, PermissionDeniedError, StateError, TooLargeError } from '../../errors.js';
import { ANONYMOUS_ACCESSOR } from '../../core/acl/builtins.js';

/** What a handler answers; server.ts serialises it. */
export interface Reply {
  readonly status?: number;
  /** A JSON body (serialised with exact uint64 RawNumbers). */
  readonly json?: unknown;
  readonly text?: string;
  readonly raw?: Buffer;
  readonly headers?: Readonly<Record<string, string>>;
  /** Sets X-Consul-Index (and the other blocking-read headers). */
  readonly index?: number;
  /** Entries were left out because the token may not read them. */
  readonly filtered?: boolean;
}

/** Options of the HTTP layer that handlers read. */
export interface HttpOptions {
  readonly legacyClients: boolean;
  /** Script checks may be registered (`enable_script_checks`). */
  readonly scriptChecks: boolean;
  readonly compileFilter: (expression: string, schema?: Schema) => (value: unknown) => boolean;
}

/** Default body limit for JSON bodies. */
export const MAX_BODY = 1024 * 1024;
/** KV values and transactions: Consul's kv_max_value_size / txn_max_req_len. */
export const MAX_KV_BODY = 512 * 1024;

const TRUE = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);
const FALSE = new Set(['0', 'f', 'F', 'FALSE', 'false', 'False']);

/** Go's strconv.ParseBool; undefined when the text is not a boolean. */
export function parseBool(text: string): boolean | undefined {
  if (TRUE.has(text)) return true;
  if (FALSE.has(text)) return false;
  return undefined;
}

const UINT64_MAX = 18446744073709551615n;

/** A uint64 in decimal digits, or undefined when the text is not one. */
export function parseUint64(text: string): string | undefined {
  if (!/^\d{1,20}$/.test(text)) return undefined;
  const n = BigInt(text);
  return n <= UINT64_MAX ? n.toString() : undefined;
}

export class Ctx {
  constructor(
    readonly req: IncomingMessage,
    readonly res: ServerResponse,
    readonly method: string,
    /** The path after the route prefix, percent-decoded. */
    readonly rest: string,
    readonly query: URLSearchParams,
    readonly catalog: Catalog,
    readonly options: HttpOptions,
    /** Whom the request acts for (everything is allowed with ACLs off). */
    readonly identity: Identity,
  ) {}

  get authz(): Authorizer {
    return this.identity.authz;
  }

  /**
   * Refuses the request (403) unless `allowed`, with Consul's message naming the permission:
   * `Permission denied: token with AccessorID '…' lacks permission 'key:write' on "a/b"`.
   */
  require(allowed: boolean, permission: string, name?: string): void {
    if (allowed) return;
    const who = this.identity.token?.accessorId ?? ANONYMOUS_ACCESSOR;
    const on = name === undefined ? '' : ` on ${JSON.stringify(name)}`;
    throw new PermissionDeniedError(
      `Permission denied: token with AccessorID '${who}' lacks permission '${permission}'${on}`,
    );
  }

  /** A `Datacenter` given in a body must be ours: nothing aimed elsewhere is applied. */
  requireLocalDc(dc: string | undefined): void {
    if (dc !== undefined && dc !== '' && dc !== this.catalog.config.datacenter) {
      throw new StateError('No path to datacenter');
    }
  }

  /** Presence flag (`?recurse`, `?recurse=true`, `?keys=True` all count). */
  has(name: string): boolean {
    return this.query.has(name);
  }

  get(name: string): string | undefined {
    return this.query.get(name) ?? undefined;
  }

  /** An index-like uint64 parameter as a number; 400 `message` when malformed. */
  uint(name: string, message: string): number | undefined {
    const v = this.query.get(name);
    if (v === null) return undefined;
    const digits = parseUint64(v);
    if (digits === undefined) throw new BadRequestError(message);
    return Number(digits);
  }

  /** `?enable=` style required boolean (agent maintenance). */
  requiredBool(name: string): boolean {
    const v = this.query.get(name);
    if (v === null || v === '') throw new BadRequestError(`Missing value for ${name}`);
    const b = parseBool(v);
    if (b === undefined)
      throw new BadRequestError(`Invalid value for ${name}: ${JSON.stringify(v)}`);
    return b;
  }

  /** The raw body, at most `limit` bytes (413 beyond). */
  async body(limit = MAX_BODY): Promise<Buffer> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of this.req) {
      const b = chunk as Buffer;
      size += b.length;
      if (size > limit) {
        throw new TooLargeError(`Request body too large, max size: ${limit} bytes`);
      }
      chunks.push(b);
    }
    return Buffer.concat(chunks);
  }

  /** The body parsed as JSON whatever the Content-Type; undefined for an empty body. */
  async json(limit = MAX_BODY): Promise<unknown> {
    const text = (await this.body(limit)).toString('utf8');
    if (text.trim() === '') return undefined;
    try {
      return JSON.parse(text) as unknown;
    } catch (err) {
      throw new BadRequestError(`Request decode failed: ${(err as Error).message}`);
    }
  }

  /** The body as a JSON object (empty body gives {}). */
  async object(limit = MAX_BODY): Promise<Record<string, unknown>> {
    const v = await this.json(limit);
    if (v === undefined || v === null) return {};
    if (!isObject(v)) {
      throw new BadRequestError('Request decode failed: json: cannot unmarshal into an object');
    }
    return v;
  }

  /** A compiled `?filter` whose selectors `schema` knows, or undefined when absent or empty. */
  filter(schema?: Schema): ((value: unknown) => boolean) | undefined {
    const f = this.query.get('filter');
    if (f === null || f.trim() === '') return undefined;
    return this.options.compileFilter(f, schema);
  }
}
