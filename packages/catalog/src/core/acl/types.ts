/**
 * ACL records (tokens, policies, roles and what they grant) and the store operations that
 * change them. Plain JSON-serialisable data only.
 */

/** A service identity of a token or role (`ServiceIdentities`). */
export interface ServiceIdentity {
  readonly serviceName: string;
  readonly datacenters: readonly string[];
}

/** A node identity of a token or role (`NodeIdentities`). */
export interface NodeIdentity {
  readonly nodeName: string;
  readonly datacenter: string;
}

/** A templated policy attached to a token or role (`TemplatedPolicies`). */
export interface TemplatedPolicyRef {
  readonly templateName: string;
  readonly name: string;
  readonly datacenters: readonly string[];
}

/** What an ACL token or role is granted besides its own rules. */
export interface AclGrants {
  /** Policy IDs. */
  readonly policies: readonly string[];
  readonly serviceIdentities: readonly ServiceIdentity[];
  readonly nodeIdentities: readonly NodeIdentity[];
  readonly templatedPolicies: readonly TemplatedPolicyRef[];
}

export interface TokenRec extends AclGrants {
  readonly accessorId: string;
  readonly secretId: string;
  readonly description: string;
  /** Role IDs. */
  readonly roles: readonly string[];
  readonly local: boolean;
  /** RFC 3339, set by the store from the write's clock reading. */
  readonly createTime: string;
  /** RFC 3339, or '' for a token that never expires. */
  readonly expirationTime: string;
  readonly createIndex: number;
  readonly modifyIndex: number;
}

export interface PolicyRec {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly rules: string;
  readonly datacenters: readonly string[];
  readonly createIndex: number;
  readonly modifyIndex: number;
}

export interface RoleRec extends AclGrants {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly createIndex: number;
  readonly modifyIndex: number;
}

export type TokenInput = Omit<TokenRec, 'createIndex' | 'modifyIndex' | 'createTime'> & {
  /** Used for a new token; an update keeps the stored one. */
  readonly createTime?: string;
};
export type PolicyInput = Omit<PolicyRec, 'createIndex' | 'modifyIndex'>;
export type RoleInput = Omit<RoleRec, 'createIndex' | 'modifyIndex'>;

export type AclOp =
  | {
      /** Creates the first management token; refused once done unless `resetIndex` matches. */
      readonly t: 'acl-bootstrap';
      readonly token: TokenInput;
      readonly resetIndex: number | null;
    }
  | {
      readonly t: 'acl-token-set';
      readonly token: TokenInput;
      readonly create: boolean;
      /** The anonymous token or a config token: not subject to the checks of client tokens. */
      readonly builtin?: boolean;
    }
  | { readonly t: 'acl-token-delete'; readonly accessorId: string }
  | {
      readonly t: 'acl-policy-set';
      readonly policy: PolicyInput;
      readonly create: boolean;
      readonly builtin?: boolean;
    }
  | { readonly t: 'acl-policy-delete'; readonly id: string }
  | { readonly t: 'acl-role-set'; readonly role: RoleInput; readonly create: boolean }
  | { readonly t: 'acl-role-delete'; readonly id: string };
