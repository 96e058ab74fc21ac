/**
 * The ACL check of each operation of `PUT /v1/txn`, as Consul's txn pre-check: KV reads need
 * key read, KV writes key write (a tree delete write on everything under the prefix), Node
 * operations node read or write, Service and Check operations read or write on their service
 * (a node-level check: on its node). A denied operation becomes an entry of `Errors` and
 * nothing of the transaction is applied.
 */
import { checkReadable } from '../../core/acl/acl-filter.js';
import type { TxnOp } from '../../core/types.js';
import type { Ctx } from './context.js';

const KV_READS = new Set([
  'get',
  'get-or-empty',
  'get-tree',
  'check-index',
  'check-session',
  'check-not-exists',
]);

/** Why `op` is refused, or undefined when the token may run it. */
export function txnOpDenied(ctx: Ctx, op: TxnOp): string | undefined {
  const a = ctx.authz;
  const state = ctx.catalog.store.state;
  const who = ctx.identity.token?.accessorId ?? '00000000-0000-0000-0000-000000000002';
  const deny = (perm: string, name: string): string =>
    `Permission denied: token with AccessorID '${who}' lacks permission '${perm}' on ${JSON.stringify(name)}`;
  switch (op.kind) {
    case undefined:
    case 'kv':
      if (KV_READS.has(op.verb)) return a.keyRead(op.key) ? undefined : deny('key:read', op.key);
      if (op.verb === 'delete-tree') {
        return a.keyWritePrefix(op.key) ? undefined : deny('key:write', op.key);
      }
      return a.keyWrite(op.key) ? undefined : deny('key:write', op.key);
    case 'node': {
      const name = op.node.node;
      if (op.verb === 'get') return a.nodeRead(name) ? undefined : deny('node:read', name);
      return a.nodeWrite(name) ? undefined : deny('node:write', name);
    }
    case 'service': {
      const cur = state.services.get(op.node)?.get(op.service.id);
      if (op.verb === 'get') {
        const name = cur?.service ?? op.service.service;
        return a.serviceRead(name) ? undefined : deny('service:read', name);
      }
      for (const name of [
        cur?.service,
        op.verb.startsWith('delete') ? undefined : op.service.service,
      ]) {
        if (name !== undefined && !a.serviceWrite(name)) return deny('service:write', name);
      }
      return undefined;
    }
    case 'check': {
      const cur = state.checks.get(op.node)?.get(op.check.checkId);
      if (op.verb === 'get') {
        return !cur || checkReadable(a, cur) ? undefined : deny('node:read', op.node);
      }
      const svcId = cur?.serviceId || op.check.serviceId;
      const svc = svcId === '' ? undefined : state.services.get(op.node)?.get(svcId);
      if (svc) return a.serviceWrite(svc.service) ? undefined : deny('service:write', svc.service);
      return a.nodeWrite(op.node) ? undefined : deny('node:write', op.node);
    }
  }
}
