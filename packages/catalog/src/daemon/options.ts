/**
 * The catalog daemon's options (`--flag`, env `BERTH_CATALOG_<KEY>`, `--config FILE`). Keys are
 * named as `startCatalog`'s options, so the command passes the config through as it is.
 * Definitions only.
 */
import { hostname } from 'node:os';
import { defineOptions } from '@berth/daemon';

export const catalogOptions = defineOptions({
  listen: {
    type: 'listen',
    default: '127.0.0.1:8500',
    arg: 'HOST:PORT',
    help: 'HTTP listener for the Consul API, /health and /metrics',
  },
  dataDir: {
    type: 'string',
    arg: 'DIR',
    help: 'Directory for the write-ahead log and snapshots (memory only when unset)',
  },
  node: { type: 'string', default: hostname(), help: 'Node name of this catalog' },
  datacenter: { type: 'string', default: 'dc1', help: 'Datacenter name' },
  advertise: {
    type: 'string',
    default: '127.0.0.1',
    help: 'Address reported for this node and as the leader (<advertise>:8300)',
  },
  aclEnabled: {
    type: 'boolean',
    default: false,
    help: "Consul's acl.enabled: tokens and policies (/v1/acl/*) decide what each request may do",
  },
  aclDefaultPolicy: {
    type: 'enum',
    choices: ['allow', 'deny'],
    arg: 'allow|deny',
    help: 'acl.default_policy: what no rule names is allowed or denied (default allow; deny with --acl-token)',
  },
  aclEnableTokenPersistence: {
    type: 'boolean',
    default: false,
    help: 'acl.enable_token_persistence: tokens set with PUT /v1/agent/token/* survive restarts (needs --data-dir)',
  },
  aclInitialManagement: {
    type: 'string',
    arg: 'SECRET',
    help: 'acl.tokens.initial_management: a management token created at start',
  },
  aclAgentToken: {
    type: 'string',
    arg: 'SECRET',
    help: "acl.tokens.agent: the catalog node's own token",
  },
  aclDefaultToken: {
    type: 'string',
    arg: 'SECRET',
    help: 'acl.tokens.default: the identity of requests without a token (else the anonymous token)',
  },
  aclAgentRecoveryToken: {
    type: 'string',
    arg: 'SECRET',
    help: 'acl.tokens.agent_recovery: agent write on this node whatever the policies',
  },
  aclToken: {
    type: 'string',
    arg: 'SECRET',
    help: 'Shorthand for --acl-enabled --acl-default-policy deny --acl-initial-management SECRET',
  },
  metricsToken: {
    type: 'string',
    arg: 'SECRET',
    help: 'GET /metrics only with this token (Authorization: Bearer, X-Consul-Token or ?token=); without it, /metrics is loopback-only while ACLs are on',
  },
  enableScriptChecks: {
    type: 'boolean',
    default: false,
    help: 'enable_script_checks: script checks (Args/Script) may be registered over HTTP and are run',
  },
  enableLocalScriptChecks: {
    type: 'boolean',
    default: false,
    help: 'enable_local_script_checks: script checks only from local definitions (there are none; HTTP registrations stay refused)',
  },
  legacyClients: {
    type: 'boolean',
    default: false,
    help: "Accept python-consul 0.7.1's GET writes (deregister, check pass/warn/fail); for old test suites only",
  },
  snapshotEvery: {
    type: 'int',
    default: 10000,
    help: 'Log records between snapshots of the state (with --data-dir)',
  },
  seedIndex: {
    type: 'boolean',
    default: true,
    help: 'Start an empty catalog at an index taken from the clock (µs), so a restart without --data-dir never moves indexes backwards (--no-seed-index: start at 1)',
  },
});
