/**
 * ACL records in Consul's JSON shapes (structs.ACLToken, ACLPolicy, ACLRole and their list
 * stubs): policy and role links carry the current names, empty lists are left out as Consul's
 * `omitempty` does, and a token's SecretID is shown only to whom may write ACLs. Only how
 * records look on the wire is decided here.
 */
import { createHash } from 'node:crypto';
import type { State } from '../state.js';
import type { AclGrants, PolicyRec, RoleRec, TokenRec } from '../types.js';

const HIDDEN = '<hidden>';

function hash(parts: unknown): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('base64');
}

function grants(s: State, g: AclGrants, out: Record<string, unknown>): void {
  const policies = g.policies
    .map((id) => s.aclPolicies.get(id))
    .filter((p): p is PolicyRec => p !== undefined)
    .map((p) => ({ ID: p.id, Name: p.name }));
  if (policies.length > 0) out.Policies = policies;
  if (g.serviceIdentities.length > 0) {
    out.ServiceIdentities = g.serviceIdentities.map((si) => ({
      ServiceName: si.serviceName,
      ...(si.datacenters.length > 0 ? { Datacenters: [...si.datacenters] } : {}),
    }));
  }
  if (g.nodeIdentities.length > 0) {
    out.NodeIdentities = g.nodeIdentities.map((n) => ({
      NodeName: n.nodeName,
      Datacenter: n.datacenter,
    }));
  }
  if (g.templatedPolicies.length > 0) {
    out.TemplatedPolicies = g.templatedPolicies.map((t) => ({
      TemplateName: t.templateName,
      ...(t.name !== '' ? { TemplateVariables: { Name: t.name } } : {}),
      ...(t.datacenters.length > 0 ? { Datacenters: [...t.datacenters] } : {}),
    }));
  }
}

/** structs.ACLToken; `showSecret` false replaces the SecretID with `<hidden>`. */
export function renderToken(s: State, t: TokenRec, showSecret: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {
    AccessorID: t.accessorId,
    SecretID: showSecret ? t.secretId : HIDDEN,
    Description: t.description,
  };
  grants(s, t, out);
  const roles = t.roles
    .map((id) => s.aclRoles.get(id))
    .filter((r): r is RoleRec => r !== undefined)
    .map((r) => ({ ID: r.id, Name: r.name }));
  if (roles.length > 0) out.Roles = roles;
  out.Local = t.local;
  if (t.expirationTime !== '') out.ExpirationTime = t.expirationTime;
  Object.assign(out, {
    CreateTime: t.createTime,
    Hash: hash([
      t.description,
      t.policies,
      t.roles,
      t.serviceIdentities,
      t.nodeIdentities,
      t.local,
    ]),
    CreateIndex: t.createIndex,
    ModifyIndex: t.modifyIndex,
  });
  return out;
}

/** structs.ACLPolicy, or its list stub (no Rules) when `stub`. */
export function renderPolicy(p: PolicyRec, stub = false): Record<string, unknown> {
  const out: Record<string, unknown> = { ID: p.id, Name: p.name, Description: p.description };
  if (!stub) out.Rules = p.rules;
  if (p.datacenters.length > 0) out.Datacenters = [...p.datacenters];
  Object.assign(out, {
    Hash: hash([p.name, p.description, p.rules, p.datacenters]),
    CreateIndex: p.createIndex,
    ModifyIndex: p.modifyIndex,
  });
  return out;
}

/** structs.ACLRole. */
export function renderRole(s: State, r: RoleRec): Record<string, unknown> {
  const out: Record<string, unknown> = { ID: r.id, Name: r.name, Description: r.description };
  grants(s, r, out);
  Object.assign(out, {
    Hash: hash([r.name, r.description, r.policies, r.serviceIdentities, r.nodeIdentities]),
    CreateIndex: r.createIndex,
    ModifyIndex: r.modifyIndex,
  });
  return out;
}
