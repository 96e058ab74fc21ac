/**
 * Consul's HTTP API JSON, with Consul's field names (`structs.Node`, `NodeService`,
 * `ServiceNode`, `HealthCheck`, `DirEntry`, `Session`, `api.AgentService`, the agent's
 * registration body and `/v1/txn`): what `@berth/consul` parses and writes and what berth's
 * catalog renders and decodes. Consul may send more fields; each type lists every field berth
 * reads or renders, optional where some Consul version or endpoint leaves it out. Types only:
 * this module must never hold behaviour.
 */

/** A check's status. */
export type CheckStatus = 'passing' | 'warning' | 'critical';

/** Verbs of a `/v1/txn` KV operation. */
export type ConsulKvVerb =
  | 'set'
  | 'cas'
  | 'lock'
  | 'unlock'
  | 'get'
  | 'get-or-empty'
  | 'get-tree'
  | 'check-index'
  | 'check-session'
  | 'check-not-exists'
  | 'delete'
  | 'delete-tree'
  | 'delete-cas';

/** Verbs of a `/v1/txn` Node, Service or Check operation. */
export type ConsulCatalogVerb = 'set' | 'cas' | 'get' | 'delete' | 'delete-cas';

/** Consul's service `Weights` (SRV weight while passing / warning). */
export interface ConsulWeights {
  readonly Passing: number;
  readonly Warning: number;
}

/** `structs.Node`: /v1/catalog/nodes, the `Node` of /v1/health/service/:name. */
export interface ConsulNode {
  readonly ID?: string;
  readonly Node: string;
  readonly Address: string;
  readonly Datacenter?: string;
  readonly TaggedAddresses?: Readonly<Record<string, string>> | null;
  readonly Meta?: Readonly<Record<string, string>> | null;
  readonly CreateIndex?: number;
  readonly ModifyIndex?: number;
}

/** `structs.NodeService`: the `Service` of /v1/health/service/:name, /v1/catalog/node/:node. */
export interface ConsulNodeService {
  readonly Kind?: string;
  readonly ID: string;
  readonly Service: string;
  readonly Tags?: readonly string[] | null;
  readonly Address?: string;
  readonly TaggedAddresses?: Readonly<Record<string, unknown>> | null;
  readonly Meta?: Readonly<Record<string, string>> | null;
  readonly Port?: number;
  readonly Weights?: Partial<ConsulWeights> | null;
  readonly EnableTagOverride?: boolean;
  readonly Proxy?: unknown;
  readonly Connect?: unknown;
  readonly PeerName?: string;
  readonly CreateIndex?: number;
  readonly ModifyIndex?: number;
}

/** `api.AgentService`: the values of /v1/agent/services. */
export interface ConsulAgentService {
  readonly Kind?: string;
  readonly ID: string;
  readonly Service: string;
  readonly Tags?: readonly string[] | null;
  readonly Meta?: Readonly<Record<string, string>> | null;
  readonly Port?: number;
  readonly Address?: string;
  readonly TaggedAddresses?: Readonly<Record<string, unknown>> | null;
  readonly Weights?: Partial<ConsulWeights> | null;
  readonly EnableTagOverride?: boolean;
  readonly Datacenter?: string;
  readonly ContentHash?: string;
}

/** `structs.ServiceNode`: the elements of /v1/catalog/service/:name. */
export interface ConsulServiceNode {
  readonly ID?: string;
  readonly Node: string;
  readonly Address: string;
  readonly Datacenter?: string;
  readonly TaggedAddresses?: Readonly<Record<string, string>> | null;
  readonly NodeMeta?: Readonly<Record<string, string>> | null;
  readonly ServiceKind?: string;
  readonly ServiceID: string;
  readonly ServiceName: string;
  readonly ServiceTags?: readonly string[] | null;
  readonly ServiceAddress?: string;
  readonly ServiceTaggedAddresses?: Readonly<Record<string, unknown>> | null;
  readonly ServiceWeights?: Partial<ConsulWeights> | null;
  readonly ServiceMeta?: Readonly<Record<string, string>> | null;
  readonly ServicePort?: number;
  readonly ServiceSocketPath?: string;
  readonly ServiceEnableTagOverride?: boolean;
  readonly ServiceProxy?: unknown;
  readonly ServiceConnect?: unknown;
  readonly ServiceLocality?: unknown;
  readonly PeerName?: string;
  readonly CreateIndex?: number;
  readonly ModifyIndex?: number;
}

/** The `Definition` of a rendered `HealthCheck` (durations as Go strings). */
export interface ConsulHealthCheckDefinition {
  readonly Interval?: string;
  readonly Timeout?: string;
  readonly DeregisterCriticalServiceAfter?: string;
  readonly HTTP?: string;
  readonly Header?: Readonly<Record<string, readonly string[]>> | null;
  readonly Method?: string;
  readonly Body?: string;
  readonly TLSServerName?: string;
  readonly TLSSkipVerify?: boolean;
  readonly TCP?: string;
  readonly TCPUseTLS?: boolean;
  readonly UDP?: string;
  readonly GRPC?: string;
  readonly OSService?: string;
  readonly GRPCUseTLS?: boolean;
  /** Script checks (`enable_script_checks`). */
  readonly ScriptArgs?: readonly string[] | null;
  readonly DockerContainerID?: string;
  readonly Shell?: string;
}

/**
 * `structs.HealthCheck`: /v1/health/state/:state, the `Checks` of /v1/health/service/:name,
 * the values of /v1/agent/checks.
 */
export interface ConsulHealthCheck {
  readonly Node: string;
  readonly CheckID: string;
  readonly Name: string;
  /** A CheckStatus; typed wider because it is read before it is checked. */
  readonly Status: CheckStatus | (string & {});
  readonly Notes?: string;
  readonly Output?: string;
  /** '' for node-level checks (serfHealth, _node_maintenance). */
  readonly ServiceID: string;
  readonly ServiceName: string;
  readonly ServiceTags?: readonly string[] | null;
  /** ttl, http, tcp, script, ... ('' for serfHealth and maintenance). */
  readonly Type?: string;
  readonly Interval?: string;
  readonly Timeout?: string;
  readonly ExposedPort?: number;
  readonly Definition?: ConsulHealthCheckDefinition;
  readonly CreateIndex?: number;
  readonly ModifyIndex?: number;
}

/** One element of /v1/health/service/:name. */
export interface ConsulServiceEntry {
  readonly Node: ConsulNode;
  readonly Service: ConsulNodeService;
  readonly Checks?: readonly ConsulHealthCheck[] | null;
}

/** /v1/catalog/node/:node (a null body for an unknown node). */
export interface ConsulNodeServices {
  readonly Node: ConsulNode;
  readonly Services: Readonly<Record<string, ConsulNodeService>> | null;
}

/** `structs.DirEntry`: one entry of GET /v1/kv/:key and of a txn's KV results. */
export interface ConsulKvEntry {
  readonly Key: string;
  /** Base64 of the stored bytes; null for an empty value (or a txn result without value). */
  readonly Value: string | null;
  /** uint64: values above 2^53 lose precision in a JS number. */
  readonly Flags: number;
  readonly LockIndex: number;
  readonly Session?: string;
  readonly CreateIndex: number;
  readonly ModifyIndex: number;
}

/** /v1/session/info/:id, /v1/session/renew/:id (one-element arrays), /v1/session/list. */
export interface ConsulSession {
  readonly ID: string;
  readonly Name?: string;
  readonly Node?: string;
  /** Nanoseconds. */
  readonly LockDelay?: number;
  readonly Behavior?: 'release' | 'delete' | (string & {});
  readonly TTL?: string;
  readonly NodeChecks?: readonly string[] | null;
  readonly ServiceChecks?: readonly { readonly ID: string; readonly Namespace?: string }[] | null;
  readonly Checks?: readonly string[];
  readonly CreateIndex?: number;
  readonly ModifyIndex?: number;
}

/** The body of PUT /v1/session/create. */
export interface ConsulSessionCreate {
  readonly Name?: string;
  readonly Node?: string;
  /** Go duration, e.g. "15s". */
  readonly TTL?: string;
  /** Go duration, e.g. "15s". */
  readonly LockDelay?: string;
  readonly Behavior?: 'release' | 'delete';
  readonly NodeChecks?: readonly string[];
  readonly ServiceChecks?: readonly { readonly ID: string }[];
}

/**
 * A check of an agent service registration (`api.AgentServiceCheck`), durations as Go
 * strings. Exactly one of HTTP, TCP, TTL (or a type berth does not send) is set.
 */
export interface ConsulAgentServiceCheck {
  /** Default `service:<service id>` (with `:<n>` when the service has several). */
  readonly CheckID?: string;
  readonly Name?: string;
  readonly Notes?: string;
  readonly ServiceID?: string;
  readonly HTTP?: string;
  readonly Method?: string;
  readonly Header?: Readonly<Record<string, readonly string[]>>;
  readonly Body?: string;
  readonly TLSSkipVerify?: boolean;
  readonly TLSServerName?: string;
  readonly TCP?: string;
  readonly TTL?: string;
  readonly Interval?: string;
  readonly Timeout?: string;
  /** The initial status (Consul's default: critical). */
  readonly Status?: CheckStatus;
  readonly DeregisterCriticalServiceAfter?: string;
}

/** The body of PUT /v1/agent/service/register (`api.AgentServiceRegistration`). */
export interface ConsulAgentServiceRegistration {
  readonly ID?: string;
  readonly Name: string;
  readonly Tags?: readonly string[];
  readonly Address?: string;
  readonly TaggedAddresses?: Readonly<Record<string, unknown>>;
  readonly Port?: number;
  readonly Meta?: Readonly<Record<string, string>>;
  readonly Weights?: ConsulWeights;
  readonly EnableTagOverride?: boolean;
  readonly Kind?: string;
  readonly Check?: ConsulAgentServiceCheck;
  readonly Checks?: readonly ConsulAgentServiceCheck[];
}

/** The body of PUT /v1/agent/check/update/:id. */
export interface ConsulCheckUpdate {
  readonly Status: CheckStatus;
  readonly Output?: string;
}

/** The `KV` of a `/v1/txn` operation. */
export interface ConsulTxnKvOp {
  readonly Verb: ConsulKvVerb;
  readonly Key: string;
  /** Base64. */
  readonly Value?: string;
  readonly Flags?: number;
  /** The ModifyIndex of cas / check-index / delete-cas. */
  readonly Index?: number;
  readonly Session?: string;
}

/** The `Node` of a `/v1/txn` operation. */
export interface ConsulTxnNodeOp {
  readonly Verb: ConsulCatalogVerb;
  readonly Node: ConsulNode;
}

/** The `Service` of a `/v1/txn` operation. */
export interface ConsulTxnServiceOp {
  readonly Verb: ConsulCatalogVerb;
  readonly Node: string;
  readonly Service: ConsulNodeService;
}

/** The `Check` of a `/v1/txn` operation. */
export interface ConsulTxnCheckOp {
  readonly Verb: ConsulCatalogVerb;
  readonly Check: ConsulHealthCheck;
}

/** One operation of PUT /v1/txn: exactly one of KV, Node, Service, Check. */
export type ConsulTxnOp =
  | { readonly KV: ConsulTxnKvOp }
  | { readonly Node: ConsulTxnNodeOp }
  | { readonly Service: ConsulTxnServiceOp }
  | { readonly Check: ConsulTxnCheckOp };

/** One entry of a 200 answer's `Results` (delete verbs and check-* yield none). */
export type ConsulTxnResult =
  | { readonly KV: ConsulKvEntry }
  | { readonly Node: ConsulNode }
  | { readonly Service: ConsulNodeService }
  | { readonly Check: ConsulHealthCheck };

/** One entry of a 409 answer's `Errors`. */
export interface ConsulTxnError {
  /** Index of the failing operation in the request. */
  readonly OpIndex: number;
  readonly What: string;
}

/** The answer of PUT /v1/txn (200: Results; 409: Errors). */
export interface ConsulTxnResponse {
  readonly Results: readonly ConsulTxnResult[] | null;
  readonly Errors: readonly ConsulTxnError[] | null;
}
