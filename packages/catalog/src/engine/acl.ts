/**
 * The catalog's ACL system at run time: it creates the builtin policies, the anonymous token
 * and the `initial_management` token when ACLs are on, resolves a request's secret to an
 * Authorizer (the `default` agent token or anonymous when none is given; an unknown or expired
 * secret is "ACL not found"), caches authorizers until an ACL record changes, keeps the agent
 * tokens (persisted when `enable_token_persistence`), and runs `/v1/acl/bootstrap`. Writes go
 * through the catalog like every other write; nothing here bypasses the log.
 */
import { randomUUID } from 'node:crypto';
import {
  readAgentTokens,
  readBootstrapReset,
  removeBootstrapReset,
  writeAgentTokens,
} from '../adapters/acl-files.js';
import { ALLOW_ALL, Authorizer } from '../core/acl/authorizer.js';
import {
  ANONYMOUS_ACCESSOR,
  ANONYMOUS_SECRET,
  GLOBAL_MANAGEMENT_ID,
  GLOBAL_MANAGEMENT_NAME,
  GLOBAL_READ_ONLY_ID,
  GLOBAL_READ_ONLY_NAME,
  GLOBAL_READ_ONLY_RULES,
} from '../core/acl/builtins.js';
import { agentRecoveryAuthorizer, tokenAuthorizer } from '../core/acl/resolve.js';
import { emptyRules } from '../core/acl/rules.js';
import type { State } from '../core/state.js';
import type { Op, TokenInput, TokenRec } from '../core/types.js';
import { PermissionDeniedError } from '../errors.js';

/** Consul's `acl` stanza. */
export interface AclSettings {
  readonly enabled: boolean;
  readonly defaultPolicy: 'allow' | 'deny';
  /** Agent tokens set through the API survive restarts (needs a data dir). */
  readonly enableTokenPersistence?: boolean | undefined;
  /** `tokens.initial_management`: created as a management token at start. */
  readonly initialManagement?: string | undefined;
  /** `tokens.agent`: what the catalog's own node uses (shown, never needed here). */
  readonly agentToken?: string | undefined;
  /** `tokens.default`: the identity of requests that carry no token (else anonymous). */
  readonly defaultToken?: string | undefined;
  /** `tokens.agent_recovery`: agent write on this node, node read, whatever the policies. */
  readonly agentRecoveryToken?: string | undefined;
}

/** The tokens `/v1/agent/token/:kind` sets. */
export const AGENT_TOKEN_KINDS = [
  'default',
  'agent',
  'agent_recovery',
  'replication',
  'config_file_service_registration',
] as const;
export type AgentTokenKind = (typeof AGENT_TOKEN_KINDS)[number];
const LEGACY_KINDS: Readonly<Record<string, AgentTokenKind>> = {
  acl_token: 'default',
  acl_agent_token: 'agent',
  agent_master: 'agent_recovery',
  acl_agent_master_token: 'agent_recovery',
  acl_replication_token: 'replication',
};

/** Whom a request acts for. */
export interface Identity {
  readonly authz: Authorizer;
  /** The token record (absent for ACLs off and the agent recovery token). */
  readonly token: TokenRec | undefined;
  /** True for the anonymous token: Consul hides what was filtered from it. */
  readonly anonymous: boolean;
}

/** The identity of requests with ACLs off, and of routes Consul serves to anyone. */
export const UNRESTRICTED: Identity = { authz: ALLOW_ALL, token: undefined, anonymous: false };
const DISABLED = UNRESTRICTED;

export interface CatalogAclOptions {
  readonly settings: AclSettings | undefined;
  readonly node: string;
  readonly datacenter: string;
  readonly dataDir: string | undefined;
  readonly state: () => State;
  readonly write: (op: Op) => Promise<unknown>;
  readonly now: () => number;
}

export class CatalogAcl {
  readonly #o: CatalogAclOptions;
  readonly #agentTokens = new Map<AgentTokenKind, string>();
  #cache = new Map<string, Identity>();
  #cacheIndex = -1;

  constructor(o: CatalogAclOptions) {
    this.#o = o;
    const s = o.settings;
    if (s?.agentToken) this.#agentTokens.set('agent', s.agentToken);
    if (s?.defaultToken) this.#agentTokens.set('default', s.defaultToken);
    if (s?.agentRecoveryToken) this.#agentTokens.set('agent_recovery', s.agentRecoveryToken);
  }

  get enabled(): boolean {
    return this.#o.settings?.enabled === true;
  }

  get defaultPolicy(): 'allow' | 'deny' {
    return this.enabled ? (this.#o.settings?.defaultPolicy ?? 'allow') : 'allow';
  }

  #persist(): boolean {
    return this.#o.settings?.enableTokenPersistence === true && this.#o.dataDir !== undefined;
  }

  /** Creates what an ACL-enabled catalog must hold; a no-op with ACLs off. */
  async init(): Promise<void> {
    if (!this.enabled) return;
    if (this.#persist()) {
      const saved = await readAgentTokens(this.#o.dataDir as string);
      for (const [k, v] of Object.entries(saved)) {
        if ((AGENT_TOKEN_KINDS as readonly string[]).includes(k) && v !== '') {
          this.#agentTokens.set(k as AgentTokenKind, v);
        }
      }
    }
    const s = this.#o.state();
    if (!s.aclPolicies.has(GLOBAL_MANAGEMENT_ID)) {
      await this.#o.write({
        t: 'acl-policy-set',
        create: true,
        builtin: true,
        policy: {
          id: GLOBAL_MANAGEMENT_ID,
          name: GLOBAL_MANAGEMENT_NAME,
          description: 'Builtin Policy that grants unlimited access',
          rules: '',
          datacenters: [],
        },
      });
    }
    if (!s.aclPolicies.has(GLOBAL_READ_ONLY_ID)) {
      await this.#o.write({
        t: 'acl-policy-set',
        create: true,
        builtin: true,
        policy: {
          id: GLOBAL_READ_ONLY_ID,
          name: GLOBAL_READ_ONLY_NAME,
          description: 'Builtin Policy that grants unlimited read-only access to all components',
          rules: GLOBAL_READ_ONLY_RULES,
          datacenters: [],
        },
      });
    }
    if (!s.aclTokens.has(ANONYMOUS_ACCESSOR)) {
      await this.#o.write({
        t: 'acl-token-set',
        create: true,
        builtin: true,
        token: this.#token(ANONYMOUS_ACCESSOR, ANONYMOUS_SECRET, 'Anonymous Token', []),
      });
    }
    const initial = this.#o.settings?.initialManagement;
    if (initial && !s.aclSecrets.has(initial)) {
      const token = this.#token(randomUUID(), initial, 'Initial Management Token', [
        GLOBAL_MANAGEMENT_ID,
      ]);
      if (s.aclBootstrapIndex === 0) {
        await this.#o.write({ t: 'acl-bootstrap', token, resetIndex: null });
      } else {
        await this.#o.write({ t: 'acl-token-set', token, create: true, builtin: true });
      }
    }
  }

  #token(
    accessorId: string,
    secretId: string,
    description: string,
    policies: string[],
  ): TokenInput {
    return {
      accessorId,
      secretId,
      description,
      policies,
      roles: [],
      serviceIdentities: [],
      nodeIdentities: [],
      templatedPolicies: [],
      local: false,
      expirationTime: '',
    };
  }

  /** The identity of a request carrying `secret` (undefined or '' = none given). */
  resolve(secret: string | undefined): Identity {
    if (!this.enabled) return DISABLED;
    const s = this.#o.state();
    if (s.tableIndex.acl !== this.#cacheIndex || this.#cache.size > 10_000) {
      this.#cache = new Map();
      this.#cacheIndex = s.tableIndex.acl;
    }
    const given = secret === undefined || secret === '' ? undefined : secret;
    const effective = given ?? this.#agentTokens.get('default') ?? ANONYMOUS_SECRET;
    const cached = this.#cache.get(effective);
    if (cached && !this.#expired(cached.token)) return cached;
    const identity = this.#compute(s, effective);
    this.#cache.set(effective, identity);
    return identity;
  }

  #expired(t: TokenRec | undefined): boolean {
    return (
      t !== undefined && t.expirationTime !== '' && Date.parse(t.expirationTime) <= this.#o.now()
    );
  }

  #compute(s: State, secret: string): Identity {
    const recovery = this.#agentTokens.get('agent_recovery');
    if (recovery !== undefined && secret === recovery) {
      return { authz: agentRecoveryAuthorizer(this.#o.node), token: undefined, anonymous: false };
    }
    const accessor = s.aclSecrets.get(secret);
    const token = accessor === undefined ? undefined : s.aclTokens.get(accessor);
    if (!token || this.#expired(token)) throw new PermissionDeniedError('ACL not found');
    const allow = this.defaultPolicy === 'allow';
    const authz =
      token.accessorId === ANONYMOUS_ACCESSOR &&
      token.policies.length === 0 &&
      token.roles.length === 0
        ? new Authorizer(emptyRules(), false, allow)
        : tokenAuthorizer(s, token, this.#o.datacenter, allow);
    return { authz, token, anonymous: token.accessorId === ANONYMOUS_ACCESSOR };
  }

  /** `/v1/agent/token/:kind` (legacy names accepted); false for an unknown kind. */
  async setAgentToken(kind: string, secret: string): Promise<boolean> {
    const k = LEGACY_KINDS[kind] ?? kind;
    if (!(AGENT_TOKEN_KINDS as readonly string[]).includes(k)) return false;
    if (secret === '') this.#agentTokens.delete(k as AgentTokenKind);
    else this.#agentTokens.set(k as AgentTokenKind, secret);
    this.#cache = new Map();
    if (this.#persist()) {
      await writeAgentTokens(this.#o.dataDir as string, Object.fromEntries(this.#agentTokens));
    }
    return true;
  }

  /**
   * `/v1/acl/bootstrap`: a new management token (with `secret` when given). Refused once done,
   * unless the data dir's acl-bootstrap-reset file holds the index of that bootstrap.
   */
  async bootstrap(secret: string | undefined): Promise<TokenRec> {
    const dir = this.#o.dataDir;
    const reset = dir === undefined ? undefined : await readBootstrapReset(dir);
    const token = this.#token(
      randomUUID(),
      secret || randomUUID(),
      'Bootstrap Token (Global Management)',
      [GLOBAL_MANAGEMENT_ID],
    );
    await this.#o.write({ t: 'acl-bootstrap', token, resetIndex: reset ?? null });
    if (reset !== undefined && dir !== undefined) await removeBootstrapReset(dir);
    return this.#o.state().aclTokens.get(token.accessorId) as TokenRec;
  }
}
