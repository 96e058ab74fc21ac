/**
 * ACL writes over the state, with Consul's validation: bootstrap (once, or again with the
 * reset index), tokens (unique AccessorID and SecretID, reserved IDs refused, policies and
 * roles that exist), policies (unique valid names, rules that parse, the builtin
 * global-management policy's rules never change), roles, and deletions that refuse the
 * anonymous token and builtin policies. Never read the clock here: use `tx.now`.
 */
import { BadRequestError, PermissionDeniedError } from '../../errors.js';
import type { Tx } from '../tx.js';
import type { PolicyInput, RoleInput, TokenInput, TokenRec } from '../types.js';
import {
  ANONYMOUS_ACCESSOR,
  GLOBAL_MANAGEMENT_ID,
  GLOBAL_READ_ONLY_ID,
  TEMPLATED_POLICIES,
} from './builtins.js';
import { parseRules, RulesError } from './rules.js';

/** IDs with this prefix are Consul's builtins. */
export const RESERVED_PREFIX = '00000000-0000-0000-0000-0000000000';
const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const NAME = /^[A-Za-z0-9\-_]{1,128}$/;

/** True for a string Consul's uuid.ParseUUID accepts. */
export function isUuid(s: string): boolean {
  return UUID.test(s);
}

function bad(message: string): never {
  throw new BadRequestError(message);
}

function checkGrants(tx: Tx, what: string, g: TokenInput | RoleInput): void {
  for (const id of g.policies) {
    if (!tx.state.aclPolicies.has(id)) bad(`Invalid ${what}: No such ACL policy with ID "${id}"`);
  }
  for (const s of g.serviceIdentities) {
    if (!/^[a-z0-9]([a-z0-9-_]*[a-z0-9])?$/.test(s.serviceName)) {
      bad(
        `Invalid ${what}: Service identity "${s.serviceName}" has an invalid name. Only lowercase alphanumeric characters, '-' and '_' are allowed`,
      );
    }
  }
  for (const n of g.nodeIdentities) {
    if (n.nodeName === '') bad(`Invalid ${what}: Node identity is missing the node name`);
    if (n.datacenter === '') bad(`Invalid ${what}: Node identity is missing the datacenter`);
  }
  for (const t of g.templatedPolicies) {
    const tp = TEMPLATED_POLICIES.find((p) => p.name === t.templateName);
    if (!tp) bad(`Invalid ${what}: no such templated policy with name "${t.templateName}"`);
    if (tp.schema !== '' && t.name === '') {
      bad(`Invalid ${what}: templated policy "${t.templateName}" requires the variable Name`);
    }
  }
}

function storeToken(tx: Tx, t: TokenInput, prev: TokenRec | undefined): void {
  const rec: TokenRec = {
    ...t,
    createTime: prev?.createTime ?? t.createTime ?? new Date(tx.now).toISOString(),
    createIndex: prev?.createIndex ?? tx.index,
    modifyIndex: tx.index,
  };
  if (prev && prev.secretId !== rec.secretId) tx.drop(tx.state.aclSecrets, prev.secretId);
  tx.put(tx.state.aclTokens, rec.accessorId, rec);
  tx.put(tx.state.aclSecrets, rec.secretId, rec.accessorId);
  tx.table('acl');
}

/**
 * Creates (`create`) or replaces a token. `builtin` (the anonymous token, config tokens) skips
 * the checks that apply to tokens clients create.
 */
export function tokenSet(tx: Tx, t: TokenInput, create: boolean, builtin = false): void {
  const s = tx.state;
  const prev = s.aclTokens.get(t.accessorId);
  if (builtin) {
    storeToken(tx, t, prev);
    return;
  }
  if (create) {
    if (!isUuid(t.accessorId)) bad('Invalid Token: AccessorID is not a valid UUID');
    if (!isUuid(t.secretId) && t.secretId !== t.accessorId) {
      bad('Invalid Token: SecretID is not a valid UUID');
    }
    if (t.accessorId.startsWith(RESERVED_PREFIX) || t.secretId.startsWith(RESERVED_PREFIX)) {
      bad(`Invalid Token: UUIDs with the prefix "${RESERVED_PREFIX}" are reserved`);
    }
    if (prev) bad('Invalid Token: AccessorID is already in use');
    if (s.aclSecrets.has(t.secretId)) bad('Invalid Token: SecretID is already in use');
  } else {
    if (!prev) bad(`Cannot find token ${JSON.stringify(t.accessorId)}`);
    if (prev.secretId !== t.secretId) bad("Changing a token's SecretID is not permitted");
    if (prev.local !== t.local) bad('Cannot toggle local mode of a token');
  }
  checkGrants(tx, 'Token', t);
  for (const id of t.roles)
    if (!s.aclRoles.has(id)) bad(`Invalid Token: No such ACL role with ID "${id}"`);
  storeToken(tx, t, prev);
}

/**
 * The bootstrap: stores the first management token. Refused once ACLs were bootstrapped,
 * unless `resetIndex` equals the index of that bootstrap (Consul's acl-bootstrap-reset).
 */
export function aclBootstrap(tx: Tx, t: TokenInput, resetIndex: number | null): void {
  const done = tx.state.aclBootstrapIndex;
  if (done > 0 && resetIndex !== done) {
    throw new PermissionDeniedError(
      `Permission denied: ACL bootstrap no longer allowed (reset index: ${done})`,
    );
  }
  if (tx.state.aclSecrets.has(t.secretId)) {
    // The same secret again (a restarted `initial_management`): nothing to create.
    tx.field(tx.state, 'aclBootstrapIndex', tx.index);
    tx.table('acl');
    return;
  }
  storeToken(tx, t, tx.state.aclTokens.get(t.accessorId));
  tx.field(tx.state, 'aclBootstrapIndex', tx.index);
}

export function tokenDelete(tx: Tx, accessorId: string): void {
  if (accessorId === ANONYMOUS_ACCESSOR)
    bad('Delete operation not permitted on the anonymous token');
  const prev = tx.state.aclTokens.get(accessorId);
  if (!prev) return;
  tx.drop(tx.state.aclTokens, accessorId);
  tx.drop(tx.state.aclSecrets, prev.secretId);
  tx.table('acl');
}

export function policySet(tx: Tx, p: PolicyInput, create: boolean, builtin = false): void {
  const s = tx.state;
  if (builtin) {
    const prev = s.aclPolicies.get(p.id);
    tx.put(s.aclPolicies, p.id, {
      ...p,
      createIndex: prev?.createIndex ?? tx.index,
      modifyIndex: tx.index,
    });
    tx.table('acl');
    return;
  }
  if (!NAME.test(p.name)) {
    bad(`Invalid Policy: invalid Name. Only alphanumeric characters, '-' and '_' are allowed`);
  }
  const prev = s.aclPolicies.get(p.id);
  if (create && prev) bad(`Invalid Policy: A policy with ID "${p.id}" already exists`);
  if (!create && !prev) bad(`Cannot find policy ${JSON.stringify(p.id)}`);
  for (const other of s.aclPolicies.values()) {
    if (other.id !== p.id && other.name === p.name) {
      bad(`Invalid Policy: A Policy with Name ${JSON.stringify(p.name)} already exists`);
    }
  }
  if (p.id === GLOBAL_MANAGEMENT_ID && prev && (p.rules !== prev.rules || p.name !== prev.name)) {
    bad('Changing the Rules for the builtin global-management policy is not permitted');
  }
  try {
    parseRules(p.rules);
  } catch (err) {
    if (err instanceof RulesError) bad(`Failed to parse policy: ${err.message}`);
    throw err;
  }
  tx.put(s.aclPolicies, p.id, {
    ...p,
    createIndex: prev?.createIndex ?? tx.index,
    modifyIndex: tx.index,
  });
  tx.table('acl');
}

export function policyDelete(tx: Tx, id: string): void {
  if (id === GLOBAL_MANAGEMENT_ID) {
    bad('Delete operation not permitted on the builtin global-management policy');
  }
  if (id === GLOBAL_READ_ONLY_ID) {
    bad('Delete operation not permitted on the builtin global-read-only policy');
  }
  if (tx.drop(tx.state.aclPolicies, id)) tx.table('acl');
}

export function roleSet(tx: Tx, r: RoleInput, create: boolean): void {
  const s = tx.state;
  if (!NAME.test(r.name)) {
    bad(`Invalid Role: invalid Name. Only alphanumeric characters, '-' and '_' are allowed`);
  }
  const prev = s.aclRoles.get(r.id);
  if (create && prev) bad(`Invalid Role: A role with ID "${r.id}" already exists`);
  if (!create && !prev) bad(`Cannot find role ${JSON.stringify(r.id)}`);
  for (const other of s.aclRoles.values()) {
    if (other.id !== r.id && other.name === r.name) {
      bad(`Invalid Role: A Role with Name ${JSON.stringify(r.name)} already exists`);
    }
  }
  checkGrants(tx, 'Role', r);
  tx.put(s.aclRoles, r.id, {
    ...r,
    createIndex: prev?.createIndex ?? tx.index,
    modifyIndex: tx.index,
  });
  tx.table('acl');
}

export function roleDelete(tx: Tx, id: string): void {
  if (tx.drop(tx.state.aclRoles, id)) tx.table('acl');
}
