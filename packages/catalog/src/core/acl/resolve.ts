/**
 * From a token (or a role) to its Authorizer: the rules of its policies, of its roles'
 * policies, of its service and node identities and of its templated policies, merged; the
 * global-management policy makes it a management token. Pure over the state.
 */
import type { State } from '../state.js';
import type { AclGrants, TokenRec } from '../types.js';
import { Authorizer } from './authorizer.js';
import {
  GLOBAL_MANAGEMENT_ID,
  nodeIdentityRules,
  serviceIdentityRules,
  TEMPLATED_POLICIES,
} from './builtins.js';
import { mergeRules, parseRules, type PolicyRules } from './rules.js';

function grantRules(s: State, g: AclGrants, dc: string, out: PolicyRules[]): boolean {
  let management = false;
  for (const id of g.policies) {
    if (id === GLOBAL_MANAGEMENT_ID) management = true;
    const p = s.aclPolicies.get(id);
    if (!p) continue;
    if (p.datacenters.length > 0 && !p.datacenters.includes(dc)) continue;
    out.push(parseRules(p.rules));
  }
  for (const si of g.serviceIdentities) {
    if (si.datacenters.length > 0 && !si.datacenters.includes(dc)) continue;
    out.push(parseRules(serviceIdentityRules(si.serviceName)));
  }
  for (const ni of g.nodeIdentities) {
    if (ni.datacenter !== dc) continue;
    out.push(parseRules(nodeIdentityRules(ni.nodeName)));
  }
  for (const tp of g.templatedPolicies) {
    if (tp.datacenters.length > 0 && !tp.datacenters.includes(dc)) continue;
    const t = TEMPLATED_POLICIES.find((x) => x.name === tp.templateName);
    if (t) out.push(parseRules(t.rules({ Name: tp.name })));
  }
  return management;
}

/** The Authorizer of `token` in datacenter `dc`. */
export function tokenAuthorizer(
  s: State,
  token: TokenRec,
  dc: string,
  defaultAllow: boolean,
): Authorizer {
  const rules: PolicyRules[] = [];
  let management = grantRules(s, token, dc, rules);
  for (const id of token.roles) {
    const role = s.aclRoles.get(id);
    if (role && grantRules(s, role, dc, rules)) management = true;
  }
  return new Authorizer(mergeRules(rules), management, defaultAllow);
}

/** The agent recovery token's rights: write on this agent, read on every node. */
export function agentRecoveryAuthorizer(node: string): Authorizer {
  const rules = parseRules(
    `agent ${JSON.stringify(node)} { policy = "write" }\nnode_prefix "" { policy = "read" }`,
  );
  return new Authorizer(rules, false, false);
}
