/**
 * Decodes the Node, Service and Check operations of `PUT /v1/txn` (txn.mdx) into store
 * operations, with the same field rules as `catalog/register`. Pure: it never looks at the
 * state (the store checks that nodes, services and checks exist), and a malformed operation is
 * a 400 that applies nothing.
 */
import { randomUUID } from 'node:crypto';
import { decodeCatalogCheck, decodeNodeMeta, decodeService } from '../../core/decode-service.js';
import { BadRequestError } from '../../errors.js';
import type { Fields } from '../../core/fields.js';
import type {
  CatalogVerb,
  ServiceInput,
  TxnCheckOp,
  TxnNodeOp,
  TxnServiceOp,
} from '../../core/types.js';

const VERBS = new Set<CatalogVerb>(['set', 'cas', 'get', 'delete', 'delete-cas']);
const WRITES = new Set<CatalogVerb>(['set', 'cas']);

function parseError(message: string): BadRequestError {
  return new BadRequestError(`Failed to parse body: ${message}`);
}

function verbOf(f: Fields, kind: string, i: number): CatalogVerb {
  const verb = (f.str('Verb') ?? '') as CatalogVerb;
  if (!VERBS.has(verb)) {
    throw parseError(`operation ${i}: unknown ${kind} verb ${JSON.stringify(verb)}`);
  }
  return verb;
}

function indexOf(f: Fields | undefined, i: number): number {
  const index = f?.int('ModifyIndex') ?? 0;
  if (index < 0) throw parseError(`operation ${i}: ModifyIndex must be a uint64`);
  return index;
}

/** A service given only by ID (get/delete): the other fields are never used. */
function serviceById(id: string): ServiceInput {
  return {
    id,
    service: '',
    tags: [],
    address: '',
    port: 0,
    meta: {},
    taggedAddresses: null,
    weights: { passing: 1, warning: 1 },
    enableTagOverride: false,
    kind: '',
    proxy: null,
    connect: null,
  };
}

function nodeOp(op: Fields, i: number): TxnNodeOp {
  const verb = verbOf(op, 'Node', i);
  const n = op.obj('Node');
  const name = n?.str('Node') ?? '';
  if (name === '') throw parseError(`operation ${i}: Node.Node (the node name) is required`);
  const address = n?.str('Address') ?? '';
  if (WRITES.has(verb) && address === '') throw new BadRequestError('Must provide address');
  return {
    kind: 'node',
    verb,
    node: {
      id: n?.str('ID') ?? '',
      node: name,
      address,
      taggedAddresses: n?.strMap('TaggedAddresses') ?? {},
      meta: decodeNodeMeta(n?.strMap('Meta', 'NodeMeta') ?? {}),
    },
    fallbackId: randomUUID(),
    index: indexOf(n, i),
  };
}

function serviceOp(op: Fields, i: number): TxnServiceOp {
  const verb = verbOf(op, 'Service', i);
  const node = op.str('Node') ?? '';
  if (node === '') throw parseError(`operation ${i}: Node (the node name) is required`);
  const raw = op.raw('Service');
  const s = op.obj('Service');
  let service: ServiceInput;
  if (WRITES.has(verb)) {
    service = decodeService(raw, { catalogShape: true, scripts: true }).service;
  } else {
    const id = s?.str('ID') || s?.str('Service') || '';
    if (id === '') throw parseError(`operation ${i}: Service.ID is required`);
    service = serviceById(id);
  }
  return { kind: 'service', verb, node, service, index: indexOf(s, i) };
}

function checkOp(op: Fields, i: number): TxnCheckOp {
  const verb = verbOf(op, 'Check', i);
  const c = op.obj('Check');
  const node = c?.str('Node') ?? '';
  if (node === '') throw parseError(`operation ${i}: Check.Node is required`);
  const check = decodeCatalogCheck(op.raw('Check'));
  return { kind: 'check', verb, node, check, index: indexOf(c, i) };
}

/** Decodes one Node, Service or Check operation (`kind` is the key that held it). */
export function decodeCatalogOp(
  kind: 'Node' | 'Service' | 'Check',
  op: Fields,
  i: number,
): TxnNodeOp | TxnServiceOp | TxnCheckOp {
  if (kind === 'Node') return nodeOp(op, i);
  if (kind === 'Service') return serviceOp(op, i);
  return checkOp(op, i);
}
