/**
 * The ACL records and rules Consul builds in: the global-management and global-read-only
 * policies, the anonymous token, the synthetic rules of service and node identities, and the
 * templated policies (builtin/service, builtin/node, builtin/dns). Constants and pure rule
 * builders only.
 */

export const GLOBAL_MANAGEMENT_ID = '00000000-0000-0000-0000-000000000001';
export const GLOBAL_MANAGEMENT_NAME = 'global-management';
export const GLOBAL_READ_ONLY_ID = '00000000-0000-0000-0000-000000000002';
export const GLOBAL_READ_ONLY_NAME = 'builtin/global-read-only';
export const ANONYMOUS_ACCESSOR = '00000000-0000-0000-0000-000000000002';
export const ANONYMOUS_SECRET = 'anonymous';

export const GLOBAL_READ_ONLY_RULES = `acl = "read"
agent_prefix "" {
  policy = "read"
}
event_prefix "" {
  policy = "read"
}
key_prefix "" {
  policy = "read"
}
keyring = "read"
mesh = "read"
node_prefix "" {
  policy = "read"
}
operator = "read"
peering = "read"
query_prefix "" {
  policy = "read"
}
service_prefix "" {
  policy = "read"
}
session_prefix "" {
  policy = "read"
}`;

/** The rules a service identity grants (Consul's `ServiceIdentity.SyntheticPolicy`). */
export function serviceIdentityRules(name: string): string {
  const q = JSON.stringify(name);
  const proxy = JSON.stringify(`${name}-sidecar-proxy`);
  return `service ${q} {
  policy = "write"
}
service ${proxy} {
  policy = "write"
}
service_prefix "" {
  policy = "read"
}
node_prefix "" {
  policy = "read"
}`;
}

/** The rules a node identity grants (Consul's `NodeIdentity.SyntheticPolicy`). */
export function nodeIdentityRules(name: string): string {
  return `node ${JSON.stringify(name)} {
  policy = "write"
}
service_prefix "" {
  policy = "read"
}`;
}

const DNS_RULES = `node_prefix "" {
  policy = "read"
}
service_prefix "" {
  policy = "read"
}
query_prefix "" {
  policy = "read"
}`;

export interface TemplatedPolicy {
  readonly name: string;
  readonly description: string;
  /** JSON schema of the variables (empty when the template takes none). */
  readonly schema: string;
  /** The rules, with `{{.Name}}` where the variable goes. */
  readonly template: string;
  readonly rules: (vars: { readonly Name?: string }) => string;
}

const NAME_SCHEMA = `{
  "type": "object",
  "properties": {
    "name": { "type": "string", "$ref": "#/definitions/min-length-one" }
  },
  "required": ["name"],
  "definitions": {
    "min-length-one": { "type": "string", "minLength": 1 }
  }
}`;

export const TEMPLATED_POLICIES: readonly TemplatedPolicy[] = [
  {
    name: 'builtin/service',
    description:
      'Gives the token or role permissions to register a service and discover services in the Consul catalog. It also gives the specified service permission to read its own configuration.',
    schema: NAME_SCHEMA,
    template: serviceIdentityRules('{{.Name}}'),
    rules: (v) => serviceIdentityRules(v.Name ?? ''),
  },
  {
    name: 'builtin/node',
    description:
      'Gives the token or role permissions for a register an agent/node into the catalog. A node is typically a consul agent but can also be a physical server, cloud instance or a container.',
    schema: NAME_SCHEMA,
    template: nodeIdentityRules('{{.Name}}'),
    rules: (v) => nodeIdentityRules(v.Name ?? ''),
  },
  {
    name: 'builtin/dns',
    description:
      'Gives the token or role permissions for the Consul DNS to query services in the network.',
    schema: '',
    template: DNS_RULES,
    rules: () => DNS_RULES,
  },
];
