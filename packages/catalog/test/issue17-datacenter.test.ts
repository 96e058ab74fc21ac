// Issue 17, point 1: no request aimed at another datacenter may touch local data. python3-consul
// 0.7.1 sends `datacenter` in the body of catalog register/deregister: a deregister aimed at
// dc2 used to delete the node in dc1. Every write checks its dc, query string and body.
import t from 'tap';
import { curl, harness, python, statusOf } from './helpers.js';

t.test('python3-consul: catalog register/deregister with dc=dc2 change nothing here', async (t) => {
  const { running, consul } = await harness(t);
  const out = await python(
    running,
    [
      'r = {}',
      "r['reg'] = c.catalog.register('n1', '127.0.0.2', service={'service': 's1'})",
      'for name, call in [',
      "    ('dereg', lambda: c.catalog.deregister('n1', dc='dc2')),",
      "    ('dereg_service', lambda: c.catalog.deregister('n1', service_id='s1', dc='dc2')),",
      "    ('reg', lambda: c.catalog.register('n2', '127.0.0.3', dc='dc2')),",
      ']:',
      '    try:',
      '        call()',
      "        r[name + '_raised'] = None",
      '    except consul.ConsulException as e:',
      "        r[name + '_raised'] = str(e)",
      "r['nodes'] = sorted(n['Node'] for n in c.catalog.nodes()[1])",
      "r['s1'] = [s['Node'] for s in c.catalog.service('s1')[1]]",
      'out = r',
    ].join('\n'),
  );
  t.match(out, {
    reg: true,
    dereg_raised: /500 No path to datacenter/,
    dereg_service_raised: /500 No path to datacenter/,
    reg_raised: /500 No path to datacenter/,
    nodes: ['n1', 'node1'],
    s1: ['n1'],
  });
  const nodes = (await consul.catalog.node.list()) as { Node: string }[];
  t.same(
    nodes.map((n) => n.Node),
    ['n1', 'node1'],
    'node-consul sees n1 untouched',
  );
});

t.test('curl: every body or query Datacenter not ours is a 500 and applies nothing', async (t) => {
  const { running, http } = await harness(t);
  await http('/catalog/register', {
    method: 'PUT',
    body: JSON.stringify({ Node: 'n1', Address: '127.0.0.2' }),
  });
  const before = await (await http('/catalog/nodes')).text();
  const base = `${running.url}/v1`;
  const cases = [
    { name: 'deregister body', input: ['/catalog/deregister', { Datacenter: 'dc2', Node: 'n1' }] },
    {
      name: 'register body',
      input: ['/catalog/register', { Datacenter: 'dc2', Node: 'n9', Address: '127.0.0.9' }],
    },
    { name: 'deregister ?dc', input: ['/catalog/deregister?dc=dc2', { Node: 'n1' }] },
    {
      name: 'txn Node op',
      input: ['/txn', [{ Node: { Verb: 'delete', Node: { Node: 'n1', Datacenter: 'dc2' } } }]],
    },
    { name: 'kv ?dc', input: ['/kv/k?dc=dc2', 'v'] },
    { name: 'session ?dc', input: ['/session/create?dc=dc2', {}] },
    {
      name: 'coordinate update body',
      input: ['/coordinate/update', { Datacenter: 'dc2', Node: 'n1', Coord: {} }],
    },
  ] as const;
  for (const c of cases) {
    const [path, body] = c.input;
    const data = typeof body === 'string' ? body : JSON.stringify(body);
    const r = await curl(base + path, ['-X', 'PUT', '--data-binary', data]);
    t.same([r.status, r.body], [500, 'No path to datacenter'], c.name);
  }
  t.equal(await (await http('/catalog/nodes')).text(), before, 'nothing changed');
  t.equal((await http('/kv/k')).status, 404, 'no key written');
});

t.test('node-consul: dc=dc2 on reads and writes is refused', async (t) => {
  const { consul } = await harness(t);
  const calls = [
    () => consul.catalog.node.list({ dc: 'dc2' } as never),
    () => consul.kv.set({ key: 'k', value: 'v', dc: 'dc2' } as never),
    () => consul.catalog.deregister({ node: 'node1', dc: 'dc2' } as never),
  ];
  for (const call of calls) {
    const err = await call().then(
      () => undefined,
      (e: unknown) => e,
    );
    t.equal(statusOf(err), 500);
  }
  t.ok(await consul.catalog.node.services('node1'), 'the local node is still there');
});
