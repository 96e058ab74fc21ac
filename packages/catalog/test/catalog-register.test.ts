// Issue 3 follow-up, point 5: `PUT /v1/catalog/register` is one atomic write, as Consul applies
// a RegisterRequest in one raft entry: node, service and checks share one index, a blocked
// watcher never sees the service without its check, and a failing part applies nothing.
import t from 'tap';
import { blockedQueries, harness } from './helpers.js';

interface HealthEntry {
  Node: { CreateIndex: number; ModifyIndex: number };
  Service: { ID: string; CreateIndex: number };
  Checks: { CheckID: string; CreateIndex: number }[];
}

const index = (r: Response): number => Number(r.headers.get('x-consul-index'));
const put = (body: unknown): RequestInit => ({ method: 'PUT', body: JSON.stringify(body) });

t.test('node, service and check registered under one index', async (t) => {
  const { http, running } = await harness(t);
  const before = index(await http('/health/service/web'));
  const blocked = http(`/health/service/web?index=${before}&wait=5s`);
  await blockedQueries(running);
  const r = await http(
    '/catalog/register',
    put({
      Node: 'ext1',
      Address: '127.0.0.2',
      Service: { ID: 'web1', Service: 'web', Port: 8080, Tags: ['v1'] },
      Check: { CheckID: 'web1-alive', Name: 'alive', Status: 'passing', ServiceID: 'web1' },
    }),
  );
  t.equal(r.status, 200);
  t.equal(await r.text(), 'true');
  const woke = await blocked;
  const entries = (await woke.json()) as HealthEntry[];
  t.equal(entries.length, 1, 'the blocked watcher got the instance');
  const e = entries[0] as HealthEntry;
  t.same(
    e.Checks.map((c) => c.CheckID),
    ['web1-alive'],
    'first seen together with its check, never checkless',
  );
  const idx = index(woke);
  t.equal(e.Node.CreateIndex, idx, 'node at the write index');
  t.equal(e.Service.CreateIndex, idx, 'service at the same index');
  t.equal(e.Checks[0]?.CreateIndex, idx, 'check at the same index');
  t.equal(idx, before + 1, 'the whole registration raised the index once');
});

t.test('a failing part applies nothing', async (t) => {
  const { http } = await harness(t);
  const cases = [
    {
      name: 'check on an unknown service',
      input: {
        Node: 'ext2',
        Address: '127.0.0.3',
        Service: { ID: 'api1', Service: 'api', Port: 9000 },
        Check: { CheckID: 'c1', Name: 'c1', ServiceID: 'nope' },
      },
      want: { status: 404, text: 'ServiceID "nope" does not exist' },
    },
    {
      name: 'second check of a list is bad',
      input: {
        Node: 'ext3',
        Address: '127.0.0.4',
        Service: { ID: 'db1', Service: 'db', Port: 5432 },
        Checks: [
          { CheckID: 'ok', Name: 'ok', ServiceID: 'db1' },
          { CheckID: 'bad', Name: 'bad', ServiceID: 'ghost' },
        ],
      },
      want: { status: 404, text: 'ServiceID "ghost" does not exist' },
    },
  ];
  for (const c of cases) {
    const before = index(await http('/catalog/nodes'));
    const r = await http('/catalog/register', put(c.input));
    t.equal(r.status, c.want.status, `${c.name}: status`);
    t.equal(await r.text(), c.want.text, `${c.name}: message`);
    const node = await http(`/catalog/node/${c.input.Node}`);
    t.equal(await node.text(), 'null', `${c.name}: the node was not registered either`);
    t.equal(index(await http('/catalog/nodes')), before, `${c.name}: no index raised`);
    const svc = (await (await http(`/catalog/service/${c.input.Service.Service}`)).json()) as [];
    t.same(svc, [], `${c.name}: no service`);
  }
});
