// Issue 17, point 3: prepared queries. python3-consul 0.7.1 (test_query: create, list, get,
// explain, execute, delete; it creates every query as a name_prefix_match template), node-consul
// (execute with DNS.TTL and limit, update), curl (templates with Regexp, Near _agent, a query
// bound to a session goes with it, ACL filtering, durability across a restart).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { startCatalog } from '../src/index.js';
import { curl, harness, python, statusOf } from './helpers.js';

interface Executed {
  Service: string;
  Nodes: { Node: { Node: string }; Service: { ID: string; Tags: string[] } }[];
  DNS: { TTL: string };
  Datacenter: string;
  Failovers: number;
}

t.test('python3-consul 0.7.1: create, list, get, explain, execute, delete', async (t) => {
  const { running, consul } = await harness(t);
  await consul.agent.service.register({ name: 'foo', port: 80 } as never);
  const out = await python(
    running,
    [
      'r = {}',
      "r['empty'] = c.query.list()",
      "q = c.query.create('foo', 'fooquery', ttl='10s')",
      "r['id'] = q['ID']",
      "got = c.query.get(q['ID'])",
      "r['got'] = [x['Name'] for x in got]",
      "r['explain'] = c.query.explain('fooquery')['Query']['Service']['Service']",
      "e = c.query.execute('fooquery')",
      "r['nodes'] = [n['Service']['ID'] for n in e['Nodes']]",
      "r['ttl'] = e['DNS']['TTL']",
      "r['listed'] = [x['ID'] for x in c.query.list()]",
      "r['deleted'] = c.query.delete(q['ID'])",
      "r['after'] = c.query.list()",
      'out = r',
    ].join('\n'),
  );
  const r = out as Record<string, unknown>;
  t.match(r, {
    empty: [],
    got: ['fooquery'],
    explain: 'foo',
    nodes: ['foo'],
    ttl: '10s',
    deleted: true,
    after: [],
  });
  t.same(r.listed, [r.id]);
});

t.test('node-consul: execute carries DNS.TTL; update; curl: ?limit', async (t) => {
  const { consul, running } = await harness(t);
  for (const id of ['w1', 'w2', 'w3']) {
    await consul.agent.service.register({ name: 'web', id, port: 80, tags: ['v1'] } as never);
  }
  const created = (await consul.query.create({
    name: 'web-q',
    service: { service: 'web', onlypassing: false },
    dns: { ttl: '30s' },
  } as never)) as { ID: string };
  const all = (await consul.query.execute('web-q')) as Executed;
  t.match(all, { Service: 'web', DNS: { TTL: '30s' }, Datacenter: 'dc1', Failovers: 0 });
  t.equal(all.Nodes.length, 3);
  const two = JSON.parse((await curl(`${running.url}/v1/query/web-q/execute?limit=2`)).body);
  t.equal((two as Executed).Nodes.length, 2, 'limit');
  await consul.query.update({
    query: created.ID,
    name: 'web-q',
    service: { service: 'web', tags: ['!v1'] },
  } as never);
  const none = (await consul.query.execute(created.ID)) as Executed;
  t.equal(none.Nodes.length, 0, '!tag excludes');
  const missing = await consul.query.execute('nope').then(
    () => 200,
    (e: unknown) => statusOf(e),
  );
  t.equal(missing, 404, 'an unknown query');
});

t.test('curl: templates, Near _agent, health, session-bound queries', async (t) => {
  const { running, http, consul } = await harness(t);
  const base = `${running.url}/v1`;
  await http('/catalog/register', {
    method: 'PUT',
    body: JSON.stringify({
      Node: 'far',
      Address: '127.0.0.9',
      Service: { ID: 'geo-eu-far', Service: 'geo-eu', Port: 1 },
    }),
  });
  await consul.agent.service.register({ name: 'geo-eu', id: 'geo-eu-near', port: 2 } as never);
  await consul.agent.service.register({
    name: 'geo-eu',
    id: 'geo-eu-sick',
    port: 3,
    check: { ttl: '30s' },
  } as never);
  const tpl = await curl(`${base}/query`, [
    '-X',
    'POST',
    '--data-binary',
    JSON.stringify({
      Name: 'geo-',
      Template: { Type: 'name_prefix_match', Regexp: '^geo-(.+)$' },
      Service: { Service: 'geo-${match(1)}', Near: '_agent' },
      DNS: { TTL: '5s' },
    }),
  ]);
  t.equal(tpl.status, 200, tpl.body);
  const ex = await curl(`${base}/query/geo-eu/execute`);
  const executed = JSON.parse(ex.body) as Executed;
  t.equal(executed.Service, 'geo-eu', 'the template filled in ${match(1)}');
  t.same(
    executed.Nodes.map((n) => n.Service.ID),
    ['geo-eu-near', 'geo-eu-far'],
    'the agent node first; the critical instance left out',
  );
  t.equal(executed.DNS.TTL, '5s');
  const explain = JSON.parse((await curl(`${base}/query/geo-eu/explain`)).body) as {
    Query: { Service: { Service: string } };
  };
  t.equal(explain.Query.Service.Service, 'geo-eu');
  const badVar = await curl(`${base}/query`, [
    '-X',
    'POST',
    '--data-binary',
    JSON.stringify({
      Name: 'x-',
      Template: { Type: 'name_prefix_match' },
      Service: { Service: '${nope}' },
    }),
  ]);
  t.equal(badVar.status, 400, 'an unknown template variable');
  const noService = await curl(`${base}/query`, ['-X', 'POST', '--data-binary', '{"Name":"n"}']);
  t.same([noService.status, noService.body], [400, 'Must provide a Service name to query']);

  const session = ((await consul.session.create()) as { ID: string }).ID;
  const bound = JSON.parse(
    (
      await curl(`${base}/query`, [
        '-X',
        'POST',
        '--data-binary',
        JSON.stringify({ Name: 'bound', Session: session, Service: { Service: 'geo-eu' } }),
      ])
    ).body,
  ) as { ID: string };
  t.equal((await curl(`${base}/query/${bound.ID}`)).status, 200);
  await consul.session.destroy(session);
  t.equal((await curl(`${base}/query/${bound.ID}`)).status, 404, 'gone with its session');
});

t.test('ACLs: query rules govern named queries; execution filters by service read', async (t) => {
  const root = 'root';
  const { running } = await harness(t, { aclToken: root });
  const base = `${running.url}/v1`;
  const H = (tok: string) => ['-H', `X-Consul-Token: ${tok}`];
  await curl(`${base}/agent/service/register`, [
    ...H(root),
    '-X',
    'PUT',
    '--data-binary',
    '{"Name":"db","Port":1}',
  ]);
  const q = await curl(`${base}/query`, [
    ...H(root),
    '-X',
    'POST',
    '--data-binary',
    '{"Name":"db-q","Service":{"Service":"db"}}',
  ]);
  t.equal(q.status, 200);
  const anonCreate = await curl(`${base}/query`, [
    '-X',
    'POST',
    '--data-binary',
    '{"Name":"other","Service":{"Service":"db"}}',
  ]);
  t.equal(anonCreate.status, 403, 'query:write needed for a named query');
  const anonList = await curl(`${base}/query`);
  t.same([anonList.status, anonList.body], [200, '[]'], 'filtered list');
  const anonExec = JSON.parse((await curl(`${base}/query/db-q/execute`)).body) as Executed;
  t.equal(anonExec.Nodes.length, 0, 'instances the caller may not read are left out');
  const rootExec = JSON.parse((await curl(`${base}/query/db-q/execute`, H(root))).body) as Executed;
  t.equal(rootExec.Nodes.length, 1);
});

t.test('prepared queries are durable like KV', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'berth-query-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  let running = await startCatalog({ listen: '127.0.0.1:0', node: 'n1', dataDir: dir });
  const r = await fetch(`${running.url}/v1/query`, {
    method: 'POST',
    body: JSON.stringify({ Name: 'kept', Service: { Service: 'x' }, DNS: { TTL: '7s' } }),
  });
  const { ID } = (await r.json()) as { ID: string };
  await running.close();
  running = await startCatalog({ listen: '127.0.0.1:0', node: 'n1', dataDir: dir });
  t.teardown(() => running.close());
  const got = (await (await fetch(`${running.url}/v1/query/${ID}`)).json()) as {
    Name: string;
    DNS: { TTL: string };
  }[];
  t.match(got, [{ Name: 'kept', DNS: { TTL: '7s' } }]);
});
