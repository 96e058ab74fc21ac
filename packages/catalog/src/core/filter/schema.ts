/**
 * The selectors a `filter` may use on each kind of result, after the Go structs Consul filters
 * (go-bexpr validates selectors against the type and answers `Selector "X" is not valid`).
 * A schema node lists its fields; `any` stands for the keys of a map; `open` accepts anything
 * below (nested structs the catalog stores opaquely: Proxy, Connect, Definition). Data only.
 */

export interface Schema {
  readonly fields?: Readonly<Record<string, Schema>>;
  /** The value type of a map: any key is a valid selector segment. */
  readonly any?: Schema;
  /** Anything below is accepted. */
  readonly open?: true;
}

const LEAF: Schema = {};
const OPEN: Schema = { open: true };
const STRING_MAP: Schema = { any: LEAF };
const leaves = (...names: string[]): Record<string, Schema> =>
  Object.fromEntries(names.map((n) => [n, LEAF]));

const SERVICE_ADDRESS: Schema = { fields: leaves('Address', 'Port') };
const WEIGHTS: Schema = { fields: leaves('Passing', 'Warning') };

/** structs.Node (catalog/nodes). */
export const NODE: Schema = {
  fields: {
    ...leaves('ID', 'Node', 'Address', 'Datacenter', 'PeerName'),
    TaggedAddresses: STRING_MAP,
    Meta: STRING_MAP,
  },
};

/** structs.NodeService (health Service, catalog/node Services) and api.AgentService. */
export const NODE_SERVICE: Schema = {
  fields: {
    ...leaves('Kind', 'ID', 'Service', 'Tags', 'Address', 'Port', 'SocketPath'),
    ...leaves('EnableTagOverride', 'PeerName', 'Datacenter', 'ContentHash'),
    TaggedAddresses: { any: SERVICE_ADDRESS },
    Meta: STRING_MAP,
    Weights: WEIGHTS,
    Proxy: OPEN,
    Connect: OPEN,
    Locality: OPEN,
  },
};

/** structs.HealthCheck. */
export const HEALTH_CHECK: Schema = {
  fields: {
    ...leaves('Node', 'CheckID', 'Name', 'Status', 'Notes', 'Output', 'ServiceID'),
    ...leaves('ServiceName', 'ServiceTags', 'Type', 'Interval', 'Timeout', 'ExposedPort'),
    ...leaves('PeerName'),
    Definition: OPEN,
  },
};

/** structs.CheckServiceNode (health/service, health/connect, health/ingress). */
export const CHECK_SERVICE_NODE: Schema = {
  fields: { Node: NODE, Service: NODE_SERVICE, Checks: HEALTH_CHECK },
};

/** structs.ServiceNode (catalog/service, catalog/services). */
export const SERVICE_NODE: Schema = {
  fields: {
    ...leaves('ID', 'Node', 'Address', 'Datacenter', 'ServiceKind', 'ServiceID', 'ServiceName'),
    ...leaves('ServiceTags', 'ServiceAddress', 'ServicePort', 'ServiceSocketPath', 'PeerName'),
    ...leaves('ServiceEnableTagOverride'),
    TaggedAddresses: STRING_MAP,
    NodeMeta: STRING_MAP,
    ServiceTaggedAddresses: { any: SERVICE_ADDRESS },
    ServiceWeights: WEIGHTS,
    ServiceMeta: STRING_MAP,
    ServiceProxy: OPEN,
    ServiceConnect: OPEN,
    ServiceLocality: OPEN,
  },
};

/** structs.Session (session/list, session/node, session/info). */
export const SESSION: Schema = {
  fields: {
    ...leaves('ID', 'Name', 'Node', 'LockDelay', 'Behavior', 'TTL', 'NodeChecks', 'Checks'),
    ServiceChecks: { fields: leaves('ID', 'Namespace') },
  },
};

/** The first selector prefix the schema does not know, or undefined when all are valid. */
export function invalidSelector(
  schema: Schema,
  segments: readonly ({ kind: 'field'; name: string } | { kind: 'index'; index: number })[],
): string | undefined {
  let node: Schema | undefined = schema;
  const seen: string[] = [];
  for (const seg of segments) {
    if (node === undefined) return seen.join('.');
    if (node.open) return undefined;
    if (seg.kind === 'index') {
      seen.push(String(seg.index));
      continue;
    }
    seen.push(seg.name);
    const next: Schema | undefined = node.fields?.[seg.name] ?? node.any;
    if (next === undefined) return seen.join('.');
    node = next;
  }
  return undefined;
}
