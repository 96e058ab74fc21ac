/**
 * Renders store records as Consul's JSON shapes (structs.Node, NodeService, ServiceNode,
 * HealthCheck, DirEntry, Session), field by field, and serialises them with exact uint64
 * `Flags`. Never decide here what a query returns, only how it looks on the wire.
 */
import { formatGoDuration } from './go-duration.js';
import type { CheckRec, KvEntry, NodeRec, ServiceRec, SessionRec } from './types.js';

/** A number written as raw JSON digits (uint64 values beyond 2^53). */
export class RawNumber {
  constructor(readonly digits: string) {}
}

const RAW = /"\\u0000raw:(\d+)\\u0000"/g;

/** JSON.stringify that writes RawNumber digits verbatim; `pretty` indents like `?pretty`. */
export function toJson(value: unknown, pretty = false): string {
  const text = JSON.stringify(
    value,
    (_k, v: unknown) => (v instanceof RawNumber ? `\u0000raw:${v.digits}\u0000` : v),
    pretty ? 4 : undefined,
  );
  return (text ?? 'null').replace(RAW, '$1');
}

export function renderKv(e: KvEntry, withValue = true): Record<string, unknown> {
  const out: Record<string, unknown> = {
    LockIndex: e.lockIndex,
    Key: e.key,
    Flags: new RawNumber(e.flags),
    Value: withValue ? e.value : null,
  };
  if (e.session !== '') out.Session = e.session;
  out.CreateIndex = e.createIndex;
  out.ModifyIndex = e.modifyIndex;
  return out;
}

export function renderNode(n: NodeRec, dc: string): Record<string, unknown> {
  return {
    ID: n.id,
    Node: n.node,
    Address: n.address,
    Datacenter: dc,
    TaggedAddresses: n.taggedAddresses,
    Meta: n.meta,
    CreateIndex: n.createIndex,
    ModifyIndex: n.modifyIndex,
  };
}

const DEFAULT_PROXY = { Mode: '', MeshGateway: {}, Expose: {} };

/** structs.NodeService: health `Service` and catalog/node `Services` values. */
export function renderNodeService(s: ServiceRec): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (s.kind !== '') out.Kind = s.kind;
  Object.assign(out, { ID: s.id, Service: s.service, Tags: [...s.tags], Address: s.address });
  if (s.taggedAddresses) out.TaggedAddresses = s.taggedAddresses;
  Object.assign(out, {
    Meta: s.meta,
    Port: s.port,
    Weights: { Passing: s.weights.passing, Warning: s.weights.warning },
    EnableTagOverride: s.enableTagOverride,
    Proxy: s.proxy ?? DEFAULT_PROXY,
    Connect: s.connect ?? {},
    PeerName: '',
    CreateIndex: s.createIndex,
    ModifyIndex: s.modifyIndex,
  });
  return out;
}

/** api.AgentService: values of /v1/agent/services. */
export function renderAgentService(s: ServiceRec, dc: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (s.kind !== '') out.Kind = s.kind;
  Object.assign(out, {
    ID: s.id,
    Service: s.service,
    Tags: [...s.tags],
    Meta: s.meta,
    Port: s.port,
    Address: s.address,
  });
  if (s.taggedAddresses) out.TaggedAddresses = s.taggedAddresses;
  Object.assign(out, {
    Weights: { Passing: s.weights.passing, Warning: s.weights.warning },
    EnableTagOverride: s.enableTagOverride,
    Datacenter: dc,
  });
  return out;
}

/** structs.ServiceNode: elements of /v1/catalog/service/:name. */
export function renderServiceNode(n: NodeRec, s: ServiceRec, dc: string): Record<string, unknown> {
  const out: Record<string, unknown> = {
    ID: n.id,
    Node: n.node,
    Address: n.address,
    Datacenter: dc,
    TaggedAddresses: n.taggedAddresses,
    NodeMeta: n.meta,
    ServiceKind: s.kind,
    ServiceID: s.id,
    ServiceName: s.service,
    ServiceTags: [...s.tags],
    ServiceAddress: s.address,
  };
  if (s.taggedAddresses) out.ServiceTaggedAddresses = s.taggedAddresses;
  Object.assign(out, {
    ServiceWeights: { Passing: s.weights.passing, Warning: s.weights.warning },
    ServiceMeta: s.meta,
    ServicePort: s.port,
    ServiceSocketPath: '',
    ServiceEnableTagOverride: s.enableTagOverride,
    ServiceProxy: s.proxy ?? DEFAULT_PROXY,
    ServiceConnect: s.connect ?? {},
    ServiceLocality: null,
    CreateIndex: s.createIndex,
    ModifyIndex: s.modifyIndex,
  });
  return out;
}

const dur = (ns: number): string => (ns > 0 ? formatGoDuration(ns) : '');

export function renderCheck(c: CheckRec): Record<string, unknown> {
  const d = c.definition;
  return {
    Node: c.node,
    CheckID: c.checkId,
    Name: c.name,
    Status: c.status,
    Notes: c.notes,
    Output: c.output,
    ServiceID: c.serviceId,
    ServiceName: c.serviceName,
    ServiceTags: [...c.serviceTags],
    Type: c.type,
    Interval: dur(d?.intervalNs ?? 0),
    Timeout: dur(d?.timeoutNs ?? 0),
    ExposedPort: 0,
    Definition: {
      Interval: formatGoDuration(d?.intervalNs ?? 0),
      Timeout: formatGoDuration(d?.timeoutNs ?? 0),
      DeregisterCriticalServiceAfter: formatGoDuration(d?.deregisterCriticalServiceAfterNs ?? 0),
      HTTP: d?.http ?? '',
      Header: d?.header ?? null,
      Method: d?.method ?? '',
      Body: d?.body ?? '',
      TLSServerName: d?.tlsServerName ?? '',
      TLSSkipVerify: d?.tlsSkipVerify ?? false,
      TCP: d?.tcp ?? '',
      TCPUseTLS: false,
      UDP: '',
      GRPC: '',
      OSService: '',
      GRPCUseTLS: false,
      ScriptArgs: d?.args && d.args.length > 0 ? [...d.args] : null,
      DockerContainerID: d?.dockerContainerId ?? '',
      Shell: d?.shell ?? '',
    },
    CreateIndex: c.createIndex,
    ModifyIndex: c.modifyIndex,
  };
}

export function renderSession(s: SessionRec): Record<string, unknown> {
  const out: Record<string, unknown> = {
    ID: s.id,
    Name: s.name,
    Node: s.node,
    LockDelay: s.lockDelayNs,
    Behavior: s.behavior,
    TTL: s.ttl,
    NodeChecks: [...s.nodeChecks],
    ServiceChecks: s.serviceChecks
      ? s.serviceChecks.map((id) => ({ ID: id, Namespace: '' }))
      : null,
    CreateIndex: s.createIndex,
    ModifyIndex: s.modifyIndex,
  };
  if (!(s.nodeChecks.length === 1 && s.nodeChecks[0] === 'serfHealth')) {
    out.Checks = [...s.nodeChecks];
  }
  return out;
}
