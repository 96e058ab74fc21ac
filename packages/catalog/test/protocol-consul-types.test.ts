// Consul's wire types (@berth/protocol) must describe every field berth's catalog answers with,
// so that the catalog can type its renderers with them and the client can read any of them. The
// key lists below are checked against the types at compile time (both ways), then against what
// a real in-process catalog renders for every endpoint shape berth reads. (Here rather than in
// protocol's tests: protocol must not depend on the catalog, the catalog depends on protocol.)
import { startCatalog } from '../src/index.js';
import type {
  ConsulAgentService,
  ConsulHealthCheck,
  ConsulHealthCheckDefinition,
  ConsulKvEntry,
  ConsulNode,
  ConsulNodeService,
  ConsulServiceNode,
  ConsulSession,
} from '@berth/protocol';
import t from 'tap';

/** Every key of T, listed: the compiler refuses a missing or unknown one. */
function keysOf<T>() {
  return <const K extends readonly (keyof T)[]>(
    keys: K & ([Exclude<keyof T, K[number]>] extends [never] ? unknown : 'missing keys'),
  ): ReadonlySet<string> => new Set(keys as readonly string[]);
}

const NODE = keysOf<ConsulNode>()([
  'ID',
  'Node',
  'Address',
  'Datacenter',
  'TaggedAddresses',
  'Meta',
  'CreateIndex',
  'ModifyIndex',
]);
const NODE_SERVICE = keysOf<ConsulNodeService>()([
  'Kind',
  'ID',
  'Service',
  'Tags',
  'Address',
  'TaggedAddresses',
  'Meta',
  'Port',
  'Weights',
  'EnableTagOverride',
  'Proxy',
  'Connect',
  'PeerName',
  'CreateIndex',
  'ModifyIndex',
]);
const AGENT_SERVICE = keysOf<ConsulAgentService>()([
  'Kind',
  'ID',
  'Service',
  'Tags',
  'Meta',
  'Port',
  'Address',
  'TaggedAddresses',
  'Weights',
  'EnableTagOverride',
  'Datacenter',
  'ContentHash',
]);
const SERVICE_NODE = keysOf<ConsulServiceNode>()([
  'ID',
  'Node',
  'Address',
  'Datacenter',
  'TaggedAddresses',
  'NodeMeta',
  'ServiceKind',
  'ServiceID',
  'ServiceName',
  'ServiceTags',
  'ServiceAddress',
  'ServiceTaggedAddresses',
  'ServiceWeights',
  'ServiceMeta',
  'ServicePort',
  'ServiceSocketPath',
  'ServiceEnableTagOverride',
  'ServiceProxy',
  'ServiceConnect',
  'ServiceLocality',
  'PeerName',
  'CreateIndex',
  'ModifyIndex',
]);
const CHECK = keysOf<ConsulHealthCheck>()([
  'Node',
  'CheckID',
  'Name',
  'Status',
  'Notes',
  'Output',
  'ServiceID',
  'ServiceName',
  'ServiceTags',
  'Type',
  'Interval',
  'Timeout',
  'ExposedPort',
  'Definition',
  'CreateIndex',
  'ModifyIndex',
]);
const CHECK_DEFINITION = keysOf<ConsulHealthCheckDefinition>()([
  'Interval',
  'Timeout',
  'DeregisterCriticalServiceAfter',
  'HTTP',
  'Header',
  'Method',
  'Body',
  'TLSServerName',
  'TLSSkipVerify',
  'TCP',
  'TCPUseTLS',
  'UDP',
  'GRPC',
  'OSService',
  'GRPCUseTLS',
  'ScriptArgs',
  'DockerContainerID',
  'Shell',
]);
const KV = keysOf<ConsulKvEntry>()([
  'Key',
  'Value',
  'Flags',
  'LockIndex',
  'Session',
  'CreateIndex',
  'ModifyIndex',
]);
const SESSION = keysOf<ConsulSession>()([
  'ID',
  'Name',
  'Node',
  'LockDelay',
  'Behavior',
  'TTL',
  'NodeChecks',
  'ServiceChecks',
  'Checks',
  'CreateIndex',
  'ModifyIndex',
]);

function unknownKeys(value: unknown, known: ReadonlySet<string>): string[] {
  return Object.keys(value as object).filter((k) => !known.has(k));
}

t.test("every field the catalog renders is in protocol's Consul types", async (t) => {
  const catalog = await startCatalog({ listen: '127.0.0.1:0' });
  t.teardown(() => catalog.close());
  const call = async (method: string, path: string, body?: unknown): Promise<unknown> => {
    const res = await fetch(`${catalog.url}${path}`, {
      method,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    t.equal(res.status, 200, `${method} ${path}`);
    const text = await res.text();
    return text ? (JSON.parse(text) as unknown) : undefined;
  };
  await call('PUT', '/v1/agent/service/register', {
    ID: 'web-1',
    Name: 'web',
    Tags: ['urlprefix-/web'],
    Address: '127.0.0.2',
    Port: 8080,
    Meta: { owner: 'berth' },
    Checks: [
      { CheckID: 'web-ttl', Name: 'ttl', TTL: '1h', Status: 'passing' },
      { Name: 'tcp', TCP: '127.0.0.2:8080', Interval: '1h' },
    ],
  });
  await call('PUT', '/v1/kv/a/b?flags=7', 'hello');
  const session = (await call('PUT', '/v1/session/create', { Name: 's', TTL: '30s' })) as {
    ID: string;
  };

  const entries = (await call('GET', '/v1/health/service/web')) as {
    Node: unknown;
    Service: unknown;
    Checks: { Definition: unknown }[];
  }[];
  t.ok(entries.length > 0);
  for (const e of entries) {
    t.strictSame(unknownKeys(e.Node, NODE), [], 'health: Node');
    t.strictSame(unknownKeys(e.Service, NODE_SERVICE), [], 'health: Service');
    for (const c of e.Checks) {
      t.strictSame(unknownKeys(c, CHECK), [], 'health: Checks');
      t.strictSame(unknownKeys(c.Definition, CHECK_DEFINITION), [], 'health: Definition');
    }
  }
  const agentServices = (await call('GET', '/v1/agent/services')) as Record<string, unknown>;
  for (const s of Object.values(agentServices)) {
    t.strictSame(unknownKeys(s, AGENT_SERVICE), [], 'agent/services');
  }
  const agentChecks = (await call('GET', '/v1/agent/checks')) as Record<string, unknown>;
  for (const c of Object.values(agentChecks)) {
    t.strictSame(unknownKeys(c, CHECK), [], 'agent/checks');
  }
  for (const n of (await call('GET', '/v1/catalog/service/web')) as unknown[]) {
    t.strictSame(unknownKeys(n, SERVICE_NODE), [], 'catalog/service');
  }
  for (const n of (await call('GET', '/v1/catalog/nodes')) as unknown[]) {
    t.strictSame(unknownKeys(n, NODE), [], 'catalog/nodes');
  }
  for (const k of (await call('GET', '/v1/kv/a?recurse')) as unknown[]) {
    t.strictSame(unknownKeys(k, KV), [], 'kv');
  }
  for (const s of (await call('GET', `/v1/session/info/${session.ID}`)) as unknown[]) {
    t.strictSame(unknownKeys(s, SESSION), [], 'session/info');
  }
  const txn = (await call('PUT', '/v1/txn', [{ KV: { Verb: 'get', Key: 'a/b' } }])) as {
    Results: { KV: unknown }[];
  };
  t.strictSame(Object.keys(txn).sort(), ['Errors', 'Results']);
  t.strictSame(unknownKeys(txn.Results[0]?.KV, KV), [], 'txn KV result');
});
