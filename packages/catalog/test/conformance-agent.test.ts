// Agent, catalog and health conformance driven by the npm `consul` client: consul-api.md
// §2.1-2.3 and §7 (registration, TTL/HTTP/TCP checks, maintenance, reaping, filters).
import { createServer } from 'node:http';
import { createServer as createTcpServer } from 'node:net';
import t from 'tap';
import { eventually } from '@berth/daemon/testing';
import { harness, statusOf } from './helpers.js';

interface Check {
  CheckID: string;
  Status: string;
  Output: string;
  ServiceID: string;
  ServiceName: string;
  ServiceTags: string[];
  Type: string;
  Notes: string;
  Name: string;
}
interface Entry {
  Node: { Node: string; Address: string };
  Service: {
    ID: string;
    Service: string;
    Tags: string[];
    Port: number;
    Meta: object;
    Weights: object;
  };
  Checks: Check[];
}
type Fn = (...a: unknown[]) => Promise<unknown>;
const call = (fn: unknown, ...args: unknown[]): Promise<unknown> => (fn as Fn)(...args);

/** True once `what` holds (polled with @berth/daemon's eventually), false after `ms`. */
async function until(what: () => Promise<boolean>, ms = 5000): Promise<boolean> {
  return eventually('condition', what, { timeoutMs: ms, intervalMs: 25 }).then(
    () => true,
    () => false,
  );
}

t.test('agent self and members', async (t) => {
  const { consul } = await harness(t);
  const self = (await consul.agent.self()) as { Config: Record<string, unknown>; Member: object };
  t.match(self.Config, { Server: true, Datacenter: 'dc1', NodeName: 'node1' });
  const members = (await consul.agent.members()) as object[];
  t.same(self.Member, members[0], 'self().Member deep-equals its members() entry');
  t.match(members[0], {
    Name: 'node1',
    Addr: '127.0.0.1',
    Port: 8301,
    Status: 1,
    Tags: { role: 'consul', dc: 'dc1', port: '8300' },
  });
  const wan = (await consul.agent.members({ wan: true } as never)) as { Name: string }[];
  t.equal(wan[0]?.Name, 'node1.dc1');
  t.equal(await consul.status.leader(), '127.0.0.1:8300');
  t.same(await consul.status.peers(), ['127.0.0.1:8300']);
  t.same(await consul.catalog.datacenters(), ['dc1']);
});

t.test('service registration, TTL checks and the three views', async (t) => {
  const { consul, http } = await harness(t);
  await consul.agent.service.register({
    name: 'web',
    id: 'node1:c1:8080',
    tags: ['urlprefix-/web', 'v1'],
    address: '127.0.0.2',
    port: 8080,
    meta: { env: 'test' },
    check: { ttl: '10s' },
  } as never);
  await consul.agent.service.register({
    name: 'web',
    id: 'node1:c2:8080',
    tags: ['v2'],
    port: 8081,
  } as never);
  const services = (await consul.agent.service.list()) as Record<
    string,
    { Service: string; Weights: object }
  >;
  t.same(Object.keys(services).sort(), ['node1:c1:8080', 'node1:c2:8080'], 'no consul service');
  t.same(services['node1:c1:8080']?.Weights, { Passing: 1, Warning: 1 });
  const checks = (await consul.agent.check.list()) as Record<string, Check>;
  t.same(Object.keys(checks), ['service:node1:c1:8080'], 'no serfHealth in agent checks');
  t.match(checks['service:node1:c1:8080'], {
    Status: 'critical',
    Type: 'ttl',
    ServiceName: 'web',
    ServiceTags: ['urlprefix-/web', 'v1'],
    Name: "Service 'web' check",
  });
  const catalogServices = (await consul.catalog.service.list()) as Record<string, string[]>;
  t.same(catalogServices, { consul: [], web: ['urlprefix-/web', 'v1', 'v2'] });
  const nodes = (await call(consul.catalog.service.nodes.bind(consul.catalog.service), 'web')) as {
    ServiceID: string;
    ServicePort: number;
    ServiceAddress: string;
    Address: string;
  }[];
  t.same(
    nodes.map((n) => n.ServiceID),
    ['node1:c1:8080', 'node1:c2:8080'],
  );
  t.match(nodes[0], { ServicePort: 8080, ServiceAddress: '127.0.0.2', Address: '127.0.0.1' });
  let health = (await consul.health.service('web')) as Entry[];
  t.equal(health.length, 2);
  t.same(
    health[0]?.Checks.map((c) => c.CheckID),
    ['serfHealth', 'service:node1:c1:8080'],
    'node checks first',
  );
  t.same(health[1]?.Service.Tags, ['v2']);
  health = (await consul.health.service({ service: 'web', passing: true } as never)) as Entry[];
  t.same(
    health.map((e) => e.Service.ID),
    ['node1:c2:8080'],
    'critical TTL excluded by passing',
  );
  await consul.agent.check.pass({ id: 'service:node1:c1:8080', note: 'ok' } as never);
  health = (await consul.health.service({
    service: 'web',
    passing: true,
    tag: 'v1',
  } as never)) as Entry[];
  t.same(
    health.map((e) => e.Service.ID),
    ['node1:c1:8080'],
    'tag filter after pass',
  );
  t.equal(health[0]?.Checks[1]?.Output, 'ok');
  await consul.agent.check.fail({ id: 'service:node1:c1:8080' } as never);
  const critical = (await consul.health.state('critical')) as unknown as Check[];
  t.equal(critical.length, 1, 'state critical');
  t.equal(
    ((await consul.health.state('any')) as unknown as Check[]).length,
    2,
    'state any: serfHealth + the check',
  );
  const node = (await consul.health.node('node1')) as unknown as Check[];
  t.equal(node[0]?.CheckID, 'serfHealth');
  t.equal(node[0]?.Status, 'passing');
  t.equal(((await consul.health.checks('web')) as unknown as Check[]).length, 1);
  const upd = await http('/agent/check/update/service%3Anode1%3Ac1%3A8080', {
    method: 'PUT',
    body: JSON.stringify({ Status: 'warning', Output: 'hmm' }),
  });
  t.equal(upd.status, 200);
  t.match((await consul.agent.check.list()) as object, {
    'service:node1:c1:8080': { Status: 'warning', Output: 'hmm' },
  });
  const bad = await http('/agent/check/update/service%3Anode1%3Ac1%3A8080', {
    method: 'PUT',
    body: '{"Status":"great"}',
  });
  t.equal(bad.status, 400);
  t.equal(await bad.text(), "Invalid check status: 'great'");
  const noTtl = await http('/agent/check/pass/nope', { method: 'PUT' });
  t.equal(noTtl.status, 500);
  t.equal(await noTtl.text(), 'CheckID "nope" does not have associated TTL');
  const nodeSvcs = (await consul.catalog.node.services('node1')) as {
    Node: { Node: string };
    Services: Record<string, unknown>;
  };
  t.same(Object.keys(nodeSvcs.Services).sort(), ['consul', 'node1:c1:8080', 'node1:c2:8080']);
  t.equal(await http('/catalog/node/ghost').then((r) => r.text()), 'null');
  t.same(await consul.health.node('ghost'), [], 'unknown node: []');
  await consul.agent.service.deregister('node1:c1:8080');
  t.same(
    Object.keys((await consul.agent.check.list()) as object),
    [],
    'checks removed with the service',
  );
  await consul.agent.service.deregister('never-registered');
});

t.test('registration errors and snake_case/lowercase bodies', async (t) => {
  const { consul, http } = await harness(t);
  const cases = [
    { name: 'missing name', input: { Port: 1 }, want: 400, text: 'Missing service name' },
    {
      name: 'bad address',
      input: { Name: 'a', Address: '0.0.0.0' },
      want: 400,
      text: 'Invalid service address',
    },
    {
      name: 'check without type',
      input: { Name: 'a', Check: { Interval: '10s' } },
      want: 400,
      text: /^Invalid check/,
    },
    {
      name: 'http check without interval',
      input: { Name: 'a', Check: { HTTP: 'http://127.0.0.1:1/' } },
      want: 400,
      text: /^Invalid check/,
    },
    {
      name: 'bad duration',
      input: { Name: 'a', Check: { TTL: 'soon' } },
      want: 400,
      text: /^Request decode failed/,
    },
    {
      name: 'bad tags type',
      input: { Name: 'a', Tags: 'x' },
      want: 400,
      text: /^Request decode failed/,
    },
    { name: 'bad JSON', input: '{"Name":', want: 400, text: /^Request decode failed/ },
  ];
  for (const c of cases) {
    const r = await http('/agent/service/register', {
      method: 'PUT',
      body: typeof c.input === 'string' ? c.input : JSON.stringify(c.input),
    });
    t.equal(r.status, c.want, c.name);
    t.match(await r.text(), c.text, c.name);
  }
  const py = await http('/agent/service/register', {
    method: 'PUT',
    body: JSON.stringify({
      name: 'py',
      id: 'app#127.0.0.1#3000',
      port: 3000,
      tags: ['a'],
      enable_tag_override: true,
      check: { ttl: '10s', DeregisterCriticalServiceAfter: '90m' },
    }),
  });
  t.equal(py.status, 200, 'lowercase / snake_case body accepted');
  const svc = (
    (await consul.agent.service.list()) as Record<string, { EnableTagOverride: boolean }>
  )['app#127.0.0.1#3000'];
  t.equal(svc?.EnableTagOverride, true);
  const ns = await http('/agent/check/register', {
    method: 'PUT',
    body: JSON.stringify({ name: 'nano', ttl: 15_000_000_000 }),
  });
  t.equal(ns.status, 200, 'durations as JSON nanoseconds');
  const err = await consul.agent.check
    .register({ name: 'x', serviceid: 'ghost', ttl: '10s' } as never)
    .catch((e: unknown) => e);
  t.equal(statusOf(err), 404, 'unknown ServiceID');
  const reg = await consul.agent.check.register({
    name: 'named',
    ttl: '10s',
    status: 'passing',
  } as never);
  t.equal(reg, undefined);
  t.match((await consul.agent.check.list()) as object, {
    named: { Status: 'passing', Name: 'named' },
  });
  const multi = await http('/agent/service/register', {
    method: 'PUT',
    body: JSON.stringify({ Name: 'm', Checks: [{ TTL: '10s' }, { TTL: '20s' }] }),
  });
  t.equal(multi.status, 200);
  t.match((await consul.agent.check.list()) as object, { 'service:m:1': {}, 'service:m:2': {} });
});

t.test('maintenance: service and node', async (t) => {
  const { consul, http } = await harness(t);
  await consul.agent.service.register({ name: 'api', id: 'api1', port: 1 } as never);
  t.equal(
    ((await consul.health.service({ service: 'api', passing: true } as never)) as Entry[]).length,
    1,
  );
  await consul.agent.service.maintenance({ id: 'api1', enable: true, reason: 'deploy' } as never);
  let checks = (await consul.agent.check.list()) as Record<string, Check>;
  t.match(checks['_service_maintenance:api1'], {
    Status: 'critical',
    Notes: 'deploy',
    Name: 'Service Maintenance Mode',
    ServiceID: 'api1',
  });
  t.equal(
    ((await consul.health.service({ service: 'api', passing: true } as never)) as Entry[]).length,
    0,
  );
  await consul.agent.service.maintenance({ id: 'api1', enable: false } as never);
  t.equal(
    ((await consul.health.service({ service: 'api', passing: true } as never)) as Entry[]).length,
    1,
  );
  const unknown = await http('/agent/service/maintenance/ghost?enable=true', { method: 'PUT' });
  t.equal(unknown.status, 404);
  t.equal(await unknown.text(), 'No service registered with ID "ghost"');
  const cases = [
    { name: 'missing enable', input: '', want: 'Missing value for enable' },
    { name: 'bad enable', input: '?enable=maybe', want: 'Invalid value for enable: "maybe"' },
  ];
  for (const c of cases) {
    const r = await http(`/agent/service/maintenance/api1${c.input}`, { method: 'PUT' });
    t.equal(r.status, 400, c.name);
    t.equal(await r.text(), c.want, c.name);
  }
  await consul.agent.maintenance({ enable: true } as never);
  checks = (await consul.agent.check.list()) as Record<string, Check>;
  t.match(checks._node_maintenance, {
    Name: 'Node Maintenance Mode',
    Status: 'critical',
    Notes:
      'Maintenance mode is enabled for this node, but no reason was provided. This is a default message.',
  });
  t.equal(
    ((await consul.health.service({ service: 'api', passing: true } as never)) as Entry[]).length,
    0,
    'node maintenance excludes',
  );
  await consul.agent.maintenance({ enable: false } as never);
  t.notOk('_node_maintenance' in ((await consul.agent.check.list()) as object));
});

t.test('HTTP and TCP checks run by the catalog; critical services reaped', async (t) => {
  let code = 200;
  const web = createServer((_req, res) => {
    res.writeHead(code);
    res.end(`status ${code}`);
  });
  await new Promise<void>((r) => web.listen(0, '127.0.0.1', r));
  t.teardown(() => new Promise<void>((r) => web.close(() => r())));
  const tcp = createTcpServer((s) => s.end());
  await new Promise<void>((r) => tcp.listen(0, '127.0.0.1', r));
  t.teardown(() => new Promise<void>((r) => tcp.close(() => r())));
  const webPort = (web.address() as { port: number }).port;
  const tcpPort = (tcp.address() as { port: number }).port;
  const { consul } = await harness(t, {
    checkMinIntervalMs: 50,
    reapIntervalMs: 50,
    deregisterMinMs: 0,
  });
  await consul.agent.service.register({
    name: 'h',
    id: 'h1',
    port: webPort,
    check: { http: `http://127.0.0.1:${webPort}/health`, interval: '100ms' },
  } as never);
  await consul.agent.service.register({
    name: 't',
    id: 't1',
    port: tcpPort,
    check: { tcp: `127.0.0.1:${tcpPort}`, interval: '100ms' },
  } as never);
  const status = async (id: string): Promise<Check | undefined> =>
    ((await consul.agent.check.list()) as Record<string, Check>)[id];
  t.ok(
    await until(async () => (await status('service:h1'))?.Status === 'passing'),
    'HTTP 200 -> passing',
  );
  t.match(
    (await status('service:h1'))?.Output,
    /^HTTP GET http:\/\/127\.0\.0\.1:\d+\/health: 200 OK Output: status 200/,
  );
  t.ok(
    await until(async () => (await status('service:t1'))?.Status === 'passing'),
    'TCP connect -> passing',
  );
  code = 429;
  t.ok(
    await until(async () => (await status('service:h1'))?.Status === 'warning'),
    '429 -> warning',
  );
  code = 500;
  t.ok(
    await until(async () => (await status('service:h1'))?.Status === 'critical'),
    '500 -> critical',
  );
  await consul.agent.service.register({
    name: 'doomed',
    id: 'd1',
    port: 1,
    check: { ttl: '10s', deregister_critical_service_after: '200ms' },
  } as never);
  t.ok(
    await until(async () => !('d1' in ((await consul.agent.service.list()) as object)), 5000),
    'DeregisterCriticalServiceAfter reaps the service',
  );
});

t.test('filter expressions and catalog register/deregister', async (t) => {
  const { consul, http } = await harness(t);
  await consul.agent.service.register({
    name: 'f',
    id: 'f1',
    port: 1,
    meta: { env: 'prod' },
    tags: ['a'],
  } as never);
  await consul.agent.service.register({
    name: 'f',
    id: 'f2',
    port: 2,
    meta: { env: 'dev' },
  } as never);
  const prod = (await consul.health.service({
    service: 'f',
    filter: 'Service.Meta.env == "prod"',
  } as never)) as Entry[];
  t.same(
    prod.map((e) => e.Service.ID),
    ['f1'],
  );
  const agentFiltered = (await consul.agent.service.list({
    filter: 'Tags contains "a"',
  } as never)) as object;
  t.same(Object.keys(agentFiltered), ['f1']);
  const bad = await http('/health/service/f?filter=' + encodeURIComponent('Service.Meta.env ==='));
  t.equal(bad.status, 400);
  t.match(await bad.text(), /^Failed to create boolean expression evaluator/);
  const reg = await consul.catalog.register({
    Node: 'ext1',
    Address: '127.0.0.9',
    NodeMeta: { rack: 'r1' },
    Service: { Service: 'db', ID: 'db1', Port: 5432, Tags: ['primary'] },
    Check: { CheckID: 'db-alive', Name: 'db alive', Status: 'passing', ServiceID: 'db1' },
  } as never);
  t.equal(reg, undefined, 'resolved (node-consul drops the `true` body)');
  const nodes = (await consul.catalog.node.list()) as { Node: string }[];
  t.same(
    nodes.map((n) => n.Node),
    ['ext1', 'node1'],
    'nodes sorted by name',
  );
  const meta = await http('/catalog/nodes?node-meta=rack:r1');
  t.same(
    ((await meta.json()) as { Node: string }[]).map((n) => n.Node),
    ['ext1'],
  );
  const db = (await consul.health.service({ service: 'db', passing: true } as never)) as Entry[];
  t.equal(db.length, 1, 'external node without serfHealth, passing check');
  t.equal(db[0]?.Node.Address, '127.0.0.9');
  const dereg = await http('/catalog/deregister', {
    method: 'PUT',
    body: JSON.stringify({ Node: 'ext1', ServiceID: 'db1' }),
  });
  t.equal(await dereg.text(), 'true');
  t.same(await consul.health.service('db'), []);
  await consul.catalog.deregister({ Node: 'ext1' } as never);
  t.same(
    ((await consul.catalog.node.list()) as { Node: string }[]).map((n) => n.Node),
    ['node1'],
  );
});
