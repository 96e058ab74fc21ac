// Issue 3 follow-up, point 4: Node, Service and Check operations in `PUT /v1/txn` (txn.mdx:
// set, cas, get, delete, delete-cas), atomically with KV operations, driven by the npm
// `consul` client where it can (it passes the body through) and by fetch for the 409s.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { startCatalog } from '../src/index.js';
import { harness } from './helpers.js';

const b64 = (s: string): string => Buffer.from(s).toString('base64');

interface TxnBody {
  Results: Record<string, Record<string, unknown>>[] | null;
  Errors: { OpIndex: number; What: string }[] | null;
}

const nodeSet = (name: string, verb = 'set', extra: Record<string, unknown> = {}): unknown => ({
  Node: { Verb: verb, Node: { Node: name, Address: '127.0.0.9', Meta: { rack: 'r1' }, ...extra } },
});
const serviceSet = (node: string, id: string, verb = 'set', extra = {}): unknown => ({
  Service: { Verb: verb, Node: node, Service: { ID: id, Service: 'web', Port: 80, ...extra } },
});
const checkSet = (
  node: string,
  id: string,
  serviceId: string,
  verb = 'set',
  extra = {},
): unknown => ({
  Check: {
    Verb: verb,
    Check: { Node: node, CheckID: id, Name: id, Status: 'passing', ServiceID: serviceId, ...extra },
  },
});
const kvSet = (key: string, value: string): unknown => ({
  KV: { Verb: 'set', Key: key, Value: b64(value) },
});

t.test('node, service, check and KV set in one transaction, one index', async (t) => {
  const { consul, http } = await harness(t);
  const out = (await consul.transaction.create([
    nodeSet('ext1'),
    serviceSet('ext1', 'web1', 'set', { Tags: ['v1'] }),
    checkSet('ext1', 'web1-check', 'web1'),
    kvSet('web/config', 'on'),
  ] as never)) as unknown as TxnBody;
  t.equal(out.Errors, null);
  const results = out.Results ?? [];
  t.same(
    results.map((r) => Object.keys(r)[0]),
    ['Node', 'Service', 'Check', 'KV'],
    'one result per set, in order',
  );
  const [n, s, c, kv] = results.map((r) => Object.values(r)[0] as Record<string, unknown>);
  t.match(n, { Node: 'ext1', Address: '127.0.0.9', Meta: { rack: 'r1' }, Datacenter: 'dc1' });
  t.match(s, { ID: 'web1', Service: 'web', Port: 80, Tags: ['v1'] });
  t.match(c, { Node: 'ext1', CheckID: 'web1-check', Status: 'passing', ServiceName: 'web' });
  t.match(kv, { Key: 'web/config', Value: null });
  const idx = n?.ModifyIndex;
  t.ok(
    [s, c, kv].every((x) => x?.ModifyIndex === idx),
    `every result at the transaction's index ${String(idx)}`,
  );
  const health = (await (await http('/health/service/web?passing')).json()) as {
    Node: { Node: string };
    Checks: { CheckID: string }[];
  }[];
  t.same(
    health.map((h) => [h.Node.Node, h.Checks.map((x) => x.CheckID)]),
    [['ext1', ['web1-check']]],
    'health sees the instance with its check',
  );
});

t.test('get, cas, delete and delete-cas verbs', async (t) => {
  const { http } = await harness(t);
  const txn = async (ops: unknown[]): Promise<{ status: number; body: TxnBody }> => {
    const r = await http('/txn', { method: 'PUT', body: JSON.stringify(ops) });
    return { status: r.status, body: (await r.json()) as TxnBody };
  };
  const created = await txn([
    nodeSet('n2'),
    serviceSet('n2', 'api1'),
    checkSet('n2', 'api1-check', 'api1'),
  ]);
  t.equal(created.status, 200);
  const idx = (created.body.Results?.[0]?.Node?.ModifyIndex ?? 0) as number;
  const cases = [
    {
      name: 'get each kind',
      input: [
        { Node: { Verb: 'get', Node: { Node: 'n2' } } },
        { Service: { Verb: 'get', Node: 'n2', Service: { ID: 'api1' } } },
        { Check: { Verb: 'get', Check: { Node: 'n2', CheckID: 'api1-check' } } },
      ],
      want: { status: 200, kinds: ['Node', 'Service', 'Check'] },
    },
    {
      name: 'get of missing things: every error reported',
      input: [
        { Node: { Verb: 'get', Node: { Node: 'ghost' } } },
        { Service: { Verb: 'get', Node: 'n2', Service: { ID: 'ghost' } } },
        { Check: { Verb: 'get', Check: { Node: 'n2', CheckID: 'ghost' } } },
      ],
      want: {
        status: 409,
        errors: [
          { OpIndex: 0, What: 'node "ghost" doesn\'t exist' },
          { OpIndex: 1, What: 'service "ghost" on node "n2" doesn\'t exist' },
          { OpIndex: 2, What: 'check "ghost" on node "n2" doesn\'t exist' },
        ],
      },
    },
    {
      name: 'stale cas of each kind',
      input: [
        nodeSet('n2', 'cas', { ModifyIndex: idx - 1 }),
        serviceSet('n2', 'api1', 'cas', { ModifyIndex: idx - 1 }),
        checkSet('n2', 'api1-check', 'api1', 'cas', { ModifyIndex: idx - 1 }),
      ],
      want: {
        status: 409,
        errors: [
          { OpIndex: 0, What: 'failed to set node "n2", index is stale' },
          { OpIndex: 1, What: 'failed to set service "api1" on node "n2", index is stale' },
          { OpIndex: 2, What: 'failed to set check "api1-check" on node "n2", index is stale' },
        ],
      },
    },
    {
      name: 'stale delete-cas of each kind',
      input: [
        {
          Check: {
            Verb: 'delete-cas',
            Check: { Node: 'n2', CheckID: 'api1-check', ModifyIndex: 1 },
          },
        },
        { Service: { Verb: 'delete-cas', Node: 'n2', Service: { ID: 'api1', ModifyIndex: 1 } } },
        { Node: { Verb: 'delete-cas', Node: { Node: 'n2', ModifyIndex: 1 } } },
      ],
      want: {
        status: 409,
        errors: [
          { OpIndex: 0, What: 'failed to delete check "api1-check" on node "n2", index is stale' },
          { OpIndex: 1, What: 'failed to delete service "api1" on node "n2", index is stale' },
          { OpIndex: 2, What: 'failed to delete node "n2", index is stale' },
        ],
      },
    },
    {
      name: 'cas at the current index succeeds',
      input: [serviceSet('n2', 'api1', 'cas', { ModifyIndex: idx, Port: 81 })],
      want: { status: 200, kinds: ['Service'] },
    },
    {
      name: 'delete adds no result',
      input: [
        { Check: { Verb: 'delete', Check: { Node: 'n2', CheckID: 'api1-check' } } },
        { Service: { Verb: 'delete', Node: 'n2', Service: { ID: 'api1' } } },
      ],
      want: { status: 200, kinds: [] },
    },
  ];
  for (const c of cases) {
    const r = await txn(c.input);
    t.equal(r.status, c.want.status, `${c.name}: status`);
    if (c.want.errors) {
      t.same(r.body.Errors, c.want.errors, `${c.name}: errors`);
      t.equal(r.body.Results, null);
    } else {
      t.same(
        (r.body.Results ?? []).map((x) => Object.keys(x)[0]),
        c.want.kinds,
        c.name,
      );
    }
  }
  const svc = (await (await http('/catalog/service/web')).json()) as unknown[];
  t.same(svc, [], 'the service is gone after the delete');
});

t.test('one failing operation rolls back every other kind', async (t) => {
  const { http } = await harness(t);
  await http('/kv/keep', { method: 'PUT', body: 'old' });
  const before = Number((await http('/kv/keep')).headers.get('x-consul-index'));
  const r = await http('/txn', {
    method: 'PUT',
    body: JSON.stringify([
      nodeSet('n3'),
      serviceSet('n3', 'w3'),
      kvSet('keep', 'new'),
      { KV: { Verb: 'delete', Key: 'keep' } },
      serviceSet('no-such-node', 'x'),
    ]),
  });
  t.equal(r.status, 409);
  t.same(((await r.json()) as TxnBody).Errors, [{ OpIndex: 4, What: 'Missing node registration' }]);
  t.equal(await (await http('/catalog/node/n3')).text(), 'null', 'node not applied');
  t.equal(await (await http('/kv/keep?raw')).text(), 'old', 'KV not applied');
  t.equal(Number((await http('/catalog/nodes')).headers.get('x-consul-index')) <= before, true);
});

t.test('bad catalog operations are a 400 that applies nothing', async (t) => {
  const { http } = await harness(t);
  const cases = [
    {
      name: 'unknown verb',
      input: [{ Node: { Verb: 'upsert', Node: { Node: 'x', Address: '127.0.0.1' } } }],
      want: 'Failed to parse body: operation 0: unknown Node verb "upsert"',
    },
    {
      name: 'two kinds in one operation',
      input: [{ KV: { Verb: 'get', Key: 'a' }, Node: { Verb: 'get', Node: { Node: 'x' } } }],
      want: 'Failed to parse body: operation 0 must hold exactly one of KV, Node, Service or Check',
    },
    {
      name: 'service without a node',
      input: [{ Service: { Verb: 'set', Service: { Service: 'web' } } }],
      want: 'Failed to parse body: operation 0: Node (the node name) is required',
    },
    {
      name: 'check without a node',
      input: [{ Check: { Verb: 'set', Check: { CheckID: 'c' } } }],
      want: 'Failed to parse body: operation 0: Check.Node is required',
    },
  ];
  for (const c of cases) {
    const r = await http('/txn', { method: 'PUT', body: JSON.stringify(c.input) });
    t.equal(r.status, 400, `${c.name}: 400`);
    t.equal(await r.text(), c.want, `${c.name}: message`);
  }
});

t.test('catalog operations of a transaction survive a restart (log replay)', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'berth-catalog-txn-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const first = await startCatalog({ listen: '127.0.0.1:0', node: 'self', dataDir: dir });
  const r = await fetch(`${first.url}/v1/txn`, {
    method: 'PUT',
    body: JSON.stringify([nodeSet('ext9'), serviceSet('ext9', 'web9'), kvSet('k9', 'v')]),
  });
  t.equal(r.status, 200);
  const node = (await (await fetch(`${first.url}/v1/catalog/node/ext9`)).json()) as {
    Node: { ID: string };
  };
  await first.close();
  const second = await startCatalog({ listen: '127.0.0.1:0', node: 'self', dataDir: dir });
  t.teardown(() => second.close());
  const again = (await (await fetch(`${second.url}/v1/catalog/node/ext9`)).json()) as {
    Node: { ID: string };
    Services: Record<string, unknown>;
  };
  t.equal(again.Node.ID, node.Node.ID, 'same generated node ID after replay');
  t.same(Object.keys(again.Services), ['web9']);
  t.equal(await (await fetch(`${second.url}/v1/kv/k9?raw`)).text(), 'v');
});
