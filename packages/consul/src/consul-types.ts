/**
 * The JSON shapes Consul answers with, as far as berth reads them. Types only: no code.
 * Consul may send more fields; these list only what berth relies on.
 */

/** One entry of /v1/health/state/:state, /v1/health/service/:name (Checks), ... */
export interface RawHealthCheck {
  Node: string;
  CheckID: string;
  Name: string;
  Status: string;
  Notes?: string;
  Output?: string;
  ServiceID: string;
  ServiceName: string;
  ServiceTags?: string[] | null;
  Type?: string;
  CreateIndex?: number;
  ModifyIndex?: number;
}

/** A node as in /v1/catalog/nodes and the Node of /v1/health/service/:name. */
export interface RawNode {
  ID?: string;
  Node: string;
  Address: string;
  Datacenter?: string;
  Meta?: Record<string, string> | null;
  CreateIndex?: number;
  ModifyIndex?: number;
}

/** A service registration as in /v1/health/service/:name (Service) and /v1/catalog/node/:node. */
export interface RawNodeService {
  ID: string;
  Service: string;
  Tags?: string[] | null;
  Address?: string;
  Meta?: Record<string, string> | null;
  Port?: number;
  Weights?: { Passing?: number; Warning?: number } | null;
  CreateIndex?: number;
  ModifyIndex?: number;
}

/** One element of /v1/health/service/:name. */
export interface RawServiceEntry {
  Node: RawNode;
  Service: RawNodeService;
  Checks?: RawHealthCheck[] | null;
}

/** /v1/catalog/node/:node (null for an unknown node). */
export interface RawNodeServices {
  Node: RawNode;
  Services: Record<string, RawNodeService> | null;
}

/** One entry of GET /v1/kv/:key. */
export interface RawKvEntry {
  Key: string;
  /** Already base64-decoded by the npm client; null for an empty value. */
  Value: string | null;
  Flags: number;
  LockIndex: number;
  Session?: string;
  CreateIndex: number;
  ModifyIndex: number;
}

/** One session as in /v1/session/info/:id and /v1/session/renew/:id. */
export interface RawSession {
  ID: string;
  Name?: string;
  Node?: string;
  TTL?: string;
  LockDelay?: number;
  Behavior?: string;
  CreateIndex?: number;
  ModifyIndex?: number;
}
