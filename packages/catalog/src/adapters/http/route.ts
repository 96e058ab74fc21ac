/**
 * The shape of one route of the `/v1` API. Routes are plain data; server.ts matches them
 * (exact paths before prefixes) and enforces verbs. Never do I/O here.
 */
import type { Ctx, Reply } from './context.js';

export interface Route {
  /** `/v1/...`; with `prefix`, the remainder after it is the decoded `ctx.rest`. */
  readonly path: string;
  readonly prefix?: boolean;
  readonly methods: readonly string[];
  /** Extra verbs accepted with `--legacy-clients` (python-consul 0.7.1 sends GET writes). */
  readonly legacy?: readonly string[];
  /** False for routes Consul serves without an ACL check (status). */
  readonly acl?: boolean;
  readonly handle: (ctx: Ctx) => Reply | Promise<Reply>;
}
