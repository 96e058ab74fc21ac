// Issue 17, point 4 (the smaller gaps): GET / and unknown paths answer Consul's texts, service
// TaggedAddresses come back as Address/Port, a filter with an unknown selector is a 400 naming
// it, agent/self has Stats.consul.leader_addr, operator raft configuration and coordinates exist,
// health/connect and health/ingress answer empty lists.
import t from 'tap';
import { stays } from '@berth/daemon/testing';
import { blockedQueries, bodyOf, curl, harness, python, statusOf } from './helpers.js';

t.test('curl: GET / and unknown paths', async (t) => {
  const { running } = await harness(t);
  const cases = [
    {
      name: 'index',
      input: '/',
      want: [
        200,
        'Consul Agent: UI disabled. To enable, set ui_config.enabled=true in the agent configuration and restart.',
      ],
    },
    {
      name: 'unknown /v1 path',
      input: '/v1/nope',
      want: [404, 'Invalid URL path: not a recognized HTTP API endpoint\n'],
    },
    {
      name: 'outside /v1',
      input: '/elsewhere',
      want: [
        404,
        "Invalid URL path: if attempting to use the HTTP API, ensure the path starts with '/v1/'\n",
      ],
    },
  ];
  for (const c of cases) {
    const r = await curl(running.url + c.input);
    t.same([r.status, r.body], c.want, c.name);
  }
});

t.test('an HTTP check aimed at the agent root passes', async (t) => {
  const { consul, running } = await harness(t, { checkMinIntervalMs: 50 });
  await consul.agent.check.register({
    name: 'root',
    http: `${running.url}/`,
    interval: '1s',
  } as never);
  const { eventually } = await import('@berth/daemon/testing');
  await eventually(
    'passing',
    async () =>
      ((await consul.agent.check.list()) as Record<string, { Status: string }>).root?.Status ===
      'passing',
  );
  t.pass('the check went passing');
});

t.test('node-consul: lower-case TaggedAddresses members come back as Address/Port', async (t) => {
  const { consul } = await harness(t);
  await consul.agent.service.register({
    name: 'ta',
    port: 80,
    taggedAddresses: { lan: { address: '127.0.0.5', port: 8080 }, wan: { Address: '127.0.0.6' } },
  } as never);
  const svc = ((await consul.agent.service.list()) as Record<string, { TaggedAddresses: object }>)
    .ta;
  t.same(svc?.TaggedAddresses, {
    lan: { Address: '127.0.0.5', Port: 8080 },
    wan: { Address: '127.0.0.6', Port: 0 },
  });
  const [inst] = (await consul.catalog.service.nodes('ta')) as {
    ServiceTaggedAddresses: object;
  }[];
  t.same(inst?.ServiceTaggedAddresses, svc?.TaggedAddresses);
});

t.test('filters: an unknown selector is a 400 naming it', async (t) => {
  const { consul, http } = await harness(t);
  await consul.agent.service.register({ name: 'web', port: 80, tags: ['a'] } as never);
  const err = await consul.health
    .service({ service: 'web', filter: 'Service.Nope == "x"' } as never)
    .then(
      () => undefined,
      (e: Error) => e,
    );
  t.equal(statusOf(err), 400);
  t.equal(
    bodyOf(err),
    'Failed to create boolean expression evaluator: Selector "Service.Nope" is not valid',
  );
  const cases = [
    { name: 'catalog nodes', input: '/catalog/nodes?filter=Foo%20!%3D%20%22x%22', want: 400 },
    { name: 'agent services', input: '/agent/services?filter=Bogus%20is%20empty', want: 400 },
    { name: 'health state', input: '/health/state/any?filter=Nope%20%3D%3D%201', want: 400 },
    { name: 'meta keys are free', input: '/catalog/nodes?filter=Meta.any%20is%20empty', want: 200 },
    {
      name: 'a valid selector',
      input: '/catalog/service/web?filter=ServiceTags%20contains%20a',
      want: 200,
    },
  ];
  for (const c of cases) t.equal((await http(c.input)).status, c.want, c.name);
});

t.test('python3-consul: agent/self leader_addr, raft configuration, coordinates', async (t) => {
  const { running } = await harness(t);
  const out = await python(
    running,
    [
      'r = {}',
      "r['leader'] = c.status.leader()",
      "r['leader_addr'] = c.agent.self()['Stats']['consul']['leader_addr']",
      "r['raft'] = c.operator.raft_config()",
      "r['dcs'] = c.coordinate.datacenters()",
      "r['nodes'] = c.coordinate.nodes()[1]",
      'out = r',
    ].join('\n'),
  );
  const r = out as {
    leader: string;
    leader_addr: string;
    raft: { Index: number; Servers: { Leader: boolean; Voter: boolean; Address: string }[] };
    dcs: { Datacenter: string; AreaID: string; Coordinates: unknown[] }[];
    nodes: { Node: string; Coord: { Vec: number[] } }[];
  };
  t.equal(r.leader_addr, r.leader);
  t.match(r.raft, { Index: 0, Servers: [{ Leader: true, Voter: true, Address: r.leader }] });
  t.equal(r.raft.Servers.length, 1);
  t.same(Object.keys(r.dcs[0] ?? {}).sort(), ['AreaID', 'Coordinates', 'Datacenter']);
  t.match(r.nodes, [{ Node: 'node1', Coord: { Vec: [0, 0, 0, 0, 0, 0, 0, 0] } }]);
});

t.test('curl: health/connect and health/ingress answer empty lists', async (t) => {
  const { running } = await harness(t);
  for (const p of ['/v1/health/connect/web', '/v1/health/ingress/web', '/v1/catalog/connect/web']) {
    const r = await curl(running.url + p);
    t.same([r.status, r.body], [200, '[]'], p);
  }
});

t.test('agent/service/:id blocks on ?hash until the service changes', async (t) => {
  const { consul, http, running } = await harness(t);
  await consul.agent.service.register({ name: 'h', id: 'h1', port: 1 } as never);
  const first = await http('/agent/service/h1');
  const hash = first.headers.get('x-consul-contenthash') ?? '';
  t.equal(((await first.json()) as { ContentHash: string }).ContentHash, hash);
  let answered = false;
  const blocked = http(`/agent/service/h1?hash=${hash}&wait=5s`).then((r) => {
    answered = true;
    return r;
  });
  await blockedQueries(running);
  await consul.agent.service.register({ name: 'other', port: 2 } as never);
  await running.catalog.hub.settled();
  await stays('another service leaves the hash alone', () => !answered);
  await consul.agent.service.register({ name: 'h', id: 'h1', port: 3 } as never);
  const r = await blocked;
  t.not(r.headers.get('x-consul-contenthash'), hash, 'a new hash');
  t.equal(((await r.json()) as { Port: number }).Port, 3);
});
